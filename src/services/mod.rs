//! Services: the use cases, on top of the domain and the store. Command handlers, the terminal
//! and background tasks all call these; none of them talks SQL or HTTP directly.

pub mod check;
pub mod commands;
pub mod digest;
pub mod embeddings;
pub mod evidence;
pub mod guilds;
pub mod in_flight;
pub mod ingest;
pub mod maintenance;
pub mod poller;
pub mod poster;
pub mod recap;
pub mod relevance;
pub mod suggestions;
pub mod tallies;
pub mod term_stats;
#[cfg(test)]
mod test_app;
pub mod votes;
pub mod web;

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::feeds::{FeedCatalog, FeedClient};
use crate::metrics::Metrics;
use crate::store::Store;

/// Everything the use cases need, built once at start and shared.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    /// The essay's claims. A server's own set (these, then its approved suggestions) is
    /// [`App::claims_for`]: use that wherever the server is known.
    pub claims: Arc<ClaimSet>,
    pub catalog: Arc<FeedCatalog>,
    /// The services' alone: adapters call a service, never the store.
    store: Store,
    pub feeds: FeedClient,
    /// Daily posts being sent by this process right now, so that two tasks never send one.
    pub sending: poster::Sending,
    /// Members whose `/evidence add` is being read right now: one at a time each, so that the
    /// daily cap, checked before the page is read, cannot be outrun by adds sent at once.
    evidence_adding: in_flight::InFlight<(crate::domain::ids::GuildId, crate::domain::ids::UserId)>,
    /// The time background work goes by: the system clock, or a test's (CLOCK_START).
    pub clock: Clock,
    pub metrics: Arc<Metrics>,
    /// Word counts over the stored news, for the ranking.
    pub term_stats: term_stats::TermStatsCache,
    /// Semantic matching, when EMBEDDINGS_URL is set.
    pub embeddings: Option<Arc<embeddings::Embeddings>>,
    /// Feeds parsed at once: one fewer than the cores, so that parsing a burst of large feeds
    /// never starves the database writer and the gateway of CPU.
    parse_slots: Arc<tokio::sync::Semaphore>,
    /// The tally site's heavy pages, reused for a few seconds.
    pages: Arc<web::PageMemo>,
}

impl App {
    pub fn new(config: Config, claims: ClaimSet, catalog: FeedCatalog, store: Store) -> anyhow::Result<App> {
        let feeds = FeedClient::new(config.fetch_limits.clone(), config.feed_address_policy())?
            .paced(config.feed_host_rate, HOST_WAIT);
        let clock = config.clock_start.map_or_else(Clock::system, Clock::starting_at);
        let metrics = Arc::new(Metrics::new(config.shards.owned.clone()));
        let embeddings = match &config.embeddings {
            Some(e) => Some(Arc::new(
                embeddings::Embeddings::new(e.clone())?.with_store(store.clone()),
            )),
            None => None,
        };
        Ok(App {
            embeddings,
            config: Arc::new(config),
            claims: Arc::new(claims),
            catalog: Arc::new(catalog),
            store,
            feeds,
            sending: Default::default(),
            evidence_adding: Default::default(),
            clock,
            metrics,
            term_stats: Default::default(),
            parse_slots: Arc::new(tokio::sync::Semaphore::new(parse_slots())),
            pages: Default::default(),
        })
    }
}

impl App {
    /// The time on the app's clock: every adapter reads it here, so that a bot started with a
    /// test clock (CLOCK_START) answers commands by the same time its poster goes by.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The same app on another clock (in-process tests drive a manual one).
    pub fn with_clock(mut self, clock: Clock) -> App {
        self.clock = clock;
        self
    }

    /// The same app reading through database connections of its own (the tally pages': see
    /// `Store::with_own_connections`); everything else, its caches included, is shared.
    pub async fn with_own_connections(&self, max_connections: u32) -> anyhow::Result<App> {
        Ok(App {
            store: self.store.with_own_connections(max_connections).await?,
            ..self.clone()
        })
    }
}

/// The longest a fetch waits for its host's turn (FEED_HOST_RATE) before the feed is put off to
/// a later poll; as long as a poll tick, so that pacing never idles a host between polls.
pub const HOST_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// How many feeds may be parsed at once on this machine.
fn parse_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}

/// What a post's footer shows: its question and tally, in its server's language.
#[derive(Debug, Clone)]
pub struct PostFooter {
    pub post: crate::store::Post,
    pub lang: crate::domain::lang::Lang,
    pub tally: crate::domain::votes::Tally,
}

impl App {
    /// Whether the database answers now (for /healthz).
    pub async fn database_reachable(&self) -> bool {
        self.store.ping().await.is_ok()
    }

    /// `sqlite` or `postgres`, for the log.
    pub fn database_backend(&self) -> &'static str {
        self.store.backend_name()
    }

    /// Wakes whenever a moderator changes a schedule through this process.
    pub fn schedule_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.store.schedule_changes()
    }

    /// Closes the database pool once work in progress has finished.
    pub async fn close(&self) {
        self.store.close().await
    }

    /// A post's current footer, or none when the post is gone.
    pub async fn footer_of(&self, post: crate::domain::ids::PostId) -> anyhow::Result<Option<PostFooter>> {
        let Some(post) = self.store.post(post).await? else {
            return Ok(None);
        };
        let lang = self
            .store
            .guild(post.guild)
            .await?
            .map(|g| g.language)
            .unwrap_or_default();
        let tally = self.store.post_tally(post.id).await?;
        Ok(Some(PostFooter { post, lang, tally }))
    }
}
