//! Operating the bot: Prometheus metrics at `/metrics` (through `prometheus-client`) and
//! `/healthz` (gateway connected, database reachable), served on METRICS_ADDR when it is set.
//!
//! Labels are bounded: kinds of work, HTTP statuses, outcomes; never a server, member or feed id.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::clock::Clock;
use crate::services::App;

/// What kind of member action an interaction was.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum InteractionKind {
    /// A vote button.
    vote,
    /// An emoji reaction counted as a vote.
    reaction,
    /// A slash command.
    command,
    /// The Evidence button of a post, or a mark on its panel.
    evidence,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: InteractionKind,
}

/// How a feed fetch ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum FetchResult {
    stored,
    not_modified,
    failed,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FetchLabel {
    result: FetchResult,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

pub struct Metrics {
    pub posts_sent: Counter,
    pub posts_failed: Counter,
    pub votes: Counter,
    pub feed_fetches: Counter,
    pub feed_failures: Counter,
    pub items_embedded: Counter,
    queue_depth: Gauge,
    gateway_connected: Gauge,
    shards_up: Gauge,
    discord_statuses: Family<StatusLabel, Counter>,
    interaction_seconds: Family<KindLabel, Histogram, fn() -> Histogram>,
    feed_fetch_seconds: Family<FetchLabel, Histogram, fn() -> Histogram>,
    post_lateness_seconds: Histogram,
    ranking_seconds: Histogram,
    /// Whether each of this process's gateway shards is connected, by shard id.
    shards: Mutex<std::collections::BTreeMap<u32, bool>>,
    registry: Registry,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new(0..=0)
    }
}

/// Interaction handling: 5 ms to about 10 s (Discord allows 3 s for the first answer).
fn interaction_histogram() -> Histogram {
    Histogram::new([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0])
}

/// Feed fetches: 10 ms to the longest request timeout.
fn fetch_histogram() -> Histogram {
    Histogram::new([0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0, 120.0])
}

impl Metrics {
    /// Metrics for a process running the shards `owned`, none of them connected yet.
    pub fn new(owned: std::ops::RangeInclusive<u32>) -> Metrics {
        let shards: std::collections::BTreeMap<u32, bool> = owned.map(|shard| (shard, false)).collect();
        let metrics = Metrics {
            posts_sent: Counter::default(),
            posts_failed: Counter::default(),
            votes: Counter::default(),
            feed_fetches: Counter::default(),
            feed_failures: Counter::default(),
            items_embedded: Counter::default(),
            queue_depth: Gauge::default(),
            gateway_connected: Gauge::default(),
            shards_up: Gauge::default(),
            discord_statuses: Family::default(),
            interaction_seconds: Family::new_with_constructor(interaction_histogram),
            feed_fetch_seconds: Family::new_with_constructor(fetch_histogram),
            // From on time to the 12 h grace window (a post caught up after an outage).
            post_lateness_seconds: Histogram::new([
                0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 21600.0, 43200.0,
            ]),
            ranking_seconds: Histogram::new([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            shards: Mutex::new(shards),
            registry: Registry::default(),
        };
        metrics.register()
    }

    fn register(mut self) -> Metrics {
        let all = self.shards.lock().expect("metrics lock").len();
        let r = &mut self.registry;
        // Counters get `_total` appended by the encoder: the names below keep the ones
        // dashboards already use (claim_digest_posts_sent_total, ...).
        r.register(
            "claim_digest_posts_sent",
            "Daily posts delivered.",
            self.posts_sent.clone(),
        );
        r.register(
            "claim_digest_posts_failed",
            "Daily posts that failed.",
            self.posts_failed.clone(),
        );
        r.register("claim_digest_votes", "Votes recorded (buttons).", self.votes.clone());
        r.register(
            "claim_digest_feed_fetches",
            "Feed fetches that succeeded or were unchanged.",
            self.feed_fetches.clone(),
        );
        r.register(
            "claim_digest_feed_failures",
            "Feed fetches that failed.",
            self.feed_failures.clone(),
        );
        r.register(
            "claim_digest_items_embedded",
            "News items whose vectors the embedder stored (EMBEDDINGS_URL).",
            self.items_embedded.clone(),
        );
        r.register(
            "claim_digest_footer_queue",
            "Posts waiting for a footer refresh.",
            self.queue_depth.clone(),
        );
        r.register(
            "claim_digest_gateway_connected",
            "1 when every gateway shard of this process is up.",
            self.gateway_connected.clone(),
        );
        r.register(
            "claim_digest_shards_connected",
            format!("Gateway shards of this process that are up (of {all})."),
            self.shards_up.clone(),
        );
        r.register(
            "claim_digest_discord_responses",
            "Discord REST answers by HTTP status.",
            self.discord_statuses.clone(),
        );
        r.register(
            "claim_digest_interaction_seconds",
            "Time from receiving a member's interaction to answering it, by kind.",
            self.interaction_seconds.clone(),
        );
        r.register(
            "claim_digest_feed_fetch_seconds",
            "Time to fetch, parse and store one feed, by result.",
            self.feed_fetch_seconds.clone(),
        );
        r.register(
            "claim_digest_post_lateness_seconds",
            "How long after its scheduled minute each daily post was delivered.",
            self.post_lateness_seconds.clone(),
        );
        r.register(
            "claim_digest_ranking_seconds",
            "Time to index a news window and rank it against one claim.",
            self.ranking_seconds.clone(),
        );
        self
    }

    /// Records a shard's gateway session going up or down.
    pub fn set_shard_connected(&self, shard: u32, connected: bool) {
        let mut shards = self.shards.lock().expect("metrics lock");
        shards.insert(shard, connected);
        let up = shards.values().filter(|up| **up).count();
        self.shards_up.set(up as i64);
        self.gateway_connected.set(i64::from(up == shards.len()));
    }

    /// (connected, all) shards of this process.
    pub fn shards_connected(&self) -> (usize, usize) {
        let shards = self.shards.lock().expect("metrics lock");
        (shards.values().filter(|up| **up).count(), shards.len())
    }

    /// Every shard of this process is connected.
    pub fn gateway_connected(&self) -> bool {
        let (up, all) = self.shards_connected();
        up == all
    }

    pub fn add(counter: &Counter, n: u64) {
        counter.inc_by(n);
    }

    pub fn set_queue_depth(&self, posts: usize) {
        self.queue_depth.set(posts as i64);
    }

    /// Counts an HTTP status Discord answered with.
    pub fn discord_status(&self, status: u16) {
        self.discord_statuses
            .get_or_create(&StatusLabel {
                status: status.to_string(),
            })
            .inc();
    }

    pub fn observe_interaction(&self, kind: InteractionKind, took: Duration) {
        self.interaction_seconds
            .get_or_create(&KindLabel { kind })
            .observe(took.as_secs_f64());
    }

    pub fn observe_feed_fetch(&self, result: FetchResult, took: Duration) {
        self.feed_fetch_seconds
            .get_or_create(&FetchLabel { result })
            .observe(took.as_secs_f64());
    }

    /// A daily post delivered `late` after its minute (a negative lateness counts as on time).
    pub fn observe_post_lateness(&self, late: chrono::Duration) {
        let seconds = late.num_milliseconds().max(0) as f64 / 1000.0;
        self.post_lateness_seconds.observe(seconds);
    }

    pub fn observe_ranking(&self, took: Duration) {
        self.ranking_seconds.observe(took.as_secs_f64());
    }

    /// Every metric in the OpenMetrics text format (which Prometheus reads).
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

#[derive(Clone)]
struct Health {
    metrics: Arc<Metrics>,
    app: App,
    clock: Clock,
}

/// Serves `/healthz` and `/metrics` until the process ends. With a movable clock (CLOCK_START,
/// for tests only) it also serves `GET /clock` and `POST /clock` to read and move it; config
/// refuses CLOCK_START unless METRICS_ADDR is a loopback address.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>, bot: App, clock: Clock) -> anyhow::Result<()> {
    let mut app = Router::new().route("/healthz", get(healthz)).route(
        "/metrics",
        get(|State(h): State<Health>| async move {
            (
                [(
                    header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )],
                h.metrics.render(),
            )
        }),
    );
    if clock.is_movable() {
        app = app.route("/clock", get(read_clock).post(move_clock));
    }
    let app = app.with_state(Health {
        metrics,
        app: bot,
        clock,
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving /healthz and /metrics");
    crate::web::serve_router(listener, app, crate::web::ConnectionLimits::default()).await
}

async fn healthz(State(h): State<Health>) -> impl IntoResponse {
    let gateway = h.metrics.gateway_connected();
    let database = h.app.database_reachable().await;
    let status = if gateway && database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, format!("{{\"gateway\":{gateway},\"database\":{database}}}\n"))
}

async fn read_clock(State(h): State<Health>) -> String {
    h.clock.now().to_rfc3339()
}

/// Moves the test clock to the RFC 3339 instant in the body.
async fn move_clock(State(h): State<Health>, body: String) -> (StatusCode, String) {
    let to = match chrono::DateTime::parse_from_rfc3339(body.trim()) {
        Ok(to) => to.with_timezone(&chrono::Utc),
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not an RFC 3339 instant: {e}\n")),
    };
    match h.clock.set(to) {
        Ok(()) => {
            tracing::info!(to = %to.to_rfc3339(), "test clock moved");
            (StatusCode::OK, h.clock.now().to_rfc3339())
        }
        Err(e) => (StatusCode::CONFLICT, format!("{e}\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        Metrics::add(&m.posts_sent, 2);
        m.discord_status(429);
        m.discord_status(200);
        m.discord_status(200);
        let text = m.render();
        assert!(text.contains("claim_digest_posts_sent_total 2\n"), "{text}");
        assert!(text.contains("claim_digest_discord_responses_total{status=\"200\"} 2\n"));
        assert!(text.contains("claim_digest_discord_responses_total{status=\"429\"} 1\n"));
        assert!(text.contains("# TYPE claim_digest_gateway_connected gauge"));
    }

    #[test]
    fn the_gateway_is_up_only_when_every_shard_of_the_process_is() {
        let m = Metrics::new(2..=3);
        assert!(!m.gateway_connected());
        m.set_shard_connected(2, true);
        assert!(!m.gateway_connected(), "shard 3 is still down");
        m.set_shard_connected(3, true);
        assert!(m.gateway_connected());
        assert!(m.render().contains("claim_digest_shards_connected 2\n"));
        m.set_shard_connected(2, false);
        assert_eq!(m.shards_connected(), (1, 2));
        assert!(m.render().contains("claim_digest_gateway_connected 0\n"));
    }

    #[test]
    fn histograms_count_their_observations_by_bounded_kind() {
        let m = Metrics::default();
        m.observe_interaction(InteractionKind::vote, Duration::from_millis(30));
        m.observe_interaction(InteractionKind::vote, Duration::from_millis(70));
        m.observe_interaction(InteractionKind::command, Duration::from_millis(400));
        m.observe_post_lateness(chrono::Duration::milliseconds(1500));
        m.observe_post_lateness(chrono::Duration::seconds(-3));
        let text = m.render();
        assert!(
            text.contains("claim_digest_interaction_seconds_count{kind=\"vote\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("claim_digest_interaction_seconds_bucket{le=\"0.05\",kind=\"vote\"} 1\n"));
        assert!(text.contains("claim_digest_interaction_seconds_count{kind=\"command\"} 1\n"));
        assert!(text.contains("claim_digest_post_lateness_seconds_count 2\n"));
        assert!(
            text.contains("claim_digest_post_lateness_seconds_bucket{le=\"0.5\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("claim_digest_post_lateness_seconds_sum 1.5\n"), "{text}");
    }

    #[test]
    fn the_sample_dashboard_graphs_only_metrics_that_exist() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana-dashboard.json");
        let dashboard: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let m = Metrics::default();
        m.observe_interaction(InteractionKind::vote, Duration::from_millis(1));
        m.observe_feed_fetch(FetchResult::stored, Duration::from_millis(1));
        m.discord_status(200);
        let text = m.render();
        let mut graphed = 0;
        for panel in dashboard["panels"].as_array().unwrap() {
            for target in panel["targets"].as_array().unwrap() {
                let expr = target["expr"].as_str().unwrap();
                for (start, _) in expr.match_indices("claim_digest_") {
                    let name: String = expr[start..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    assert!(
                        text.contains(&format!("\n{name}")),
                        "{name} is graphed but not exported"
                    );
                    graphed += 1;
                }
            }
        }
        assert!(graphed >= 10, "{graphed}");
    }
}
