//! News items as the domain sees them, and how an item is identified across fetches and feeds.

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
/// many feeds number their entries 1, 2, 3), else the canonical link, else a hash of title and date.
/// Never the parser's generated id, which for some entries is random on every parse.
pub fn item_identity(
    feed_url: &str,
    guid: Option<&str>,
    link: Option<&str>,
    title: &str,
    published: Option<DateTime<Utc>>,
) -> String {
    if let Some(guid) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        return format!("guid:{}", short_hash(&[feed_url, guid]));
    }
    if let Some(key) = link.and_then(story_key) {
        return format!("link:{}", short_hash(&[&key]));
    }
    let date = published.map(|d| d.to_rfc3339()).unwrap_or_default();
    format!("hash:{}", short_hash(&[feed_url, title.trim(), &date]))
}

/// The comparable form of a story's link: scheme and `www.` dropped, host lower-cased, fragment
/// and tracking parameters removed, trailing slash trimmed. `None` for anything but http(s).
pub fn story_key(link: &str) -> Option<String> {
    let mut url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let host = url.host_str()?.trim_start_matches("www.").to_string();
    let path = url.path().trim_end_matches('/');
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{host}{port}{path}{query}"))
}

fn is_tracking_param(key: &str) -> bool {
    key.starts_with("utm_")
        || matches!(
            key,
            "fbclid" | "gclid" | "ref" | "ref_src" | "mc_cid" | "mc_eid" | "spm"
        )
}

fn short_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn guid_wins_and_is_scoped_to_its_feed() {
        let a = item_identity("https://a.example/feed", Some("42"), Some("https://x/1"), "T", None);
        let b = item_identity("https://b.example/feed", Some("42"), Some("https://x/1"), "T", None);
        assert!(a.starts_with("guid:"));
        assert_ne!(a, b, "guid 42 of two feeds are two items");
        let again = item_identity(
            "https://a.example/feed",
            Some(" 42 "),
            Some("https://other"),
            "Other",
            None,
        );
        assert_eq!(a, again, "guid decides, whatever else changed");
    }

    #[test]
    fn link_then_hash_when_no_guid() {
        let by_link = item_identity("f", None, Some("https://www.x.com/a/?utm_source=rss#top"), "T", None);
        assert_eq!(
            by_link,
            item_identity("f", Some(""), Some("http://x.com/a"), "Other", None)
        );
        assert!(by_link.starts_with("link:"));
        let when = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        let h1 = item_identity("f", None, None, "Title", Some(when));
        assert!(h1.starts_with("hash:"));
        assert_eq!(
            h1,
            item_identity("f", None, Some("javascript:alert(1)"), " Title ", Some(when))
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
        assert_eq!(story_key("mailto:a@b.c"), None);
        assert_eq!(story_key("/relative"), None);
    }
}
