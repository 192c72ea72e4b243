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
