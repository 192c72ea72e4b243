//! The public tally pages, served from the bot's process on WEB_ADDR. Thin: parse the path, call
//! one service, render (`render::web`). GET and HEAD only; every answer carries the site's
//! security headers; pages revalidate cheaply with an ETag; each client has a token bucket.
//!
//! Paths, under the site's base: `site.css`, `s/{slug}` (the server), `s/{slug}/claims/{id}`,
//! `s/{slug}/claims/{id}/chart.png` (the claim's chart, for link previews),
//! `s/{slug}/leaderboard`. Anything else, an unknown slug and a revoked slug answer the same 404.

mod charts;
pub mod limit;
mod serve;

pub use serve::{serve_router, ConnectionLimits};

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use sha2::{Digest as _, Sha256};

use crate::domain::lang::Lang;
use crate::render::web::{self as pages, Place};
use crate::services::App;

/// No script, no third-party origin: styles and images from the site only.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[derive(Clone)]
struct Site {
    app: App,
    limiter: Arc<limit::Limiter>,
    charts: Arc<charts::Charts>,
}

/// The site's routes, for `serve` and for tests that bind their own listener.
pub fn router(app: App) -> Router {
    let limiter = Arc::new(limit::Limiter::new(app.config.web_rate));
    Router::new().fallback(handle).with_state(Site {
        app,
        limiter,
        charts: Arc::default(),
    })
}

/// Serves the site on `listener` until the process ends.
pub async fn serve_on(listener: tokio::net::TcpListener, app: App) -> anyhow::Result<()> {
    serve_with(listener, app, ConnectionLimits::default()).await
}

/// [`serve_on`] with the given limits (tests shorten them).
pub async fn serve_with(listener: tokio::net::TcpListener, app: App, limits: ConnectionLimits) -> anyhow::Result<()> {
    serve_router(listener, router(app), limits).await
}

/// How much nicer the pages' threads are than the bot's: 10, the usual step for background work.
/// A page can wait a few milliseconds; a vote's answer should not wait for a page.
const PAGES_NICENESS: i32 = 10;
/// Threads the pages are worked out on. Two, so that a page whose numbers take a while (the
/// leaderboard's, over every vote) never holds up the others.
const PAGES_THREADS: usize = 2;
/// Database connections the pages read through, apart from the bot's own: one per thread.
const PAGES_CONNECTIONS: u32 = PAGES_THREADS as u32;

/// Serves the site on WEB_ADDR from a thread of its own, until the process ends. The thread, the
/// threads it starts (its blocking pool, its SQLite connections) and so every page run at a lower
/// scheduling priority than the bot, through database connections of their own: on a busy
/// machine the pages give way to votes and commands instead of sharing the cores with them.
pub fn start(addr: SocketAddr, app: App) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("tally-pages".into())
        .spawn(move || {
            lower_this_threads_priority();
            let served = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(PAGES_THREADS)
                .thread_name("tally-pages")
                .enable_all()
                .build()
                .context("starting the tally pages' runtime")
                .and_then(|runtime| {
                    runtime.block_on(async move {
                        let app = app.with_own_connections(PAGES_CONNECTIONS).await?;
                        let listener = tokio::net::TcpListener::bind(addr)
                            .await
                            .with_context(|| format!("binding WEB_ADDR {addr}"))?;
                        tracing::info!(%addr, "serving the public tally pages");
                        serve_on(listener, app).await
                    })
                });
            if let Err(e) = served {
                tracing::error!(error = %format!("{e:#}"), "the tally page server stopped");
            }
        })
        .map(drop)
}

/// Makes the calling thread [`PAGES_NICENESS`] nicer than it is (at most 19, the nicest). On
/// Linux the value belongs to the thread, and threads it starts inherit it. Public for the
/// benchmark, whose page load generator runs as nice as the pages.
pub fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let lowered =
            getpriority_process(None).and_then(|now| setpriority_process(None, (now + PAGES_NICENESS).min(19)));
        if let Err(e) = lowered {
            tracing::warn!(error = %e, "the tally pages run at the bot's own priority");
        }
    }
}

/// Who is asking, for the rate limit: the peer, or, when the peer is a reverse proxy on this
/// machine (loopback), the address it says it forwards for (the last hop it added).
fn client(peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if peer.is_loopback() {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer
}

/// The `lang` a reader asked for with `?lang=`.
fn asked_lang(uri: &Uri) -> Option<Lang> {
    uri.query()?.split('&').find_map(|pair| match pair.split_once('=') {
        Some(("lang", "en")) => Some(Lang::En),
        Some(("lang", "zh")) => Some(Lang::Zh),
        _ => None,
    })
}

enum Page {
    Html {
        body: String,
        indexable: bool,
    },
    /// A claim's chart.
    Png {
        body: Arc<[u8]>,
        indexable: bool,
    },
    Css,
    NotFound,
}

async fn handle(
    State(site): State<Site>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, pages::status_text(405));
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if !site.limiter.allow(client(peer.ip(), &headers), Instant::now()) {
        let mut response = plain(StatusCode::TOO_MANY_REQUESTS, pages::status_text(429));
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let page = match route(&site.app, &site.charts, &uri).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "a tally page failed");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, String::new());
        }
    };
    let (status, content_type, body, indexable): (_, _, Vec<u8>, _) = match page {
        Page::Html { body, indexable } => (StatusCode::OK, "text/html; charset=utf-8", body.into(), indexable),
        Page::Png { body, indexable } => (StatusCode::OK, "image/png", body.to_vec(), indexable),
        Page::Css => (
            StatusCode::OK,
            "text/css; charset=utf-8",
            pages::STYLESHEET.into(),
            false,
        ),
        Page::NotFound => (
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            pages::not_found_page().into(),
            false,
        ),
    };
    let mut response = if status == StatusCode::OK {
        let tag = etag(&body);
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
        let mut response = if matches {
            Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::empty())
        } else {
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(body)
            };
            Response::builder().status(status).body(body)
        }
        .expect("a valid response");
        response.headers_mut().insert(
            header::ETAG,
            HeaderValue::from_str(&tag).expect("hex is a header value"),
        );
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    } else {
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(body)
        };
        Response::builder().status(status).body(body).expect("a valid response")
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if !indexable {
        h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    }
    security_headers(h);
    response
}

fn security_headers(h: &mut HeaderMap) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

fn plain(status: StatusCode, text: String) -> Response {
    let mut response = Response::builder()
        .status(status)
        .body(Body::from(text))
        .expect("a valid response");
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    security_headers(h);
    response
}

/// A strong validator: the body's SHA-256, shortened.
fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

async fn route(app: &App, charts: &charts::Charts, uri: &Uri) -> anyhow::Result<Page> {
    let path = uri.path();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let lang = asked_lang(uri);
    let base = app.config.site_base();
    let place = |slug, root| Place {
        slug,
        root,
        base: base.as_ref(),
    };
    Ok(match parts.as_slice() {
        ["site.css"] => Page::Css,
        ["s", slug] => match app.server_page(slug).await? {
            Some(page) => Page::Html {
                indexable: page.indexable,
                body: pages::server_page(&page, lang.unwrap_or(page.lang), place(slug, "../")),
            },
            None => Page::NotFound,
        },
        ["s", slug, "claims", claim] => match app.claim_page(slug, claim).await? {
            Some(page) => Page::Html {
                indexable: page.indexable,
                body: pages::claim_page(&page, lang.unwrap_or(page.lang), place(slug, "../../../")),
            },
            None => Page::NotFound,
        },
        ["s", slug, "claims", claim, "chart.png"] => match app.claim_page(slug, claim).await? {
            Some(page) => {
                let of = pages::chart_of(&page, lang.unwrap_or(page.lang));
                let body = charts.png(slug, claim, of).await?;
                Page::Png {
                    body,
                    indexable: page.indexable,
                }
            }
            None => Page::NotFound,
        },
        ["s", slug, "leaderboard"] => match app.leaderboard_page(slug).await? {
            Some(page) => Page::Html {
                indexable: page.indexable,
                body: pages::leaderboard_page(&page, lang.unwrap_or(page.lang), place(slug, "../../")),
            },
            None => Page::NotFound,
        },
        _ => Page::NotFound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unit's system call filter, merged as systemd merges it (the first line an allow list,
    /// each later line adding to it or, after `~`, taking from it), leaves setpriority allowed:
    /// else the pages' threads would keep the bot's priority (EPERM) under the shipped unit.
    #[test]
    fn the_service_unit_lets_the_pages_lower_their_priority() {
        let unit = include_str!("../../deploy/claim-digest.service");
        // The groups the unit names that hold setpriority (`systemd-analyze syscall-filter`).
        let holds = |entry: &str| matches!(entry, "setpriority" | "@resources" | "@system-service");
        let mut allowed = None;
        for line in unit.lines() {
            let Some(value) = line.strip_prefix("SystemCallFilter=") else {
                continue;
            };
            let (deny, entries) = match value.strip_prefix('~') {
                Some(rest) => (true, rest),
                None => (false, value),
            };
            assert!(allowed.is_some() || !deny, "the first filter is an allow list");
            if entries.split_whitespace().any(holds) {
                allowed = Some(!deny);
            }
        }
        assert_eq!(allowed, Some(true), "setpriority is filtered out");
    }

    #[test]
    fn a_proxy_on_loopback_names_the_client_and_no_one_else_can() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.7, 203.0.113.9"));
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let outside: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client(loopback, &headers), "203.0.113.9".parse::<IpAddr>().unwrap());
        assert_eq!(client(outside, &headers), outside);
        assert_eq!(client(loopback, &HeaderMap::new()), loopback);
    }

    #[test]
    fn the_language_is_read_from_the_query() {
        assert_eq!(asked_lang(&"/s/x?lang=en".parse().unwrap()), Some(Lang::En));
        assert_eq!(asked_lang(&"/s/x?a=1&lang=zh".parse().unwrap()), Some(Lang::Zh));
        assert_eq!(asked_lang(&"/s/x?lang=fr".parse().unwrap()), None);
        assert_eq!(asked_lang(&"/s/x".parse().unwrap()), None);
    }
}
