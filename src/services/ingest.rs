//! Fetching a feed and storing what is new.

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::ids::FeedId;
use crate::feeds::fetch::Fetched;
use crate::feeds::{parse_feed, FeedSource};
use crate::store::FetchRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    Stored {
        title: Option<String>,
        items: usize,
        new: usize,
    },
    NotModified,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct IngestReport {
    pub feed: FeedId,
    pub url: String,
    pub outcome: IngestOutcome,
}

impl App {
    /// Fetches `source` (conditionally, when we have validators), parses it and stores new items.
    /// Failures are recorded on the feed and reported, never raised: one bad feed must not stop
    /// the others. Only a database failure is an error.
    pub async fn ingest(
        &self,
        source: &FeedSource,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<IngestReport> {
        let url = source.url();
        let feed = self.store.upsert_feed(&url).await?;
        let next = now + chrono::Duration::from_std(self.config.feed_poll_interval)?;
        let validators = Some(&feed.validators).filter(|v| v.etag.is_some() || v.last_modified.is_some());
        let outcome = match self.feeds.fetch(source, validators).await {
            Ok(Fetched::NotModified) => {
                self.store
                    .record_fetch(feed.id, now, &FetchRecord::NotModified { next_attempt_at: next })
                    .await?;
                IngestOutcome::NotModified
            }
            Ok(Fetched::Body {
                final_url,
                bytes,
                validators,
                ..
            }) => {
                let max_items = self.feeds.limits().max_items;
                // Parsing is CPU work on untrusted input: keep it off the async workers.
                let parsed = tokio::task::spawn_blocking({
                    let name = name.map(str::to_string);
                    move || parse_feed(&bytes, &final_url, name.as_deref(), now, max_items)
                })
                .await?;
                match parsed {
                    Ok(parsed) => {
                        let new = self.store.insert_items(feed.id, &parsed.items).await?;
                        let record = FetchRecord::Success {
                            title: parsed.title.clone(),
                            validators,
                            next_attempt_at: next,
                        };
                        self.store.record_fetch(feed.id, now, &record).await?;
                        IngestOutcome::Stored {
                            title: parsed.title,
                            items: parsed.items.len(),
                            new,
                        }
                    }
                    Err(e) => self.fail(feed.id, now, e.to_string()).await?,
                }
            }
            Err(e) => self.fail(feed.id, now, e.to_string()).await?,
        };
        Ok(IngestReport {
            feed: feed.id,
            url,
            outcome,
        })
    }

    async fn fail(&self, feed: FeedId, now: DateTime<Utc>, error: String) -> anyhow::Result<IngestOutcome> {
        // Retry sooner than a full interval, but not in a tight loop.
        let next = now + chrono::Duration::minutes(5);
        self.store
            .record_fetch(
                feed,
                now,
                &FetchRecord::Failure {
                    error: error.clone(),
                    next_attempt_at: next,
                },
            )
            .await?;
        tracing::warn!(feed = feed.0, %error, "feed fetch failed");
        Ok(IngestOutcome::Failed(error))
    }
}
