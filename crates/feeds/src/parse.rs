//! Parsing a feed document into clean news items. The parser is guarded: some real documents
//! make feed-rs panic, and no document may take the process down.

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Link};
use url::Url;

use super::repair;
pub use claim_digest_domain::news::ParsedFeed;
use claim_digest_domain::news::{item_identity, story_key_of, NewsItem};
use claim_digest_domain::text::{plain_text, truncate_chars};

/// Longest title and summary we keep, in characters.
const MAX_TITLE_CHARS: usize = 300;
const MAX_SUMMARY_CHARS: usize = 1000;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    #[error("not a feed: {0}")]
    NotAFeed(String),
    #[error("the parser failed on this document (it was contained): {0}")]
    Crashed(String),
}

impl ParseError {
    /// The failure as the bot stores it and tells it to people; the parser's message is detail.
    pub fn failure(&self) -> claim_digest_domain::records::FeedFailure {
        use claim_digest_domain::records::FeedFailure;
        match self {
            ParseError::NotAFeed(detail) => FeedFailure::NotAFeed { detail: detail.clone() },
            ParseError::Crashed(detail) => FeedFailure::ParserCrashed { detail: detail.clone() },
        }
    }
}

/// Parses `bytes` fetched from `feed_url` (the base for relative links). `source_name` names the
/// feed when it has no title; `now` stamps when the items were seen; at most `max_items` are kept.
pub fn parse_feed(
    bytes: &[u8],
    feed_url: &str,
    source_name: Option<&str>,
    now: DateTime<Utc>,
    max_items: usize,
) -> Result<ParsedFeed, ParseError> {
    let base = Url::parse(feed_url).ok();
    let base_uri = base.as_ref().map(Url::as_str);
    // One text view of the document, repaired up front where a parse would silently lose data;
    // other repairs are tried only when the first parse fails or finds an empty Atom 0.3 feed.
    let text = repair::prepare(bytes);
    let feed = match guarded_parse(base_uri, text.as_bytes()) {
        Ok(feed) if feed.entries.is_empty() && repair::is_atom03(&text) => match repair::repair_structure(&text) {
            Some(fixed) => guarded_parse(base_uri, fixed.as_bytes()).unwrap_or(feed),
            None => feed,
        },
        Ok(feed) => feed,
        Err(first) => match repair::repair_structure(&text) {
            Some(fixed) => guarded_parse(base_uri, fixed.as_bytes()).map_err(|_| first)?,
            None => return Err(first),
        },
    };
    let title = feed.title.as_ref().map(text_of).filter(|t| !t.is_empty());
    let source = source_name
        .map(plain_text)
        .filter(|s| !s.is_empty())
        .or_else(|| title.clone())
        .or_else(|| base.as_ref().and_then(|b| b.host_str().map(str::to_string)))
        .unwrap_or_else(|| "feed".into());
    let source = truncate_chars(&source, 100);
    let items = feed
        .entries
        .iter()
        .take(max_items)
        .filter_map(|entry| entry_to_item(entry, feed_url, base.as_ref(), &source, now))
        .collect();
    let link = best_link(&feed.links, base.as_ref()).map(String::from);
    let updated = feed.updated.or(feed.published);
    Ok(ParsedFeed {
        title,
        link,
        updated,
        items,
    })
}

fn text_of(text: &feed_rs::model::Text) -> String {
    plain_text(&text.content)
}

/// One parse with a fresh parser (feed-rs keeps state between parses, and a failed parse can
/// leave it in a state the next one trips on), any panic inside turned into an error.
fn guarded_parse(base_uri: Option<&str>, bytes: &[u8]) -> Result<feed_rs::model::Feed, ParseError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base_uri)
        // An empty id marks "the document gave none"; we derive our own identity instead of the
        // parser's generated one, which is random for entries without a link.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(parse_timestamp)
        .build();
    match catch_unwind(AssertUnwindSafe(|| parser.parse(bytes))) {
        Ok(Ok(feed)) => Ok(feed),
        // Both messages can quote the document (a JSON feed's "version", say): the feed's own
        // text, shown to operators and moderators, so cleaned and bounded like any feed text.
        Ok(Err(e)) => Err(ParseError::NotAFeed(truncate_chars(&plain_text(&e.to_string()), 200))),
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(ParseError::Crashed(truncate_chars(&plain_text(&why), 200)))
        }
    }
}

/// A feed's date. feed-rs's own parser runs about eight regular-expression repairs over every
/// date before its first attempt, which made dates a fifth of our whole parse. Nearly every
/// date is well-formed RFC 3339 (Atom, JSON Feed) or RFC 2822 (RSS); those parse strictly here,
/// and none of feed-rs's repairs applies to a well-formed date, so the instant is the same. Only
/// the rest goes to feed-rs's lenient parser.
fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let trimmed = text.trim();
    DateTime::parse_from_rfc3339(trimmed)
        .or_else(|_| DateTime::parse_from_rfc2822(trimmed))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| lenient_timestamp(text))
}

/// feed-rs's lenient date parser, reached through its public API (the function itself is
/// private): a one-item JSON Feed carrying the date, which feed-rs parses with it.
fn lenient_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let doc = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "",
        "items": [{ "id": "-", "date_published": text }],
    });
    let feed = feed_rs::parser::parse(doc.to_string().as_bytes()).ok()?;
    feed.entries.first()?.published
}

fn entry_to_item(
    entry: &Entry,
    feed_url: &str,
    base: Option<&Url>,
    source: &str,
    now: DateTime<Utc>,
) -> Option<NewsItem> {
    // Like feedparser: with no link, a guid that is itself a web address is the entry's page.
    let link = best_link(&entry.links, base).or_else(|| {
        url::Url::parse(entry.id.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    });
    let story = link.as_ref().and_then(story_key_of);
    let link = link.map(String::from);
    let raw_title = entry.title.as_ref().map(text_of).unwrap_or_default();
    let summary = entry
        .summary
        .as_ref()
        .map(text_of)
        .filter(|s| !s.is_empty())
        .or_else(|| entry.content.as_ref().and_then(|c| c.body.as_deref()).map(plain_text))
        .map(|s| truncate_chars(&s, MAX_SUMMARY_CHARS))
        .unwrap_or_default();
    // An entry with neither title nor summary has nothing to show.
    // An untitled entry is shown by its summary, else by its link. With neither, the title stays
    // empty: `feed check` still lists the entry, but it is never stored or shown.
    let title = match (raw_title.is_empty(), summary.is_empty(), &link) {
        (false, _, _) => raw_title,
        (true, false, _) => truncate_chars(&summary, 120),
        (true, true, Some(link)) => truncate_chars(link, 120),
        (true, true, None) => String::new(),
    };
    // A date in the future is a feed's mistake; it would pin the item to the top of every window.
    let published = entry.published.or(entry.updated).map(|d| d.min(now));
    let guid = Some(entry.id.as_str()).filter(|id| !id.trim().is_empty());
    let identity = item_identity(feed_url, guid, story.as_deref(), &title, published);
    Some(NewsItem {
        identity,
        story_key: story,
        title: truncate_chars(&title, MAX_TITLE_CHARS),
        url: link,
        summary,
        source: source.to_string(),
        published,
        seen_at: now,
    })
}

/// The entry's page: an `alternate` (or unlabelled) link, resolved against the feed's URL,
/// kept only if it is http(s).
fn best_link(links: &[Link], base: Option<&Url>) -> Option<Url> {
    let ranked = links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .chain(links.iter());
    for link in ranked {
        let href = link.href.trim();
        let resolved = match base {
            Some(b) => b.join(href).ok(),
            None => Url::parse(href).ok(),
        };
        if let Some(u) = resolved.filter(|u| matches!(u.scheme(), "http" | "https")) {
            return Some(u);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Demo &amp; Co</title><link>https://demo.example/</link>
<item><title>First &lt;b&gt;bold&lt;/b&gt; story</title><link>/news/1</link><guid isPermaLink="false">a-1</guid>
<description>&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;</description><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>No guid here</title><link>https://demo.example/news/2?utm_source=rss</link></item>
<item><title>No guid, no link</title><pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>From the future</title><link>javascript:alert(1)</link><pubDate>Wed, 25 Nov 2099 10:00:00 GMT</pubDate></item>
</channel></rss>"#;

    #[test]
    fn a_parse_error_quoting_the_document_is_cleaned_and_bounded() {
        // feed-rs quotes a JSON feed's version in its error: here terminal escapes, a newline and
        // a long tail, as a hostile feed would write them.
        let version = format!(
            "\\u001b[31mRED\\u001b]0;owned\\u0007\\nsecond line {}",
            "x".repeat(5_000)
        );
        let doc = format!(r#"{{"version": "{version}", "title": "T", "items": []}}"#);
        let Err(ParseError::NotAFeed(why)) =
            parse_feed(doc.as_bytes(), "https://hostile.example/feed.json", None, now(), 500)
        else {
            panic!("a JSON feed of an unknown version is not a feed");
        };
        assert!(why.contains("RED"), "the error still says what it is: {why}");
        assert!(!why.chars().any(char::is_control), "{why:?}");
        assert!(why.chars().count() <= 200, "{} characters", why.chars().count());
    }

    #[test]
    fn entries_become_clean_items_with_stable_identity() {
        let feed = parse_feed(RSS.as_bytes(), "https://demo.example/feed.xml", None, now(), 500).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Demo & Co"));
        let items = &feed.items;
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].title, "First bold story");
        assert_eq!(items[0].url.as_deref(), Some("https://demo.example/news/1"));
        assert_eq!(items[0].summary, "Hello & welcome");
        assert_eq!(items[0].source, "Demo & Co");
        assert!(items[0].identity.starts_with("guid:"));
        assert!(items[1].identity.starts_with("link:"));
        assert!(items[2].identity.starts_with("hash:"));
        assert_eq!(items[3].url, None, "only http(s) links are kept");
        assert_eq!(items[3].published, Some(now()), "future dates are clamped");
        // Parsing again gives the same identities: nothing random.
        let again = parse_feed(RSS.as_bytes(), "https://demo.example/feed.xml", None, now(), 500).unwrap();
        let ids = |f: &ParsedFeed| f.items.iter().map(|i| i.identity.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&feed), ids(&again));
    }

    #[test]
    fn item_cap_and_configured_name() {
        let feed = parse_feed(
            RSS.as_bytes(),
            "https://demo.example/feed.xml",
            Some("My <i>name</i>"),
            now(),
            2,
        )
        .unwrap();
        assert_eq!(feed.items.len(), 2);
        assert_eq!(feed.items[0].source, "My name");
    }

    #[test]
    fn json_feed_and_atom_work() {
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://j.example/1","title":"Json item","content_text":"text"}]}"#;
        let feed = parse_feed(json.as_bytes(), "https://j.example/feed.json", None, now(), 500).unwrap();
        assert_eq!(feed.items[0].title, "Json item");
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2026-11-20T00:00:00Z</updated>
<entry><title type="html">&lt;i&gt;Atom&lt;/i&gt; entry</title><id>urn:a:1</id><updated>2026-11-20T00:00:00Z</updated><link href="e/1"/></entry></feed>"#;
        let feed = parse_feed(atom.as_bytes(), "https://a.example/x/feed.atom", None, now(), 500).unwrap();
        assert_eq!(feed.items[0].title, "Atom entry");
        assert_eq!(feed.items[0].url.as_deref(), Some("https://a.example/x/e/1"));
    }

    #[test]
    fn a_repaired_retry_parses_after_a_failed_first_attempt() {
        // An empty type fails the first parse; the retry must not inherit the failed parse's state.
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="">evil</title></entry></feed>"#;
        let feed = parse_feed(atom.as_bytes(), "https://a.example/", None, now(), 500).unwrap();
        assert_eq!(feed.items[0].title, "evil");
    }

    #[test]
    fn base64_text_constructs_are_decoded() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="application/octet-stream">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title><entry><title>x</title><id>1</id></entry></feed>"#;
        let feed = parse_feed(atom.as_bytes(), "https://a.example/", None, now(), 500).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Example Atom"));
    }

    /// The title (or first item's title) and the first item's summary of `doc`.
    fn read(doc: &str) -> (Option<String>, Vec<(String, String)>) {
        let feed = parse_feed(doc.as_bytes(), "https://t.example/feed", None, now(), 500).unwrap();
        (
            feed.title,
            feed.items.into_iter().map(|i| (i.title, i.summary)).collect(),
        )
    }

    #[test]
    fn titles_read_as_readers_show_them() {
        // RSS 2.0 and RSS 1.0 titles holding naked HTML: the text, not empty, not the link.
        let rss = r#"<rss version="2.0"><channel><title><b>Naked</b> channel</title><item><title><p>Item Title</p></title><link>https://t.example/1</link><description><p>Some <em>body</em></p></description></item></channel></rss>"#;
        let (title, items) = read(rss);
        assert_eq!(title.as_deref(), Some("Naked channel"));
        assert_eq!(items, [("Item Title".to_string(), "Some body".to_string())]);
        let rdf = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://t.example/"><title>C</title><link>https://t.example/</link></channel><item rdf:about="https://t.example/1"><title><p>Item Title</p></title><link>https://t.example/1</link></item></rdf:RDF>"#;
        assert_eq!(read(rdf).1[0].0, "Item Title");
        // XHTML titles keep their links' text and escaped text.
        let xhtml = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Read <a href="https://t.example/">the &lt;blink&gt; story</a> now</div></title><id>f</id><entry><id>1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href="/x">Linked</a> entry</div></title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body <a href="/y">with link</a></p></div></content></entry></feed>"#;
        let (title, items) = read(xhtml);
        assert_eq!(title.as_deref(), Some("Read the <blink> story now"));
        assert_eq!(items, [("Linked entry".to_string(), "Body with link".to_string())]);
        // Atom 0.3's modes: base64, escaped, xml; and a naked-markup title.
        let atom03 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title mode="base64">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title>
<entry><title type="text/html" mode="escaped">&lt;i&gt;Escaped&lt;/i&gt; title</title><summary mode="base64">PHA+QmFzZTY0IHN1bW1hcnk8L3A+</summary></entry>
<entry><title type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">Xml <a href="/z">mode</a></div></title></entry>
<entry><title>Example <b>Atom</b></title><content type="text/html" mode="escaped">&lt;p&gt;Escaped content&lt;/p&gt;</content></entry></feed>"#;
        let (title, items) = read(atom03);
        assert_eq!(title.as_deref(), Some("Example Atom"));
        let titles: Vec<&str> = items.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(titles, ["Escaped title", "Xml mode", "Example Atom"]);
        assert_eq!(items[0].1, "Base64 summary");
        assert_eq!(items[2].1, "Escaped content");
        // A draft namespace before Atom 0.3 still reads as Atom.
        let pie = r#"<feed version="0.3" xmlns="http://purl.org/pie/"><title>Pie feed</title></feed>"#;
        assert_eq!(read(pie).0.as_deref(), Some("Pie feed"));
    }

    #[test]
    fn garbage_is_an_error_not_a_crash() {
        let err = parse_feed(b"hello world", "https://x.example/", None, now(), 500).unwrap_err();
        assert!(matches!(err, ParseError::NotAFeed(_)), "{err}");
        let mut utf16 = vec![0xFE, 0xFF];
        for unit in
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>x</title></channel></rss>"
                .encode_utf16()
        {
            utf16.extend(unit.to_be_bytes());
        }
        // This shape made feed-rs panic when handed as is; re-encoded first, it parses.
        let feed = parse_feed(&utf16, "https://x.example/", None, now(), 500).unwrap();
        assert_eq!(feed.title.as_deref(), Some("x"));
    }

    /// The published date feed-rs's default parser finds in an RSS item carrying `date`.
    fn feed_rs_date(date: &str) -> Option<DateTime<Utc>> {
        let rss = format!(
            "<rss version=\"2.0\"><channel><item><title>t</title><pubDate>{date}</pubDate></item></channel></rss>"
        );
        feed_rs::parser::parse(rss.as_bytes()).unwrap().entries[0].published
    }

    #[test]
    fn dates_parse_to_the_same_instant_as_feed_rs_lenient_parser() {
        let dates = [
            // Well-formed: the strict path.
            "Tue, 24 Nov 2026 10:00:00 GMT",
            "Tue, 24 Nov 2026 10:00:00 +0130",
            "24 Nov 2026 10:00:00 -0000",
            "Tue, 24 Nov 2026 10:00:00 EST",
            "2026-11-24T10:00:00Z",
            "2026-11-24T10:00:00.123456+05:30",
            "2026-11-24T10:00:00-05:00",
            "  2026-11-24T10:00:00Z\n",
            // Malformed in the ways feeds are: the lenient path.
            "Tue, 24 Nov 2026 10:00:00 UTC",
            "Thurs, 13 Jul 2011 07:38:00 GMT",
            "Sat, 25 Aug 2012 10:00:00 GMT",
            "Wed, 25 Aug 2012 10:00:00 GMT",
            "Tuesday, 24 November 2026 10:00:00 GMT",
            "Nov 24 2026 10:00:00 GMT",
            "Tue, 24 Nov 2026 24:10:00 GMT",
            "Tue, 24 Nov 2026 9:10:00 GMT",
            "Tue, 24 Nov 2026 10:00:00 Z",
            "2026-11-24T10:00:00+0530",
            "2026-11-24",
            "2026-11-24 10:00:00Z",
            "24 Nov 2026",
            "yesterday",
            "",
        ];
        for date in dates {
            assert_eq!(parse_timestamp(date), feed_rs_date(date), "{date:?}");
        }
        let parsed = dates.iter().filter(|d| parse_timestamp(d).is_some()).count();
        assert!(parsed >= 15, "only {parsed} dates parsed: the comparison says little");
        assert_eq!(
            parse_timestamp("Wed, 25 Nov 2026 10:00:00 +0100"),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap())
        );
    }

    /// Every date in the shared feed corpus (when it is there) comes out as feed-rs's default
    /// parser reads it.
    #[test]
    fn dates_match_feed_rs_across_the_feed_corpus() {
        let corpus = std::env::var_os("FEED_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/feeds"));
        let Ok(walk) = corpus_documents(&corpus) else {
            eprintln!("feed corpus not found at {}; skipped", corpus.display());
            return;
        };
        let dates = |feed: &feed_rs::model::Feed| {
            let mut all = vec![feed.updated, feed.published];
            all.extend(feed.entries.iter().flat_map(|e| [e.updated, e.published]));
            all
        };
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let (mut compared, mut with_dates) = (0, 0);
        for path in walk {
            let bytes = std::fs::read(&path).unwrap();
            let default = catch_unwind(|| feed_rs::parser::parse(bytes.as_slice()));
            let Ok(Ok(expected)) = default else { continue };
            let ours = guarded_parse(None, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(dates(&ours), dates(&expected), "{}", path.display());
            compared += 1;
            with_dates += usize::from(dates(&expected).iter().any(Option::is_some));
        }
        std::panic::set_hook(hook);
        assert!(
            compared > 1000 && with_dates > 50,
            "{compared} documents, {with_dates} with dates"
        );
    }

    fn corpus_documents(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if path.is_dir() && !name.starts_with('_') {
                out.extend(corpus_documents(&path)?);
            } else if [".xml", ".rdf", ".json"].iter().any(|ext| name.ends_with(ext)) {
                out.push(path);
            }
        }
        Ok(out)
    }
}
