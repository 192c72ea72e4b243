//! Words about feeds that moderators read (replies to `/feeds`), in both languages. Kept here so
//! they move to the Fluent files in one place.

use crate::domain::lang::Lang;

/// `/feeds add` when the server's list is full (FEEDS_PER_SERVER).
pub fn list_full(lang: Lang, max: u32) -> String {
    match lang {
        Lang::Zh => format!("未添加：本服务器已有 {max} 个新闻源，达到上限（FEEDS_PER_SERVER）。请先用 /feeds remove 移除一个。"),
        Lang::En => format!(
            "Not added: this server already has {max} feeds, the most allowed (FEEDS_PER_SERVER). Remove one with /feeds remove first."
        ),
    }
}

/// `/feeds enable` when the feed's host was busy (FEED_HOST_RATE): it is fetched at its turn.
/// `name` is already escaped.
pub fn enabled_but_held(lang: Lang, name: &str, until: chrono::DateTime<chrono::Utc>) -> String {
    let when = until.timestamp();
    match lang {
        Lang::Zh => format!("已重新启用 **{name}**。它所在的网站正忙（FEED_HOST_RATE），将于 <t:{when}:R> 抓取。"),
        Lang::En => format!(
            "**{name}** is enabled again. Its site is busy (FEED_HOST_RATE), so it will be fetched <t:{when}:R>."
        ),
    }
}
