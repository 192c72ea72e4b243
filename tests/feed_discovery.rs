//! Feed discovery over real HTTP on 127.0.0.1: a site's page names its feed, names several, or
//! names none and serves one at a usual path; every request through the guarded client.

use crate::support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;

use claim_digest::feeds::discover::{locate_feed, Found, LocateError, Located, ParseInline};
use claim_digest::feeds::fetch::FetchLimits;
use claim_digest::feeds::{FeedClient, FeedSource};

const FEED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Site feed</title>
<item><guid>1</guid><title>First story</title><link>https://stories.example/1</link></item></channel></rss>"#;

/// A site: path → (content type, body); anything else is 404. Every request is counted.
#[derive(Clone, Default)]
struct Site {
    pages: Arc<HashMap<&'static str, (&'static str, String)>>,
    asked: Arc<Mutex<Vec<String>>>,
}

async fn serve(State(site): State<Site>, Path(path): Path<String>) -> Response {
    site.asked.lock().unwrap().push(format!("/{path}"));
    match site.pages.get(path.as_str()) {
        Some((kind, body)) => ([(header::CONTENT_TYPE, *kind)], body.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "no such page").into_response(),
    }
}

async fn start(pages: &[(&'static str, &'static str, &str)]) -> (Site, SocketAddr) {
    let site = Site {
        pages: Arc::new(
            pages
                .iter()
                .map(|(path, kind, body)| (*path, (*kind, body.to_string())))
                .collect(),
        ),
        asked: Arc::default(),
    };
    let app = Router::new().route("/{*path}", get(serve)).with_state(site.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (site, addr)
}

fn client() -> FeedClient {
    let limits = FetchLimits {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        max_body_bytes: 1024 * 1024,
        max_redirects: 5,
        max_items: 500,
    };
    // Loopback is where the test's sites are: private addresses allowed, as an intranet's are.
    FeedClient::new(limits, true).unwrap()
}

async fn locate(addr: SocketAddr, path: &str) -> Result<Located, LocateError> {
    let source = FeedSource::parse(&format!("http://{addr}{path}")).unwrap();
    let parse = ParseInline {
        now: Utc::now(),
        max_items: 500,
    };
    locate_feed(&client(), &source, &parse).await
}

fn page_with(links: &str) -> String {
    format!("<!DOCTYPE html><html><head><title>Home</title>{links}</head><body><p>Welcome</p></body></html>")
}

#[tokio::test]
async fn a_page_naming_one_feed_gives_that_feed() {
    let page =
        page_with(r#"<link rel="alternate" type="application/rss+xml" title="Site feed" href="/blog/feed.xml">"#);
    let (site, addr) = start(&[
        ("index.html", "text/html", &page),
        ("blog/feed.xml", "application/rss+xml", FEED),
    ])
    .await;
    let Ok(Located::Feed { url, feed, found }) = locate(addr, "/index.html").await else {
        panic!("the page names a feed")
    };
    assert_eq!(url, format!("http://{addr}/blog/feed.xml"));
    assert_eq!(
        found,
        Found::Linked {
            page: format!("http://{addr}/index.html")
        }
    );
    assert_eq!(feed.items[0].title, "First story");
    assert_eq!(*site.asked.lock().unwrap(), ["/index.html", "/blog/feed.xml"]);
}

#[tokio::test]
async fn a_page_naming_two_feeds_lists_both_and_fetches_neither() {
    let page = page_with(
        r#"<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.xml">
           <link rel="alternate" type="application/atom+xml" title="Comments" href="/comments.atom">"#,
    );
    let (site, addr) = start(&[("index.html", "text/html; charset=utf-8", &page)]).await;
    let Ok(Located::Several { page, links }) = locate(addr, "/index.html").await else {
        panic!("the page names two feeds")
    };
    assert_eq!(page, format!("http://{addr}/index.html"));
    let named: Vec<(String, Option<String>)> = links.iter().map(|l| (l.url.to_string(), l.title.clone())).collect();
    assert_eq!(
        named,
        [
            (format!("http://{addr}/posts.xml"), Some("Posts".to_string())),
            (format!("http://{addr}/comments.atom"), Some("Comments".to_string()))
        ]
    );
    assert_eq!(*site.asked.lock().unwrap(), ["/index.html"]);
}

#[tokio::test]
async fn a_page_naming_none_finds_the_feed_at_a_usual_path_in_order() {
    let page = page_with("");
    let (site, addr) = start(&[("home", "text/html", &page), ("atom.xml", "application/xml", FEED)]).await;
    let Ok(Located::Feed { url, found, .. }) = locate(addr, "/home").await else {
        panic!("the site serves a feed at /atom.xml")
    };
    assert_eq!(url, format!("http://{addr}/atom.xml"));
    assert!(matches!(found, Found::UsualPath { .. }));
    assert_eq!(*site.asked.lock().unwrap(), ["/home", "/feed", "/rss.xml", "/atom.xml"]);
}

#[tokio::test]
async fn a_page_naming_none_on_a_site_without_feeds_says_so() {
    let (site, addr) = start(&[("home", "text/html", &page_with(""))]).await;
    let error = locate(addr, "/home").await.unwrap_err();
    assert!(matches!(error, LocateError::NoFeedOnPage { .. }), "{error:?}");
    assert!(error.to_string().starts_with("not a feed"), "{error}");
    assert_eq!(site.asked.lock().unwrap().len(), 5, "the page and the four usual paths");
}

#[tokio::test]
async fn a_feed_given_directly_is_taken_as_it_is() {
    let (site, addr) = start(&[("feed.xml", "application/rss+xml", FEED)]).await;
    let Ok(Located::Feed { url, found, .. }) = locate(addr, "/feed.xml").await else {
        panic!("a feed")
    };
    assert_eq!((url, found), (format!("http://{addr}/feed.xml"), Found::Given));
    assert_eq!(site.asked.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_page_pointing_at_the_metadata_address_is_refused_without_a_request_there() {
    let page = page_with(
        r#"<link rel="alternate" type="application/rss+xml" href="http://169.254.169.254/latest/meta-data/">"#,
    );
    let (_, addr) = start(&[("index.html", "text/html", &page)]).await;
    match locate(addr, "/index.html").await {
        Err(LocateError::LinkedNotUsable { url, why }) => {
            assert_eq!(url, "http://169.254.169.254/latest/meta-data/");
            assert!(
                matches!(
                    why,
                    claim_digest::domain::records::FeedFailure::RefusedAddress { always: true, .. }
                ),
                "{why:?}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_text_document_that_is_neither_feed_nor_page_is_not_a_feed() {
    let (site, addr) = start(&[("notes.txt", "text/plain", "just some notes")]).await;
    let error = locate(addr, "/notes.txt").await.unwrap_err();
    assert!(matches!(error, LocateError::NotAFeed(_)), "{error:?}");
    assert_eq!(
        site.asked.lock().unwrap().len(),
        1,
        "no usual paths tried for a non-page"
    );
}

#[tokio::test]
async fn a_local_html_file_is_not_looked_into() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    std::fs::write(
        &path,
        page_with(r#"<link rel="alternate" type="application/rss+xml" href="http://127.0.0.1:9/feed">"#),
    )
    .unwrap();
    let parse = ParseInline {
        now: Utc::now(),
        max_items: 500,
    };
    let error = locate_feed(&client(), &FeedSource::File(path), &parse)
        .await
        .unwrap_err();
    assert!(matches!(error, LocateError::NotAFeed(_)), "{error:?}");
}

#[tokio::test]
async fn feed_check_on_the_command_line_follows_a_page_to_its_feed() {
    let page = page_with(r#"<link rel="alternate" type="application/rss+xml" href="/feed.xml">"#);
    let (_, addr) = start(&[
        ("index.html", "text/html", &page),
        ("feed.xml", "application/rss+xml", FEED),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("unused.db").display());
    let input = format!("http://{addr}/index.html");
    let text = support::run_cli(&database, &["feed", "check", "--lang", "en", &input], &[]).await;
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(text.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("✓ {input}: Site feed (1 items)"))
            && stdout.contains(&format!("the page names this feed: http://{addr}/feed.xml"))
            && stdout.contains("First story"),
        "{stdout}"
    );
    let json = support::run_cli(&database, &["feed", "check", "--json", &input], &[]).await;
    let line: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(line["found"], "linked");
    assert_eq!(line["feed_url"], format!("http://{addr}/feed.xml"));
    assert_eq!(line["items"][0]["title"], "First story");
}
