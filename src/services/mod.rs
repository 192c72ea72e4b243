//! Services: the use cases, on top of the domain and the store. Command handlers, the terminal
//! and background tasks all call these; none of them talks SQL or HTTP directly.

pub mod digest;
pub mod guilds;
pub mod ingest;
pub mod poller;
pub mod poster;
pub mod relevance;
pub mod tallies;
pub mod votes;

use std::sync::Arc;

use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::feeds::{FeedCatalog, FeedClient};
use crate::store::Store;

/// Everything the use cases need, built once at start and shared.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub claims: Arc<ClaimSet>,
    pub catalog: Arc<FeedCatalog>,
    pub store: Store,
    pub feeds: FeedClient,
    /// Daily posts being sent by this process right now, so that two tasks never send one.
    pub sending: poster::Sending,
    /// Feeds parsed at once: one fewer than the cores, so that parsing a burst of large feeds
    /// never starves the database writer and the gateway of CPU.
    parse_slots: Arc<tokio::sync::Semaphore>,
}

impl App {
    pub fn new(config: Config, claims: ClaimSet, catalog: FeedCatalog, store: Store) -> anyhow::Result<App> {
        let feeds = FeedClient::new(config.fetch_limits.clone(), config.feed_allow_private)?;
        Ok(App {
            config: Arc::new(config),
            claims: Arc::new(claims),
            catalog: Arc::new(catalog),
            store,
            feeds,
            sending: Default::default(),
            parse_slots: Arc::new(tokio::sync::Semaphore::new(parse_slots())),
        })
    }
}

/// How many feeds may be parsed at once on this machine.
fn parse_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}
