//! The feed poller: fetches every due feed once, however many servers use it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::ingest::IngestOutcome;
use super::App;
use crate::feeds::FeedSource;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    pub fetched: usize,
    pub not_modified: usize,
    pub failed: usize,
    pub new_items: usize,
}

/// Feeds fetched at the same time.
const PARALLEL_FETCHES: usize = 8;

impl App {
    pub async fn run_poller_once(&self, now: DateTime<Utc>) -> anyhow::Result<PollOutcome> {
        let due = self.store.due_feeds(now).await?;
        let limit = Arc::new(Semaphore::new(PARALLEL_FETCHES));
        let mut jobs = JoinSet::new();
        for feed in due {
            let app = self.clone();
            let limit = limit.clone();
            jobs.spawn(async move {
                let _permit = limit.acquire_owned().await?;
                let source = FeedSource::Http(FeedSource::parse_remote(&feed.url)?);
                app.ingest(&source, None, now).await
            });
        }
        let mut outcome = PollOutcome::default();
        while let Some(done) = jobs.join_next().await {
            match done??.outcome {
                IngestOutcome::Stored { new, .. } => {
                    outcome.fetched += 1;
                    outcome.new_items += new;
                }
                IngestOutcome::NotModified => outcome.not_modified += 1,
                IngestOutcome::Failed(_) => outcome.failed += 1,
            }
        }
        Ok(outcome)
    }
}
