//! Test helpers: a local feed server on 127.0.0.1 and a way to run the real binary.
#![allow(dead_code)]

pub mod bot;
pub mod fake_discord;
pub mod site;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// One document the feed server serves.
#[derive(Clone)]
pub struct Doc {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

#[derive(Clone, Default)]
pub struct FeedServer {
    docs: Arc<Mutex<HashMap<String, Doc>>>,
    pub hits: Arc<Mutex<HashMap<String, u32>>>,
}

impl FeedServer {
    pub fn put(&self, name: &str, content_type: &'static str, body: impl Into<Vec<u8>>) {
        self.docs.lock().unwrap().insert(
            name.to_string(),
            Doc {
                content_type,
                body: body.into(),
            },
        );
    }

    /// Serves `news.xml`: an RSS feed with one story, published now.
    pub fn put_fresh_story(&self, title: &str, link: &str) {
        let now = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        self.put(
            "news.xml",
            "application/rss+xml",
            rss("Loopback news", &[("n1", title, link, &now)]),
        );
    }

    pub fn hits(&self, name: &str) -> u32 {
        self.hits.lock().unwrap().get(name).copied().unwrap_or(0)
    }

    /// Serves `/feeds/{name}` on a free loopback port until the test ends.
    pub async fn start(&self) -> SocketAddr {
        async fn serve(
            State(server): State<FeedServer>,
            UrlPath(name): UrlPath<String>,
            _headers: HeaderMap,
        ) -> Response {
            *server.hits.lock().unwrap().entry(name.clone()).or_default() += 1;
            match server.docs.lock().unwrap().get(&name).cloned() {
                Some(doc) => ([(header::CONTENT_TYPE, doc.content_type)], doc.body).into_response(),
                None => (StatusCode::NOT_FOUND, "no such feed").into_response(),
            }
        }
        let app = Router::new()
            .route("/feeds/{name}", get(serve))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }
}

pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Runs the claim-digest binary with a clean environment pointing at `database_url`.
pub async fn run_cli(database_url: &str, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    // The binary reads .env from its working directory: run it where there is none.
    let workdir = match database_url.strip_prefix("sqlite://") {
        Some(path) => Path::new(path).ancestors().find(|a| a.is_dir()).unwrap().to_path_buf(),
        None => std::env::temp_dir(),
    };
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_claim-digest"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("CLAIMS_FILE", repo_file("data/claims.toml"))
        .env("FEEDS_FILE", repo_file("data/feeds.toml"))
        .env("FEED_ALLOW_PRIVATE", "true")
        // Every test feed is on one local server: no per-host pacing.
        .env("FEED_HOST_RATE", "0")
        .env("RUST_LOG", "warn")
        .current_dir(workdir);
    for (k, v) in extra_env {
        command.env(k, v);
    }
    command.output().await.expect("running claim-digest")
}

pub fn rss(title: &str, items: &[(&str, &str, &str, &str)]) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{title}</title><link>https://news.example/</link>");
    for (guid, item_title, link, date) in items {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{item_title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// An embeddings endpoint that answers correctly but only after `delay`, as a model server on a
/// busy machine does. Every text it is asked for is written down, in order.
pub async fn slow_embeddings(delay: std::time::Duration) -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    type State = (std::time::Duration, Arc<Mutex<Vec<String>>>);
    async fn answer(
        axum::extract::State((delay, asked)): axum::extract::State<State>,
        body: String,
    ) -> axum::Json<serde_json::Value> {
        tokio::time::sleep(delay).await;
        let request: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let inputs: Vec<String> = request["input"]
            .as_array()
            .map(|a| a.iter().map(|t| t.as_str().unwrap_or_default().to_string()).collect())
            .unwrap_or_default();
        let data: Vec<serde_json::Value> = (0..inputs.len())
            .map(|i| serde_json::json!({"index": i, "embedding": [1.0, 0.5, (i % 7) as f64]}))
            .collect();
        asked.lock().unwrap().extend(inputs);
        axum::Json(serde_json::json!({ "data": data }))
    }
    let asked = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new()
        .route("/v1/embeddings", axum::routing::post(answer))
        .with_state((delay, asked.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, asked)
}
