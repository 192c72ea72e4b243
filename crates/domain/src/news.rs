//! News items as the domain sees them, and how an item is identified across fetches and feeds.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use url::Url;

/// One news item, cleaned: plain-text title and summary, an http(s) link or none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsItem {
    /// Stable across fetches; see [`item_identity`].
    pub identity: String,
    /// The link in comparable form, shared by the same story in several feeds.
    pub story_key: Option<String>,
    pub title: String,
    pub url: Option<String>,
    pub summary: String,
    /// The feed's display name (its title, or the name it was configured with).
    pub source: String,
    pub published: Option<DateTime<Utc>>,
    /// When we first stored it; stands in for a missing publication date.
    pub seen_at: DateTime<Utc>,
}

impl NewsItem {
    /// The moment used for windows and recency: publication, else when we first saw it.
    pub fn when(&self) -> DateTime<Utc> {
        self.published.unwrap_or(self.seen_at)
    }
}

/// Identity of an entry, in order of preference: the feed's own guid (scoped to the feed, since
/// many feeds number their entries 1, 2, 3), else its story (the [`story_key`] of its link), else
/// a hash of title and date. Never the parser's generated id, which for some entries is random on
/// every parse.
pub fn item_identity(
    feed_url: &str,
    guid: Option<&str>,
    story: Option<&str>,
    title: &str,
    published: Option<DateTime<Utc>>,
) -> String {
    if let Some(guid) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        return short_hash("guid", &[feed_url, guid]);
    }
    if let Some(story) = story {
        return short_hash("link", &[story]);
    }
    let date = published.map(|d| d.to_rfc3339()).unwrap_or_default();
    short_hash("hash", &[feed_url, title.trim(), &date])
}

/// The comparable form of a story's link: scheme and `www.` dropped, host lower-cased, fragment
/// and tracking parameters removed, trailing slash trimmed. `None` for anything but http(s).
pub fn story_key(link: &str) -> Option<String> {
    story_key_of(&Url::parse(link.trim()).ok()?)
}

/// [`story_key`] of a link already parsed.
pub fn story_key_of(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_start_matches("www.");
    let path = url.path().trim_end_matches('/');
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let kept: Vec<(Cow<str>, Cow<str>)> = url.query_pairs().filter(|(k, _)| !is_tracking_param(k)).collect();
    if kept.is_empty() {
        return Some(format!("{host}{port}{path}"));
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    Some(format!("{host}{port}{path}?{query}"))
}

fn is_tracking_param(key: &str) -> bool {
    key.starts_with("utm_")
        || matches!(
            key,
            "fbclid" | "gclid" | "ref" | "ref_src" | "mc_cid" | "mc_eid" | "spm"
        )
}

/// `kind:` and the first 16 bytes of the SHA-256 of `parts`, in hex. Stored identities depend on
/// this exact form.
fn short_hash(kind: &str, parts: &[&str]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(kind.len() + 33);
    out.push_str(kind);
    out.push(':');
    for byte in &digest[..16] {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn guid_wins_and_is_scoped_to_its_feed() {
        let a = item_identity("https://a.example/feed", Some("42"), Some("x/1"), "T", None);
        let b = item_identity("https://b.example/feed", Some("42"), Some("x/1"), "T", None);
        // The stored form: changing it would make every known item look new.
        assert_eq!(a, "guid:b98eae476188f2c523f7d020f1a62345");
        assert_ne!(a, b, "guid 42 of two feeds are two items");
        let again = item_identity("https://a.example/feed", Some(" 42 "), Some("other"), "Other", None);
        assert_eq!(a, again, "guid decides, whatever else changed");
    }

    #[test]
    fn link_then_hash_when_no_guid() {
        let by_link = item_identity(
            "f",
            None,
            story_key("https://www.x.com/a/?utm_source=rss#top").as_deref(),
            "T",
            None,
        );
        assert_eq!(
            by_link,
            item_identity("f", Some(""), story_key("http://x.com/a").as_deref(), "Other", None)
        );
        assert!(by_link.starts_with("link:"));
        let when = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        let h1 = item_identity("f", None, None, "Title", Some(when));
        assert!(h1.starts_with("hash:"));
        assert_eq!(
            h1,
            item_identity(
                "f",
                None,
                story_key("javascript:alert(1)").as_deref(),
                " Title ",
                Some(when)
            )
        );
        assert_ne!(h1, item_identity("f", None, None, "Title", None));
    }

    #[test]
    fn story_key_normalizes_links() {
        assert_eq!(
            story_key("HTTPS://WWW.Example.com/News/1/?utm_medium=x&id=3#c").unwrap(),
            "example.com/News/1?id=3"
        );
        assert_eq!(story_key("http://example.com:8080/").unwrap(), "example.com:8080");
        assert_eq!(story_key("https://x.com/a?b=c%20d&utm_x=1").unwrap(), "x.com/a?b=c+d");
        assert_eq!(story_key("mailto:a@b.c"), None);
        assert_eq!(story_key("/relative"), None);
    }
}

#[derive(Debug, Clone)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// The feed's own web page.
    pub link: Option<String>,
    /// When the feed says it last changed.
    pub updated: Option<DateTime<Utc>>,
    pub items: Vec<NewsItem>,
}

/// A feed a page names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    pub url: Url,
    /// The link's `title`, as plain text.
    pub title: Option<String>,
}

/// How the feed that was found came to be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The address given was a feed itself.
    Given,
    /// The page at the address given names this one feed.
    Linked { page: String },
    /// The page names none, and one of the usual feed paths on its site is a feed.
    UsualPath { page: String },
}

/// What looking for a feed at an address found (`claim_digest_feeds::discover::locate_feed`).
#[derive(Debug, Clone)]
pub enum Located {
    Feed {
        /// The address to store the feed under.
        url: String,
        feed: ParsedFeed,
        found: Found,
    },
    /// The page names several feeds; a person chooses.
    Several { page: String, links: Vec<FeedLink> },
}
