//! Each ingestion rule against a local server on 127.0.0.1: timeouts, size caps, gzip bombs,
//! redirects, private addresses, conditional requests, Retry-After, encodings, per-host limits.

use crate::support;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;

use claim_digest::config::Config;
use claim_digest::domain::claims::ClaimSet;
use claim_digest::domain::digest::NewsCount;
use claim_digest::domain::records::FeedFailure;
use claim_digest::feeds::discover::Located;
use claim_digest::feeds::fetch::{FetchError, FetchLimits, Fetched};
use claim_digest::feeds::guard::{AddressPolicy, Lookup};
use claim_digest::feeds::{FeedCatalog, FeedClient, FeedSource};
use claim_digest::services::ingest::IngestOutcome;
use claim_digest::services::App;
use claim_digest::store::Store;

const FEED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Safe feed</title>
<item><guid>1</guid><title>An item</title><link>https://stories.example/1</link></item></channel></rss>"#;

#[derive(Clone, Default)]
struct Server {
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    seen_if_none_match: Arc<Mutex<Vec<String>>>,
    port: Arc<Mutex<u16>>,
    /// Requests to `/feed`, `/counted` and the redirects, in all.
    hits: Arc<AtomicUsize>,
}

async fn start() -> (Server, SocketAddr) {
    let server = Server::default();
    let app = Router::new()
        .route(
            "/feed",
            get(|State(s): State<Server>| async move {
                s.hits.fetch_add(1, Ordering::SeqCst);
                ([(header::CONTENT_TYPE, "application/rss+xml")], FEED)
            }),
        )
        .route(
            "/to-metadata",
            get(|| async { redirect("http://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/to-metadata-name",
            get(|| async { redirect("http://metadata.google.internal/computeMetadata/v1/") }),
        )
        .route(
            "/to-metadata-v6",
            get(|| async { redirect("http://[fd00:ec2::254]/latest") }),
        )
        .route("/to-disguised-metadata", get(to_disguised_metadata))
        .route("/slow", get(slow))
        .route("/endless", get(endless))
        .route("/bomb", get(bomb))
        .route("/loop-a", get(|| async { redirect("/loop-b") }))
        .route("/loop-b", get(|| async { redirect("/loop-a") }))
        .route("/to-loopback", get(to_loopback))
        .route("/to-localhost", get(to_localhost))
        .route("/etag", get(etag))
        .route(
            "/busy",
            get(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "3600")],
                    "slow down",
                )
            }),
        )
        .route("/utf16", get(utf16))
        .route("/counted", get(counted))
        .route("/located", get(located))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    *server.port.lock().unwrap() = addr.port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (server, addr)
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

async fn to_loopback(State(s): State<Server>) -> Response {
    s.hits.fetch_add(1, Ordering::SeqCst);
    redirect(&format!("http://127.0.0.1:{}/feed", s.port.lock().unwrap()))
}

/// A redirect to a public-looking name that the test's resolver points at 169.254.169.254.
async fn to_disguised_metadata(State(s): State<Server>) -> Response {
    s.hits.fetch_add(1, Ordering::SeqCst);
    redirect("http://cdn.news.example/latest/meta-data/")
}

async fn to_localhost(State(s): State<Server>) -> Response {
    redirect(&format!("http://localhost:{}/feed", s.port.lock().unwrap()))
}

async fn slow() -> Response {
    let chunks = futures_util::stream::unfold(0u32, |n| async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        (n < 50).then(|| {
            (
                Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<!-- still here -->")),
                n + 1,
            )
        })
    });
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        Body::from_stream(chunks),
    )
        .into_response()
}

async fn endless() -> Response {
    let chunks =
        futures_util::stream::repeat_with(|| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; 16 * 1024])));
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        Body::from_stream(chunks),
    )
        .into_response()
}

async fn bomb() -> Response {
    // 64 MiB of spaces compress to about 64 KiB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&block).unwrap();
    }
    let body = encoder.finish().unwrap();
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        body,
    )
        .into_response()
}

async fn etag(State(s): State<Server>, headers: HeaderMap) -> Response {
    if let Some(v) = headers.get(header::IF_NONE_MATCH) {
        s.seen_if_none_match
            .lock()
            .unwrap()
            .push(v.to_str().unwrap().to_string());
        if v == "\"v1\"" {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, "\"v1\"")]).into_response();
        }
    }
    (
        [(header::ETAG, "\"v1\""), (header::CACHE_CONTROL, "max-age=7200")],
        FEED,
    )
        .into_response()
}

async fn utf16() -> Response {
    // A UTF-16 (big-endian) document with a byte-order mark that declares another encoding.
    let text = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\"><channel><title>Überschrift 标题</title><item><guid>u1</guid><title>Grüße aus 北京</title></item></channel></rss>";
    let mut body = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        body.extend(unit.to_be_bytes());
    }
    ([(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

async fn located() -> Response {
    let feed = r#"<rss version="2.0"><channel><title>L</title><item><guid>l1</guid><title>Relative</title><link>item/1</link></item></channel></rss>"#;
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml"),
            (header::CONTENT_LOCATION, "http://stories.example/base/"),
        ],
        feed,
    )
        .into_response()
}

async fn counted(State(s): State<Server>) -> Response {
    s.hits.fetch_add(1, Ordering::SeqCst);
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    FEED.into_response()
}

fn limits() -> FetchLimits {
    FetchLimits {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        max_body_bytes: 1024 * 1024,
        max_redirects: 5,
        max_items: 500,
    }
}

fn url(addr: SocketAddr, path: &str) -> FeedSource {
    FeedSource::parse(&format!("http://{addr}{path}")).unwrap()
}

async fn fetch(client: &FeedClient, addr: SocketAddr, path: &str) -> Result<Fetched, FetchError> {
    client.fetch(&url(addr, path), None).await
}

#[tokio::test]
async fn slow_endless_and_compressed_bodies_stop_at_their_limits() {
    let (_, addr) = start().await;
    let client = FeedClient::new(limits(), true).unwrap();
    let err = fetch(&client, addr, "/slow").await.unwrap_err();
    assert_eq!(err, FetchError::Timeout(2));
    assert!(err.to_string().contains("FEED_REQUEST_TIMEOUT_SECS"), "{err}");
    let err = fetch(&client, addr, "/endless").await.unwrap_err();
    assert_eq!(err, FetchError::TooLarge { limit: 1024 * 1024 });
    assert!(err.to_string().contains("FEED_MAX_BYTES"));
    let err = fetch(&client, addr, "/bomb").await.unwrap_err();
    assert_eq!(
        err,
        FetchError::TooLarge { limit: 1024 * 1024 },
        "the cap applies after decompression"
    );
    assert!(matches!(
        fetch(&client, addr, "/feed").await.unwrap(),
        Fetched::Body { .. }
    ));
}

#[tokio::test]
async fn redirect_loops_and_private_addresses_are_refused() {
    let (_, addr) = start().await;
    let open = FeedClient::new(limits(), true).unwrap();
    let err = fetch(&open, addr, "/loop-a").await.unwrap_err();
    assert_eq!(err, FetchError::TooManyRedirects(5));
    assert!(err.to_string().contains("FEED_MAX_REDIRECTS"));
    // With FEED_ALLOW_PRIVATE on, a redirect to loopback is followed.
    assert!(matches!(
        fetch(&open, addr, "/to-loopback").await.unwrap(),
        Fetched::Body { .. }
    ));

    // Off (the default): "public.test" stands for a public host that redirects inward.
    let guarded = FeedClient::with_pinned_hosts(limits(), false, &[("public.test", addr)]).unwrap();
    let public = |path: &str| FeedSource::parse(&format!("http://public.test:{}{path}", addr.port())).unwrap();
    assert!(matches!(
        guarded.fetch(&public("/feed"), None).await.unwrap(),
        Fetched::Body { .. }
    ));
    for path in ["/to-loopback", "/to-localhost"] {
        let err = guarded.fetch(&public(path), None).await.unwrap_err();
        assert!(matches!(err, FetchError::Blocked(_)), "{path}: {err}");
        assert!(err.to_string().contains("FEED_ALLOW_PRIVATE"), "{err}");
    }
    for direct in [
        "http://127.0.0.1:9/feed",
        "http://[::1]:9/feed",
        "http://[::ffff:127.0.0.1]:9/feed",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/",
    ] {
        let err = guarded
            .fetch(&FeedSource::parse(direct).unwrap(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Blocked(_)), "{direct}: {err}");
    }
    let err = guarded
        .fetch(
            &FeedSource::parse(&format!("http://localhost:{}/feed", addr.port())).unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Blocked(_)),
        "a name that resolves to loopback: {err}"
    );
}

/// The services on a fresh in-memory database, and a handle on that database for the checks.
async fn app() -> (App, Store) {
    let config = Config::from_lookup(|k| (k == "FEED_ALLOW_PRIVATE").then(|| "true".to_string())).unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let store = Store::in_memory().await.unwrap();
    let app = App::new(config, claims, FeedCatalog::default(), store.clone()).unwrap();
    (app, store)
}

#[tokio::test]
async fn etag_304_and_retry_after_through_ingest() {
    let (server, addr) = start().await;
    let (app, store) = app().await;
    let now = Utc::now();
    let source = url(addr, "/etag");
    let first = app.ingest(&source, None, now).await.unwrap();
    assert!(
        matches!(first.outcome, IngestOutcome::Stored { new: 1, .. }),
        "{:?}",
        first.outcome
    );
    let feed = store.feed(first.feed).await.unwrap().unwrap();
    assert_eq!(feed.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        feed.next_attempt_at,
        Some(now_secs(now) + chrono::Duration::hours(2)),
        "max-age 7200 honoured"
    );
    let second = app.ingest(&source, None, now).await.unwrap();
    assert_eq!(second.outcome, IngestOutcome::NotModified);
    assert_eq!(server.seen_if_none_match.lock().unwrap().as_slice(), ["\"v1\""]);
    assert_eq!(store.count_items(first.feed).await.unwrap(), 1);

    let busy = app.ingest(&url(addr, "/busy"), None, now).await.unwrap();
    assert!(
        matches!(
            &busy.outcome,
            IngestOutcome::Failed(FeedFailure::HttpStatus { code: 429 })
        ),
        "{:?}",
        busy.outcome
    );
    let feed = store.feed(busy.feed).await.unwrap().unwrap();
    assert_eq!(
        feed.next_attempt_at,
        Some(now_secs(now) + chrono::Duration::hours(1)),
        "Retry-After: 3600 honoured"
    );
    assert_eq!(feed.failures, 1);
}

fn now_secs(now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap()
}

#[tokio::test]
async fn a_feed_failing_for_a_day_is_disabled_once() {
    let (_, addr) = start().await;
    let (app, store) = app().await;
    let t0 = Utc::now();
    let source = url(addr, "/missing");
    let mut outcomes = Vec::new();
    for hours in [0, 1, 2, 25, 26] {
        outcomes.push(
            app.ingest(&source, None, t0 + chrono::Duration::hours(hours))
                .await
                .unwrap()
                .outcome,
        );
    }
    assert!(
        matches!(outcomes[2], IngestOutcome::Failed(_)),
        "three failures within hours do not disable: {outcomes:?}"
    );
    assert!(
        matches!(
            &outcomes[3],
            IngestOutcome::Disabled(FeedFailure::HttpStatus { code: 404 })
        ),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[4], IngestOutcome::Failed(_)),
        "disabled once, not again: {outcomes:?}"
    );
    let feed = store.feed_by_url(&source.url()).await.unwrap().unwrap();
    assert_eq!(feed.disabled_reason, Some(FeedFailure::HttpStatus { code: 404 }));
    store.enable_feed(feed.id).await.unwrap();
    let feed = store.feed(feed.id).await.unwrap().unwrap();
    assert_eq!(
        (feed.failures, feed.disabled_reason, feed.next_attempt_at),
        (0, None, None)
    );
}

#[tokio::test]
async fn relative_links_resolve_against_content_location() {
    let (_, addr) = start().await;
    let (app, _) = app().await;
    let Located::Feed { feed: parsed, .. } = app.locate_feed(&url(addr, "/located"), Utc::now()).await.unwrap() else {
        panic!("the document is a feed")
    };
    assert_eq!(
        parsed.items[0].url.as_deref(),
        Some("http://stories.example/base/item/1")
    );
}

#[tokio::test]
async fn utf16_document_with_a_lying_declaration_parses() {
    let (_, addr) = start().await;
    let (app, store) = app().await;
    let report = app.ingest(&url(addr, "/utf16"), None, Utc::now()).await.unwrap();
    assert!(
        matches!(report.outcome, IngestOutcome::Stored { items: 1, .. }),
        "{:?}",
        report.outcome
    );
    let items = store
        .items_between(
            &[report.feed],
            Utc::now() - chrono::Duration::days(1),
            Utc::now() + chrono::Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(items[0].title, "Grüße aus 北京");
    assert_eq!(items[0].source, "Überschrift 标题");
}

#[tokio::test]
async fn at_most_two_requests_at_a_time_per_host() {
    let (server, addr) = start().await;
    let client = FeedClient::new(limits(), true).unwrap();
    let fetches = (0..6).map(|_| fetch(&client, addr, "/counted"));
    for result in futures_util::future::join_all(fetches).await {
        assert!(result.is_ok());
    }
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_feed_shared_by_many_servers_is_fetched_once_and_its_failure_told_once_each() {
    let (_, addr) = start().await;
    let feed_url = format!("http://{addr}/counted");
    let config = Config::from_lookup(|k| (k == "FEED_ALLOW_PRIVATE").then(|| "true".to_string())).unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let catalog = FeedCatalog::parse(&format!("[[feeds]]\nname = \"Shared\"\nurl = \"{feed_url}\"\n")).unwrap();
    let store = Store::in_memory().await.unwrap();
    let app = App::new(config, claims, catalog, store.clone()).unwrap();
    for guild in 1..=5 {
        app.guild(claim_digest::domain::ids::GuildId(guild), Some("en-US"), Utc::now())
            .await
            .unwrap();
    }
    let outcome = app.run_poller_once(Utc::now()).await.unwrap();
    assert_eq!((outcome.fetched, outcome.failed), (1, 0), "five servers, one fetch");
    let again = app.run_poller_once(Utc::now()).await.unwrap();
    assert_eq!(
        again.fetched + again.not_modified + again.failed,
        0,
        "not due again before its interval"
    );

    // When the shared feed is disabled, each server with a channel gets one notice.
    let feed = store
        .feed_by_url(&FeedSource::parse(&feed_url).unwrap().url())
        .await
        .unwrap()
        .unwrap();
    for guild in [1u64, 2] {
        let update = claim_digest::store::GuildUpdate {
            channel: claim_digest::domain::ids::ChannelId(100 + guild),
            post_time: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            timezone: chrono_tz::Tz::UTC,
            language: if guild == 1 {
                claim_digest::domain::lang::Lang::Zh
            } else {
                claim_digest::domain::lang::Lang::En
            },
            news_count: NewsCount::default(),
            thread: false,
            moderator_role: None,
            ping_role: None,
            post_days: None,
            recap_day: None,
        };
        store
            .setup_guild(claim_digest::domain::ids::GuildId(guild), &update)
            .await
            .unwrap();
    }
    let notices: Vec<(claim_digest::domain::ids::ChannelId, String)> = app
        .disabled_feed_notices(&[(feed.id, FeedFailure::HttpStatus { code: 404 })])
        .await
        .unwrap()
        .iter()
        .map(|n| (n.channel, claim_digest::render::discord::feed_notice_text(n)))
        .collect();
    assert_eq!(notices.len(), 2, "servers without a channel are not told: {notices:?}");
    assert!(
        notices[0].1.contains("已停用：该地址下没有内容（HTTP 404）")
            && notices[1].1.contains("is disabled: nothing at this address (HTTP 404)"),
        "{notices:?}"
    );
    assert!(notices
        .iter()
        .all(|(_, text)| text.contains("Shared") && !text.contains('@')));
}

/// A resolver for tests: names to chosen addresses.
struct MapLookup(Vec<(&'static str, std::net::IpAddr)>);

impl Lookup for MapLookup {
    fn lookup(
        &self,
        host: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<Vec<std::net::IpAddr>>> + Send>> {
        let found: Vec<_> = self.0.iter().filter(|(n, _)| *n == host).map(|(_, ip)| *ip).collect();
        Box::pin(async move {
            if found.is_empty() {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no such name {host}"),
                ))
            } else {
                Ok(found)
            }
        })
    }
}

fn lookup() -> Arc<MapLookup> {
    Arc::new(MapLookup(vec![
        ("cdn.news.example", "169.254.169.254".parse().unwrap()),
        ("mixed.news.example", "1.1.1.1".parse().unwrap()),
        ("mixed.news.example", "169.254.169.254".parse().unwrap()),
        ("intranet.example", "127.0.0.1".parse().unwrap()),
    ]))
}

fn policies() -> Vec<(&'static str, AddressPolicy)> {
    vec![
        ("default", AddressPolicy::default()),
        ("FEED_ALLOW_PRIVATE=true", AddressPolicy::from(true)),
        (
            "FEED_ALLOW_NETWORKS covering them",
            AddressPolicy {
                allow_private: false,
                allow_networks: AddressPolicy::parse_networks(
                    "169.254.0.0/16,fe80::/10,fd00::/8,100.64.0.0/10,0.0.0.0/0",
                )
                .unwrap(),
            },
        ),
    ]
}

fn assert_never_fetched(err: &FetchError, what: &str) {
    assert!(matches!(err, FetchError::Blocked(_)), "{what}: {err}");
    assert!(err.to_string().contains("never fetched"), "{what}: {err}");
}

#[tokio::test]
async fn link_local_and_metadata_addresses_are_refused_whatever_the_settings() {
    let (server, addr) = start().await;
    for (setting, policy) in policies() {
        let client = FeedClient::with_lookup(limits(), policy, lookup()).unwrap();
        for direct in [
            "http://169.254.169.254/latest/meta-data/",
            "http://169.254.1.1/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/latest",
            "http://100.100.100.200/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.Google.Internal./",
            "http://metadata/",
            // Public-looking names that resolve to the metadata address (all or some answers).
            "http://cdn.news.example/latest/meta-data/",
        ] {
            let Ok(source) = FeedSource::parse(direct) else {
                panic!("{direct} does not parse");
            };
            let err = client.fetch(&source, None).await.unwrap_err();
            assert_never_fetched(&err, &format!("{setting}: {direct}"));
        }
        // A name with a public and a metadata answer: only the public one would be used.
        let resolver = claim_digest::feeds::guard::GuardedResolver {
            policy: Arc::new(AddressPolicy::from(true)),
            lookup: lookup(),
        };
        let addrs: Vec<_> = reqwest::dns::Resolve::resolve(&resolver, "mixed.news.example".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert_eq!(addrs, ["1.1.1.1:0".parse::<SocketAddr>().unwrap()]);
    }
    // Redirects to them, from a server the client may reach (loopback, opened by the setting).
    let open = FeedClient::with_lookup(limits(), true, lookup()).unwrap();
    for path in [
        "/to-metadata",
        "/to-metadata-name",
        "/to-metadata-v6",
        "/to-disguised-metadata",
    ] {
        let err = fetch(&open, addr, path).await.unwrap_err();
        assert_never_fetched(&err, path);
    }
    assert!(server.hits.load(Ordering::SeqCst) >= 1, "the first hop was served");
}

#[tokio::test]
async fn allowed_networks_open_only_their_ranges() {
    let (_, addr) = start().await;
    let at = |host: &str| FeedSource::parse(&format!("http://{host}:{}/feed", addr.port())).unwrap();
    let only = |networks: &str| AddressPolicy {
        allow_private: false,
        allow_networks: AddressPolicy::parse_networks(networks).unwrap(),
    };
    // intranet.example resolves to 127.0.0.1.
    let closed = FeedClient::with_lookup(limits(), AddressPolicy::default(), lookup()).unwrap();
    let err = closed.fetch(&at("intranet.example"), None).await.unwrap_err();
    assert!(
        matches!(err, FetchError::Blocked(_)) && err.to_string().contains("FEED_ALLOW_NETWORKS"),
        "{err}"
    );
    let opened = FeedClient::with_lookup(limits(), only("127.0.0.0/8"), lookup()).unwrap();
    for host in ["intranet.example", "127.0.0.1"] {
        assert!(
            matches!(opened.fetch(&at(host), None).await, Ok(Fetched::Body { .. })),
            "{host} is in 127.0.0.0/8"
        );
    }
    let other = FeedClient::with_lookup(limits(), only("10.0.0.0/8, fd12::/16"), lookup()).unwrap();
    for host in ["intranet.example", "127.0.0.1", "[::1]"] {
        let err = other.fetch(&at(host), None).await.unwrap_err();
        assert!(matches!(err, FetchError::Blocked(_)), "{host}: {err}");
    }
    // FEED_ALLOW_PRIVATE=true still opens loopback.
    let private = FeedClient::with_lookup(limits(), true, lookup()).unwrap();
    assert!(matches!(
        private.fetch(&at("intranet.example"), None).await,
        Ok(Fetched::Body { .. })
    ));
}

/// A clock the test moves by hand.
fn manual_clock() -> (Arc<Mutex<std::time::Instant>>, claim_digest::feeds::fetch::Clock) {
    let now = Arc::new(Mutex::new(std::time::Instant::now()));
    let read = now.clone();
    (now, Arc::new(move || *read.lock().unwrap()))
}

#[tokio::test]
async fn one_host_gets_at_most_feed_host_rate_requests_redirects_included() {
    let (server, addr) = start().await;
    let (now, clock) = manual_clock();
    let client = FeedClient::new(limits(), true)
        .unwrap()
        .paced(1.0, Duration::ZERO)
        .with_clock(clock);
    assert!(fetch(&client, addr, "/counted").await.is_ok());
    let err = fetch(&client, addr, "/counted").await.unwrap_err();
    assert_eq!(
        err,
        FetchError::HostBusy {
            host: "127.0.0.1".into(),
            retry_after: Duration::from_secs(1)
        }
    );
    assert!(err.to_string().contains("FEED_HOST_RATE"), "{err}");
    assert_eq!(server.hits.load(Ordering::SeqCst), 1, "the busy request was never sent");
    // Another name for the same machine is another host; the first host's turn comes back.
    let other = FeedSource::parse(&format!("http://localhost:{}/counted", addr.port())).unwrap();
    assert!(client.fetch(&other, None).await.is_ok());
    *now.lock().unwrap() += Duration::from_secs(1);
    assert!(fetch(&client, addr, "/counted").await.is_ok());
    assert_eq!(server.hits.load(Ordering::SeqCst), 3);
    // A redirect back to the same host is a request like any other.
    *now.lock().unwrap() += Duration::from_secs(1);
    let err = fetch(&client, addr, "/to-loopback").await.unwrap_err();
    assert!(matches!(err, FetchError::HostBusy { .. }), "{err}");
    assert_eq!(server.hits.load(Ordering::SeqCst), 4, "only the first hop was sent");
}

#[tokio::test]
async fn a_busy_hosts_feeds_are_held_for_later_polls_not_failed() {
    let (server, addr) = start().await;
    let feeds: String = (0..3)
        .map(|i| format!("[[feeds]]\nname = \"F{i}\"\nurl = \"http://{addr}/counted?f={i}\"\n"))
        .collect();
    let config = Config::from_lookup(|k| (k == "FEED_ALLOW_PRIVATE").then(|| "true".to_string())).unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let catalog = FeedCatalog::parse(&feeds).unwrap();
    let store = Store::in_memory().await.unwrap();
    let mut app = App::new(config, claims, catalog, store.clone()).unwrap();
    let (_, clock) = manual_clock();
    app.feeds = FeedClient::new(limits(), true)
        .unwrap()
        .paced(1.0, Duration::ZERO)
        .with_clock(clock);
    app.guild(claim_digest::domain::ids::GuildId(1), Some("en-US"), Utc::now())
        .await
        .unwrap();
    let now = now_secs(Utc::now());
    let outcome = app.run_poller_once(now).await.unwrap();
    assert_eq!(
        (outcome.fetched, outcome.deferred, outcome.failed),
        (1, 2, 0),
        "{outcome:?}"
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    // Held one and two seconds: not leased before, leased after, and not marked as failing.
    let lease = now + chrono::Duration::minutes(10);
    assert!(store.lease_due_feeds(now, lease, 10).await.unwrap().is_empty());
    let later = now + chrono::Duration::seconds(2);
    let due = store
        .lease_due_feeds(later, later + chrono::Duration::minutes(10), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    assert!(due.iter().all(|f| f.failures == 0 && f.last_error.is_none()));
}

/// An environment proxy would resolve and reach feed hosts itself, out of the address guard's
/// sight; feeds are fetched directly, whatever HTTP_PROXY says.
#[tokio::test]
async fn feeds_are_not_fetched_through_an_environment_proxy() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let reached = Arc::new(AtomicUsize::new(0));
    let count = reached.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let mut request = [0u8; 2048];
            let _ = socket.read(&mut request).await;
            let body = "<rss version=\"2.0\"><channel><title>Behind the proxy</title></channel></rss>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let proxy_url = format!("http://{proxy}");
    let out = support::run_cli(
        &support::sqlite_url(&dir.path().join("bot.db")),
        &["feed", "check", "--json", "http://internal.example/feed.xml"],
        &[
            ("FEED_ALLOW_PRIVATE", "false"),
            ("HTTP_PROXY", &proxy_url),
            ("http_proxy", &proxy_url),
            ("HTTPS_PROXY", &proxy_url),
            ("ALL_PROXY", &proxy_url),
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(reached.load(Ordering::SeqCst), 0, "the proxy was used: {stdout}");
    assert!(!stdout.contains("Behind the proxy"), "{stdout}");
    assert!(!out.status.success(), "{stdout}");
}

/// A feed served as `charset=gb2312` without saying so itself is read in that charset.
#[tokio::test]
async fn the_charset_a_server_states_is_how_the_feed_is_read() {
    let feeds = support::FeedServer::default();
    let doc = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>科技新闻</title>\
               <item><title>机器人学会叠衣服</title><link>https://stories.example/1</link></item></channel></rss>";
    feeds.put(
        "gbk.xml",
        "application/rss+xml; charset=gb2312",
        encoding_rs::GBK.encode(doc).0.into_owned(),
    );
    let addr = feeds.start().await;
    let dir = tempfile::tempdir().unwrap();
    let out = support::run_cli(
        &support::sqlite_url(&dir.path().join("bot.db")),
        &["feed", "check", "--json", &format!("http://{addr}/feeds/gbk.xml")],
        &[],
    )
    .await;
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(line["title"], "科技新闻", "{line}");
    assert_eq!(line["items"][0]["title"], "机器人学会叠衣服", "{line}");
}
