//! Finding a site's feed from one of its web pages, as feed readers do: the page's
//! `<link rel="alternate">` feed links first, then the paths most sites serve their feed on.
//! Every request goes through the same guarded client as a feed's own fetch.

use std::future::Future;

use html5gum::{Token, Tokenizer};
use url::Url;

use super::fetch::{FeedClient, FeedSource, FetchError, Fetched};
use super::parse::{ParseError, ParsedFeed};
pub use claim_digest_domain::news::{FeedLink, Found, Located};
use claim_digest_domain::records::FeedFailure;
use claim_digest_domain::text::{plain_text, truncate_chars};
use claim_digest_domain::views::LocateFailure;

/// Paths tried on the page's own site when the page names no feed, in this order.
pub const USUAL_PATHS: [&str; 4] = ["/feed", "/rss.xml", "/atom.xml", "/index.xml"];

/// At most this many links are read off one page; a real site names two or three.
const MAX_LINKS: usize = 10;

/// Link types that name a feed: RSS, RSS 1.0, Atom (and its pre-registration spellings) and
/// JSON Feed, whose specification allows plain `application/json` too.
const FEED_TYPES: [&str; 7] = [
    "application/rss+xml",
    "application/rdf+xml",
    "application/atom+xml",
    "application/x.atom+xml",
    "application/x-atom+xml",
    "application/feed+json",
    "application/json",
];

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LocateError {
    #[error("{0}")]
    Fetch(FetchError),
    #[error("{0}")]
    NotAFeed(ParseError),
    #[error("the server answered 304 Not Modified to a plain request")]
    NotModified,
    #[error("not a feed: the page names no feed, and none of {} on its site is one", USUAL_PATHS.join(", "))]
    NoFeedOnPage { page: String },
    #[error("the page names {url} as its feed, but that is not usable: {why}")]
    LinkedNotUsable { url: String, why: FeedFailure },
}

impl LocateError {
    /// The failure as it is told to people, in their language.
    pub fn failure(&self) -> LocateFailure {
        match self {
            LocateError::Fetch(e) => LocateFailure::Feed(e.failure()),
            LocateError::NotAFeed(e) => LocateFailure::Feed(e.failure()),
            LocateError::NotModified => LocateFailure::NotModified,
            LocateError::NoFeedOnPage { .. } => LocateFailure::NoFeedOnPage,
            LocateError::LinkedNotUsable { url, why } => LocateFailure::LinkedNotUsable {
                url: url.clone(),
                why: why.clone(),
            },
        }
    }
}

/// Whether a body that did not parse as a feed is an HTML page worth looking into.
pub fn looks_like_html(bytes: &[u8], content_type: Option<&str>) -> bool {
    if content_type.is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("text/html") || t.starts_with("application/xhtml+xml")
    }) {
        return true;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.contains("<html") || head.contains("<head")
}

/// The feed links an HTML page names in `<link rel="alternate" type="…" href="…">` tags,
/// resolved against the page's `<base href>` or else its own address, in page order, without
/// repeats. Only http(s) links are kept.
pub fn feed_links(html: &[u8], page: &Url) -> Vec<FeedLink> {
    let mut base = page.clone();
    let mut links: Vec<FeedLink> = Vec::new();
    for token in Tokenizer::new(html).flatten() {
        let Token::StartTag(tag) = token else { continue };
        let attribute = |name: &str| -> Option<String> {
            tag.attributes
                .get(name.as_bytes())
                .map(|value| String::from_utf8_lossy(value).trim().to_string())
        };
        match tag.name.as_slice() {
            b"base" => {
                if let Some(href) = attribute("href").and_then(|href| page.join(&href).ok()) {
                    base = href;
                }
            }
            b"link" => {
                let rel = attribute("rel").unwrap_or_default().to_ascii_lowercase();
                let kind = attribute("type").unwrap_or_default().to_ascii_lowercase();
                let kind = kind.split(';').next().unwrap_or_default().trim();
                if !rel.split_ascii_whitespace().any(|r| r == "alternate") || !FEED_TYPES.contains(&kind) {
                    continue;
                }
                let Some(url) = attribute("href").and_then(|href| base.join(&href).ok()) else {
                    continue;
                };
                if !matches!(url.scheme(), "http" | "https") || links.iter().any(|l| l.url == url) {
                    continue;
                }
                let title = attribute("title")
                    .map(|t| truncate_chars(&plain_text(&t), 100))
                    .filter(|t| !t.is_empty());
                links.push(FeedLink { url, title });
                if links.len() == MAX_LINKS {
                    break;
                }
            }
            _ => {}
        }
    }
    links
}

/// The usual feed paths on `page`'s own site (same scheme, host and port).
pub fn usual_paths(page: &Url) -> Vec<Url> {
    if !matches!(page.scheme(), "http" | "https") {
        return Vec::new();
    }
    USUAL_PATHS
        .iter()
        .filter_map(|path| page.join(path).ok())
        .filter(|url| url != page)
        .collect()
}

/// Turns a fetched body and its final URL into a feed; the caller decides where parsing runs
/// (inline for the command line, on the blocking pool for the bot).
pub trait ParseFeed: Sync {
    fn parse(&self, bytes: Vec<u8>, final_url: String) -> impl Future<Output = Result<ParsedFeed, ParseError>> + Send;
}

/// Parses on the calling task, stamping items as seen at `now`.
pub struct ParseInline {
    pub now: chrono::DateTime<chrono::Utc>,
    pub max_items: usize,
}

impl ParseFeed for ParseInline {
    async fn parse(&self, bytes: Vec<u8>, final_url: String) -> Result<ParsedFeed, ParseError> {
        super::parse::parse_feed(&bytes, &final_url, None, self.now, self.max_items)
    }
}

/// Fetches `source`; if it is a feed, that is the answer. If it is an HTML page instead, the
/// page's feed links are read: one is fetched and checked, several are returned for a person to
/// choose from, and with none the [`USUAL_PATHS`] are tried in order.
pub async fn locate_feed<P: ParseFeed>(
    client: &FeedClient,
    source: &FeedSource,
    parse: &P,
) -> Result<Located, LocateError> {
    let (final_url, bytes, content_type) = match client.fetch(source, None).await {
        Ok(Fetched::Body {
            final_url,
            bytes,
            content_type,
            ..
        }) => (final_url, bytes, content_type),
        Ok(Fetched::NotModified { .. }) => return Err(LocateError::NotModified),
        Err(e) => return Err(LocateError::Fetch(e)),
    };
    let not_a_feed = match parse.parse(bytes.clone(), final_url.clone()).await {
        Ok(feed) => {
            return Ok(Located::Feed {
                url: source.url(),
                feed,
                found: Found::Given,
            })
        }
        Err(e) => e,
    };
    // Only a page fetched over HTTP is looked into: a local file is what the operator named.
    let page_url = match (source, Url::parse(&final_url)) {
        (FeedSource::Http(_), Ok(url)) if looks_like_html(&bytes, content_type.as_deref()) => url,
        _ => return Err(LocateError::NotAFeed(not_a_feed)),
    };
    let page = source.url();
    let mut links = feed_links(&bytes, &page_url);
    if links.len() > 1 {
        return Ok(Located::Several { page, links });
    }
    if let Some(link) = links.pop() {
        let url = link.url.to_string();
        return match fetch_feed(client, &link.url, parse).await {
            Ok(feed) => Ok(Located::Feed {
                url,
                feed,
                found: Found::Linked { page },
            }),
            Err(why) => Err(LocateError::LinkedNotUsable { url, why }),
        };
    }
    for candidate in usual_paths(&page_url) {
        match fetch_feed(client, &candidate, parse).await {
            Ok(feed) => {
                return Ok(Located::Feed {
                    url: candidate.to_string(),
                    feed,
                    found: Found::UsualPath { page },
                })
            }
            Err(why) => tracing::debug!(candidate = %candidate, %why, "not a feed"),
        }
    }
    Err(LocateError::NoFeedOnPage { page })
}

/// Fetches `url` and parses it as a feed; any failure is told as its reason.
async fn fetch_feed<P: ParseFeed>(client: &FeedClient, url: &Url, parse: &P) -> Result<ParsedFeed, FeedFailure> {
    match client.fetch(&FeedSource::Http(url.clone()), None).await {
        Ok(Fetched::Body { final_url, bytes, .. }) => parse.parse(bytes, final_url).await.map_err(|e| e.failure()),
        Ok(Fetched::NotModified { .. }) => Err(FeedFailure::HttpStatus { code: 304 }),
        Err(e) => Err(e.failure()),
    }
}

/// The longest title read off a page for the evidence ledger.
const TITLE_CHARS: usize = 200;

/// A page's own title for a person: its `og:title`, else its `<title>`, as plain text (markup
/// and entities resolved, whitespace folded), shortened. `None` when the page has neither.
pub fn page_title(html: &[u8]) -> Option<String> {
    let mut og_title = None;
    let mut title = String::new();
    let mut in_title = false;
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::StartTag(tag) if tag.name.as_slice() == b"meta" => {
                let attribute = |name: &str| {
                    tag.attributes
                        .get(name.as_bytes())
                        .map(|v| String::from_utf8_lossy(v).to_string())
                };
                let names_og = attribute("property")
                    .or_else(|| attribute("name"))
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("og:title"));
                if names_og && og_title.is_none() {
                    og_title = attribute("content").filter(|c| !c.trim().is_empty());
                }
            }
            Token::StartTag(tag) if tag.name.as_slice() == b"title" => in_title = title.is_empty(),
            Token::EndTag(tag) if tag.name.as_slice() == b"title" => in_title = false,
            Token::String(text) if in_title => title.push_str(&String::from_utf8_lossy(&text)),
            Token::StartTag(tag) if tag.name.as_slice() == b"body" && og_title.is_some() => break,
            _ => {}
        }
    }
    [og_title.unwrap_or_default(), title]
        .into_iter()
        .map(|t| truncate_chars(&plain_text(&t), TITLE_CHARS))
        .find(|t| !t.is_empty())
}

/// What a link a member brings to the ledger turns out to be.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRead {
    /// The story's own address: the page after redirects, or a feed's newest item's link.
    pub url: String,
    pub title: String,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ReadPageError {
    #[error("{0}")]
    Fetch(FetchError),
    #[error("the server answered 304 Not Modified to a plain request")]
    NotModified,
    #[error("the page has no title to show")]
    NoTitle,
    #[error("the feed has no item with a title")]
    EmptyFeed,
}

/// Fetches a link a member brings, through the same guarded client as feeds: an HTML page gives
/// its title; a feed gives its newest item.
pub async fn read_page<P: ParseFeed>(client: &FeedClient, url: &Url, parse: &P) -> Result<PageRead, ReadPageError> {
    let (final_url, bytes, content_type) = match client.fetch(&FeedSource::Http(url.clone()), None).await {
        Ok(Fetched::Body {
            final_url,
            bytes,
            content_type,
            ..
        }) => (final_url, bytes, content_type),
        Ok(Fetched::NotModified { .. }) => return Err(ReadPageError::NotModified),
        Err(e) => return Err(ReadPageError::Fetch(e)),
    };
    if !looks_like_html(&bytes, content_type.as_deref()) {
        if let Ok(feed) = parse.parse(bytes.clone(), final_url.clone()).await {
            let newest = feed
                .items
                .into_iter()
                .filter(|item| !item.title.is_empty())
                .max_by_key(|item| item.published.unwrap_or(item.seen_at));
            let item = newest.ok_or(ReadPageError::EmptyFeed)?;
            return Ok(PageRead {
                url: item.url.unwrap_or(final_url),
                title: truncate_chars(&item.title, TITLE_CHARS),
            });
        }
    }
    let title = page_title(&bytes).ok_or(ReadPageError::NoTitle)?;
    Ok(PageRead { url: final_url, title })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_title_is_its_og_title_else_its_title_as_plain_text() {
        let og = br#"<html><head><title>Site | Post</title>
            <meta property="og:title" content="Agents &amp; <b>tools</b> ship">
            </head><body><h1>x</h1></body></html>"#;
        assert_eq!(page_title(og).as_deref(), Some("Agents & tools ship"));
        let plain = b"<html><head><title>\n  A   <em>plain</em> title &lt;3 </title></head></html>";
        assert_eq!(page_title(plain).as_deref(), Some("A plain title <3"));
        let empty_og = br#"<head><meta property="og:title" content="  "><title>Fallback</title></head>"#;
        assert_eq!(page_title(empty_og).as_deref(), Some("Fallback"));
        assert_eq!(page_title(b"<html><body>no title</body></html>"), None);
        let long = format!("<title>{}</title>", "w".repeat(500));
        assert_eq!(page_title(long.as_bytes()).unwrap().chars().count(), TITLE_CHARS);
    }

    fn page() -> Url {
        Url::parse("https://example.org/blog/post.html").unwrap()
    }

    #[test]
    fn alternate_feed_links_are_read_resolved_and_deduplicated() {
        let html = br#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <LINK REL="Alternate" TYPE="application/rss+xml" TITLE="Posts &amp; notes" HREF="/feed.xml">
            <link rel="alternate feed" type="application/atom+xml; charset=utf-8" href="atom.xml" title="<b>Atom</b>">
            <link rel="alternate" type="application/feed+json" href="https://cdn.example.net/feed.json">
            <link rel="alternate" type="application/rss+xml" href="/feed.xml">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            </head><body></body></html>"#;
        let links = feed_links(html, &page());
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://example.org/feed.xml",
                "https://example.org/blog/atom.xml",
                "https://cdn.example.net/feed.json"
            ]
        );
        assert_eq!(links[0].title.as_deref(), Some("Posts & notes"));
        assert_eq!(links[1].title.as_deref(), Some("Atom"));
        assert_eq!(links[2].title, None);
    }

    #[test]
    fn a_base_element_moves_relative_links() {
        let html = br#"<head><base href="https://example.org/news/"><link rel=alternate type=application/rss+xml href=rss></head>"#;
        let links = feed_links(html, &page());
        assert_eq!(links[0].url.as_str(), "https://example.org/news/rss");
    }

    #[test]
    fn a_page_without_feed_links_names_none() {
        let html = b"<html><head><title>Home</title><link rel=icon href=/favicon.ico></head><body><a href=/feed>feed</a></body></html>";
        assert!(feed_links(html, &page()).is_empty());
    }

    #[test]
    fn usual_paths_stay_on_the_pages_site() {
        let urls: Vec<String> = usual_paths(&Url::parse("http://example.org:8080/a/b").unwrap())
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            urls,
            [
                "http://example.org:8080/feed",
                "http://example.org:8080/rss.xml",
                "http://example.org:8080/atom.xml",
                "http://example.org:8080/index.xml"
            ]
        );
        assert!(usual_paths(&Url::parse("file:///tmp/page.html").unwrap()).is_empty());
    }

    #[test]
    fn html_is_told_by_its_type_or_its_first_bytes() {
        assert!(looks_like_html(b"{}", Some("text/html; charset=utf-8")));
        assert!(looks_like_html(b"\xEF\xBB\xBF  <!DOCTYPE html><html>", None));
        assert!(looks_like_html(b"<html lang=en>", Some("application/octet-stream")));
        assert!(!looks_like_html(
            b"<?xml version=\"1.0\"?><rss></rss>",
            Some("text/xml")
        ));
        assert!(!looks_like_html(b"{\"version\": 1}", Some("application/json")));
    }
}
