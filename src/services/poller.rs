//! The feed poller: fetches every due feed once, however many servers use it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::ingest::IngestOutcome;
use super::App;
use crate::domain::ids::{ChannelId, FeedId};
use crate::domain::lang::Lang;
use crate::feeds::FeedSource;
use crate::metrics::FetchResult;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    pub fetched: usize,
    pub not_modified: usize,
    pub failed: usize,
    pub new_items: usize,
    /// Feeds this pass disabled, with their reasons: moderators are told once.
    pub disabled: Vec<(FeedId, String)>,
}

/// Feeds fetched at the same time.
const PARALLEL_FETCHES: usize = 8;
/// Feeds leased at a time: small batches spread the due feeds over every process polling the
/// same database, and keep each lease short.
const LEASE_BATCH: u32 = 32;
/// The shortest lease: a process that dies holding one delays those feeds by this much.
const MIN_LEASE: chrono::Duration = chrono::Duration::minutes(10);

impl App {
    /// Fetches every feed due at `now`, batch by batch, leasing each batch in the database so
    /// that no other process polling the same database fetches the same URL.
    pub async fn run_poller_once(&self, now: DateTime<Utc>) -> anyhow::Result<PollOutcome> {
        // Long enough for the slowest batch: every feed on one host (2 at a time), each taking
        // the whole request timeout.
        let slowest = self.config.fetch_limits.request_timeout * LEASE_BATCH.div_ceil(2);
        let lease = MIN_LEASE.max(chrono::Duration::from_std(slowest)?);
        let mut outcome = PollOutcome::default();
        loop {
            // Fetched feeds get a later next attempt, so each lease returns feeds not seen yet.
            let batch = self.store.lease_due_feeds(now, now + lease, LEASE_BATCH).await?;
            if batch.is_empty() {
                return Ok(outcome);
            }
            self.fetch_batch(batch, now, &mut outcome).await?;
        }
    }

    async fn fetch_batch(
        &self,
        batch: Vec<crate::store::FeedRecord>,
        now: DateTime<Utc>,
        outcome: &mut PollOutcome,
    ) -> anyhow::Result<()> {
        let limit = Arc::new(Semaphore::new(PARALLEL_FETCHES));
        let mut jobs = JoinSet::new();
        for feed in batch {
            let app = self.clone();
            let limit = limit.clone();
            jobs.spawn(async move {
                let _permit = limit.acquire_owned().await?;
                let source = FeedSource::Http(FeedSource::parse_remote(&feed.url)?);
                let started = std::time::Instant::now();
                let report = app.ingest(&source, None, now).await?;
                anyhow::Ok((report, started.elapsed()))
            });
        }
        while let Some(done) = jobs.join_next().await {
            let (report, took) = done??;
            let result = match report.outcome {
                IngestOutcome::Stored { .. } => FetchResult::stored,
                IngestOutcome::NotModified => FetchResult::not_modified,
                IngestOutcome::Failed(_) | IngestOutcome::Disabled(_) => FetchResult::failed,
            };
            self.metrics.observe_feed_fetch(result, took);
            match report.outcome {
                IngestOutcome::Stored { new, .. } => {
                    outcome.fetched += 1;
                    outcome.new_items += new;
                }
                IngestOutcome::NotModified => outcome.not_modified += 1,
                IngestOutcome::Failed(_) => outcome.failed += 1,
                IngestOutcome::Disabled(reason) => {
                    outcome.failed += 1;
                    outcome.disabled.push((report.feed, reason));
                }
            }
        }
        Ok(())
    }

    /// What to tell each server about feeds that were just disabled: one notice per server and
    /// feed, for its digest channel, in the server's language.
    pub async fn disabled_feed_notices(&self, disabled: &[(FeedId, String)]) -> anyhow::Result<Vec<FeedNotice>> {
        let mut notices = Vec::new();
        for (feed, reason) in disabled {
            for (guild, name) in self.store.guilds_using_feed(*feed).await? {
                let Some(channel) = guild.channel else { continue };
                notices.push(FeedNotice {
                    channel,
                    lang: guild.language,
                    feed_name: name,
                    reason: reason.clone(),
                });
            }
        }
        Ok(notices)
    }
}

/// A feed that was disabled, to be told to one server.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedNotice {
    pub channel: ChannelId,
    pub lang: Lang,
    pub feed_name: String,
    pub reason: String,
}
