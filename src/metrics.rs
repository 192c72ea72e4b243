//! Operating the bot: counters for Prometheus at `/metrics`, and `/healthz` (gateway connected,
//! database reachable), served on METRICS_ADDR when it is set.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::store::Store;

pub struct Metrics {
    pub posts_sent: AtomicU64,
    pub posts_failed: AtomicU64,
    pub votes: AtomicU64,
    pub feed_fetches: AtomicU64,
    pub feed_failures: AtomicU64,
    pub queue_depth: AtomicU64,
    /// Whether each of this process's gateway shards is connected, by shard id.
    shards: Mutex<BTreeMap<u32, bool>>,
    discord_statuses: Mutex<BTreeMap<u16, u64>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new(0..=0)
    }
}

impl Metrics {
    /// Metrics for a process running the shards `owned`, none of them connected yet.
    pub fn new(owned: std::ops::RangeInclusive<u32>) -> Metrics {
        Metrics {
            posts_sent: AtomicU64::default(),
            posts_failed: AtomicU64::default(),
            votes: AtomicU64::default(),
            feed_fetches: AtomicU64::default(),
            feed_failures: AtomicU64::default(),
            queue_depth: AtomicU64::default(),
            shards: Mutex::new(owned.map(|shard| (shard, false)).collect()),
            discord_statuses: Mutex::default(),
        }
    }

    /// Records a shard's gateway session going up or down.
    pub fn set_shard_connected(&self, shard: u32, connected: bool) {
        self.shards.lock().expect("metrics lock").insert(shard, connected);
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

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts an HTTP status Discord answered with.
    pub fn discord_status(&self, status: u16) {
        *self
            .discord_statuses
            .lock()
            .expect("metrics lock")
            .entry(status)
            .or_default() += 1;
    }

    /// The counters in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counters = [
            (
                "claim_digest_posts_sent_total",
                "Daily posts delivered.",
                &self.posts_sent,
            ),
            (
                "claim_digest_posts_failed_total",
                "Daily posts that failed.",
                &self.posts_failed,
            ),
            ("claim_digest_votes_total", "Votes recorded (buttons).", &self.votes),
            (
                "claim_digest_feed_fetches_total",
                "Feed fetches that succeeded or were unchanged.",
                &self.feed_fetches,
            ),
            (
                "claim_digest_feed_failures_total",
                "Feed fetches that failed.",
                &self.feed_failures,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP claim_digest_footer_queue Posts waiting for a footer refresh."
        );
        let _ = writeln!(
            out,
            "# TYPE claim_digest_footer_queue gauge\nclaim_digest_footer_queue {}",
            self.queue_depth.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP claim_digest_gateway_connected 1 when every gateway shard of this process is up."
        );
        let connected = u8::from(self.gateway_connected());
        let _ = writeln!(
            out,
            "# TYPE claim_digest_gateway_connected gauge\nclaim_digest_gateway_connected {connected}"
        );
        let (up, all) = self.shards_connected();
        let _ = writeln!(
            out,
            "# HELP claim_digest_shards_connected Gateway shards of this process that are up (of {all})."
        );
        let _ = writeln!(
            out,
            "# TYPE claim_digest_shards_connected gauge\nclaim_digest_shards_connected {up}"
        );
        let _ = writeln!(
            out,
            "# HELP claim_digest_discord_responses_total Discord REST answers by HTTP status."
        );
        let _ = writeln!(out, "# TYPE claim_digest_discord_responses_total counter");
        for (status, n) in self.discord_statuses.lock().expect("metrics lock").iter() {
            let _ = writeln!(out, "claim_digest_discord_responses_total{{status=\"{status}\"}} {n}");
        }
        out
    }
}

#[derive(Clone)]
struct Health {
    metrics: Arc<Metrics>,
    store: Store,
}

/// Serves `/healthz` and `/metrics` until the process ends.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>, store: Store) -> anyhow::Result<()> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(|State(h): State<Health>| async move { h.metrics.render() }),
        )
        .with_state(Health { metrics, store });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving /healthz and /metrics");
    axum::serve(listener, app).await?;
    Ok(())
}

async fn healthz(State(h): State<Health>) -> impl IntoResponse {
    let gateway = h.metrics.gateway_connected();
    let database = h.store.ping().await.is_ok();
    let status = if gateway && database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, format!("{{\"gateway\":{gateway},\"database\":{database}}}\n"))
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
}
