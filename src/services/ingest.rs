//! Fetching a feed and storing what is new, politely: conditional requests, the server's
//! max-age and Retry-After respected within bounds, exponential backoff on failure, and a feed
//! that keeps failing for a day disabled with its reason.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::ids::FeedId;
use crate::domain::records::FeedFailure;
pub use crate::domain::views::IngestOutcome;
use crate::feeds::discover::{self, LocateError, Located, ParseFeed};
use crate::feeds::fetch::Fetched;
use crate::feeds::{parse_feed, FeedSource, FetchError, ParseError, ParsedFeed};
use crate::store::FetchRecord;

#[derive(Debug, Clone)]
pub struct IngestReport {
    pub feed: FeedId,
    pub url: String,
    pub outcome: IngestOutcome,
}

/// The longest we wait between fetches of a healthy feed, whatever its max-age says.
const MAX_INTERVAL: Duration = Duration::from_secs(6 * 3600);
/// The first retry after a failure; it doubles with each failure in a row.
const FIRST_RETRY: Duration = Duration::from_secs(5 * 60);
/// The longest a server's Retry-After can hold us off.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Documents up to this size are parsed on the async worker itself (tens of microseconds).
const PARSE_INLINE_BYTES: usize = 16 * 1024;
/// Failures in a row before a feed can be disabled (and it must also have failed for a while).
const FAILURES_BEFORE_DISABLE: u32 = 3;

/// When to fetch a healthy feed again: the poll interval, or the server's max-age when longer,
/// but never later than [`MAX_INTERVAL`].
pub fn next_after_success(now: DateTime<Utc>, poll: Duration, max_age: Option<Duration>) -> DateTime<Utc> {
    let wait = max_age.map_or(poll, |age| age.clamp(poll, MAX_INTERVAL.max(poll)));
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6))
}

/// When to retry after the `failures`-th failure in a row: exponential backoff from
/// [`FIRST_RETRY`] up to [`MAX_INTERVAL`], or the server's Retry-After when that is longer.
pub fn next_after_failure(now: DateTime<Utc>, failures: u32, retry_after: Option<Duration>) -> DateTime<Utc> {
    let backoff = FIRST_RETRY
        .saturating_mul(1 << failures.saturating_sub(1).min(10))
        .min(MAX_INTERVAL);
    let wait = retry_after.map_or(backoff, |r| r.min(MAX_RETRY_AFTER).max(backoff));
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6))
}

enum Failure {
    Fetch(FetchError),
    Parse(ParseError),
}

impl Failure {
    /// What is stored and shown to people, in their language.
    fn reason(&self) -> FeedFailure {
        match self {
            Failure::Fetch(e) => e.failure(),
            Failure::Parse(e) => e.failure(),
        }
    }

    /// The whole cause in English, for the log.
    fn cause(&self) -> String {
        match self {
            Failure::Fetch(e) => format!("{}: {e}", e.category()),
            Failure::Parse(e) => format!("not a feed: {e}"),
        }
    }
}

/// Whether a failed fetch is recorded on its feed (its backoff, in time its disabling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failures {
    Recorded,
    Reported,
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
        self.ingest_with(source, name, now, Failures::Recorded).await
    }

    /// As [`App::ingest`], but a failure is only reported, never recorded on the feed: `preview`
    /// may read the database a bot serves from, and its fetches from another machine (offline,
    /// say) must not push back, or disable, feeds the bot polls for its servers.
    pub async fn ingest_for_preview(
        &self,
        source: &FeedSource,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<IngestReport> {
        self.ingest_with(source, name, now, Failures::Reported).await
    }

    async fn ingest_with(
        &self,
        source: &FeedSource,
        name: Option<&str>,
        now: DateTime<Utc>,
        failures: Failures,
    ) -> anyhow::Result<IngestReport> {
        let url = source.url();
        let feed = self.store.upsert_feed(&url).await?;
        let poll = self.config.feed_poll_interval;
        let validators = Some(&feed.validators).filter(|v| v.etag.is_some() || v.last_modified.is_some());
        let outcome = match self.feeds.fetch(source, validators).await {
            Ok(Fetched::NotModified { max_age }) => {
                let record = FetchRecord::NotModified {
                    next_attempt_at: next_after_success(now, poll, max_age),
                };
                self.store.record_fetch(feed.id, now, &record).await?;
                IngestOutcome::NotModified
            }
            Ok(Fetched::Body {
                final_url,
                bytes,
                validators,
                max_age,
                ..
            }) => match self.parse_off_thread(bytes, final_url, name, now).await? {
                Ok(parsed) => {
                    let record = FetchRecord::Success {
                        title: parsed.title.clone(),
                        validators,
                        next_attempt_at: next_after_success(now, poll, max_age),
                    };
                    let new = self
                        .store
                        .store_fetched_items(feed.id, &parsed.items, now, &record)
                        .await?;
                    if let (Some(embeddings), true) = (&self.embeddings, new > 0) {
                        embeddings.new_items_stored();
                    }
                    IngestOutcome::Stored {
                        title: parsed.title,
                        items: parsed.items.len(),
                        new,
                    }
                }
                Err(e) => self.fail(feed.id, now, Failure::Parse(e), failures).await?,
            },
            Err(FetchError::HostBusy { retry_after, .. }) => {
                let until = now + chrono::Duration::from_std(retry_after).unwrap_or(chrono::Duration::minutes(1));
                if failures == Failures::Recorded {
                    self.store
                        .record_fetch(feed.id, now, &FetchRecord::Deferred { until })
                        .await?;
                }
                IngestOutcome::Deferred { until }
            }
            Err(e) => self.fail(feed.id, now, Failure::Fetch(e), failures).await?,
        };
        Ok(IngestReport {
            feed: feed.id,
            url,
            outcome,
        })
    }

    /// Fetches a feed without storing anything, or, given a web page, finds the feed the page
    /// names (see [`discover::locate_feed`]): what `/feeds test` shows and what `/feeds add`
    /// checks before it adds. The error is text fit for a moderator.
    pub async fn locate_feed(&self, source: &FeedSource, now: DateTime<Utc>) -> Result<Located, LocateError> {
        discover::locate_feed(&self.feeds, source, &ParseOffThread { app: self, now }).await
    }

    /// Parsing is CPU work on untrusted input: beyond a small size it runs on the blocking pool,
    /// a few documents at a time, not on the async workers.
    async fn parse_off_thread(
        &self,
        bytes: Vec<u8>,
        final_url: String,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Result<ParsedFeed, ParseError>> {
        let max_items = self.feeds.limits().max_items;
        let name = name.map(str::to_string);
        let bytes_len = bytes.len();
        let parse = move || {
            // Entries with nothing to show (no title, summary or link) are not kept.
            parse_feed(&bytes, &final_url, name.as_deref(), now, max_items).map(|mut feed| {
                feed.items.retain(|item| !item.title.is_empty());
                feed
            })
        };
        // A small document parses in less time than handing it to another thread takes.
        if bytes_len <= PARSE_INLINE_BYTES {
            return Ok(parse());
        }
        let _slot = self.parse_slots.acquire().await?;
        Ok(tokio::task::spawn_blocking(parse).await?)
    }

    async fn fail(
        &self,
        feed: FeedId,
        now: DateTime<Utc>,
        failure: Failure,
        failures_are: Failures,
    ) -> anyhow::Result<IngestOutcome> {
        let reason = failure.reason();
        if failures_are == Failures::Reported {
            return Ok(IngestOutcome::Failed(reason));
        }
        let cause = failure.cause();
        let before = self.store.feed(feed).await?;
        let failures = before.as_ref().map_or(0, |f| f.failures) + 1;
        let retry_after = match &failure {
            Failure::Fetch(e) => e.retry_after(),
            Failure::Parse(_) => None,
        };
        let next_attempt_at = next_after_failure(now, failures, retry_after);
        let record = FetchRecord::Failure {
            error: reason.clone(),
            next_attempt_at,
        };
        self.store.record_fetch(feed, now, &record).await?;
        tracing::warn!(feed = feed.0, failures, error = %cause, "feed fetch failed");
        let failing_since = before.and_then(|f| f.failing_since).unwrap_or(now);
        let failing_for = (now - failing_since).to_std().unwrap_or_default();
        if failures >= FAILURES_BEFORE_DISABLE
            && failing_for >= self.config.feed_disable_after
            && self.store.disable_feed(feed, &reason).await?
        {
            tracing::warn!(feed = feed.0, reason = %cause, "feed disabled after failing for a day");
            return Ok(IngestOutcome::Disabled(reason));
        }
        Ok(IngestOutcome::Failed(reason))
    }
}

/// Discovery's parser for the bot: each document parsed as ingest parses it, off the async
/// workers when it is large.
pub(super) struct ParseOffThread<'a> {
    pub(super) app: &'a App,
    pub(super) now: DateTime<Utc>,
}

impl ParseFeed for ParseOffThread<'_> {
    async fn parse(&self, bytes: Vec<u8>, final_url: String) -> Result<ParsedFeed, ParseError> {
        // The only error besides the parser's own is a parse task that panicked or was
        // cancelled, which is the parser failing on this document.
        self.app
            .parse_off_thread(bytes, final_url, None, self.now)
            .await
            .unwrap_or_else(|e| Err(ParseError::Crashed(format!("{e:#}"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn success_waits_the_poll_interval_or_a_longer_max_age_within_bounds() {
        let now = at("2026-11-28T00:00:00Z");
        let poll = Duration::from_secs(1800);
        assert_eq!(next_after_success(now, poll, None), at("2026-11-28T00:30:00Z"));
        assert_eq!(
            next_after_success(now, poll, Some(Duration::from_secs(60))),
            at("2026-11-28T00:30:00Z")
        );
        assert_eq!(
            next_after_success(now, poll, Some(Duration::from_secs(7200))),
            at("2026-11-28T02:00:00Z")
        );
        assert_eq!(
            next_after_success(now, poll, Some(Duration::from_secs(864_000))),
            at("2026-11-28T06:00:00Z")
        );
    }

    #[test]
    fn failures_back_off_exponentially_and_honour_retry_after() {
        let now = at("2026-11-28T00:00:00Z");
        assert_eq!(next_after_failure(now, 1, None), at("2026-11-28T00:05:00Z"));
        assert_eq!(next_after_failure(now, 2, None), at("2026-11-28T00:10:00Z"));
        assert_eq!(next_after_failure(now, 4, None), at("2026-11-28T00:40:00Z"));
        assert_eq!(next_after_failure(now, 30, None), at("2026-11-28T06:00:00Z"));
        assert_eq!(
            next_after_failure(now, 1, Some(Duration::from_secs(3600))),
            at("2026-11-28T01:00:00Z")
        );
        assert_eq!(
            next_after_failure(now, 1, Some(Duration::from_secs(10))),
            at("2026-11-28T00:05:00Z")
        );
        assert_eq!(
            next_after_failure(now, 1, Some(Duration::from_secs(10 * 86400))),
            at("2026-11-29T00:00:00Z")
        );
    }
}
