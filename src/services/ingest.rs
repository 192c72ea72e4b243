//! Fetching a feed and storing what is new.

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::ids::FeedId;
use crate::feeds::fetch::Fetched;
use crate::feeds::{parse_feed, FeedSource, ParseError, ParsedFeed};
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
                let record = FetchRecord::NotModified { next_attempt_at: next };
                self.store.record_fetch(feed.id, now, &record).await?;
                IngestOutcome::NotModified
            }
            Ok(Fetched::Body {
                final_url,
                bytes,
                validators,
                ..
            }) => match self.parse_off_thread(bytes, final_url, name, now).await? {
                Ok(parsed) => {
                    let new = self.store.insert_items(feed.id, &parsed.items).await?;
                    let title = parsed.title.clone();
                    let record = FetchRecord::Success {
                        title,
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
            },
            Err(e) => self.fail(feed.id, now, e.to_string()).await?,
        };
        Ok(IngestReport {
            feed: feed.id,
            url,
            outcome,
        })
    }

    /// Fetches and parses a feed without storing anything: what `/feeds test` shows and what
    /// `/feeds add` checks before it adds. The error is text fit for a moderator.
    pub async fn probe_feed(
        &self,
        source: &FeedSource,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Result<ParsedFeed, String>> {
        match self.feeds.fetch(source, None).await {
            Ok(Fetched::Body { final_url, bytes, .. }) => Ok(self
                .parse_off_thread(bytes, final_url, None, now)
                .await?
                .map_err(|e| e.to_string())),
            Ok(Fetched::NotModified) => Ok(Err("the server answered 304 Not Modified to a plain request".into())),
            Err(e) => Ok(Err(e.to_string())),
        }
    }

    /// Parsing is CPU work on untrusted input: it runs on the blocking pool, not the async workers.
    async fn parse_off_thread(
        &self,
        bytes: Vec<u8>,
        final_url: String,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Result<ParsedFeed, ParseError>> {
        let max_items = self.feeds.limits().max_items;
        let name = name.map(str::to_string);
        let parse = move || parse_feed(&bytes, &final_url, name.as_deref(), now, max_items);
        Ok(tokio::task::spawn_blocking(parse).await?)
    }

    async fn fail(&self, feed: FeedId, now: DateTime<Utc>, error: String) -> anyhow::Result<IngestOutcome> {
        // Retry sooner than a full interval, but not in a tight loop.
        let next = now + chrono::Duration::minutes(5);
        let record = FetchRecord::Failure {
            error: error.clone(),
            next_attempt_at: next,
        };
        self.store.record_fetch(feed, now, &record).await?;
        tracing::warn!(feed = feed.0, %error, "feed fetch failed");
        Ok(IngestOutcome::Failed(error))
    }
}
