use super::reasons::{decode_feed_failure, encode_feed_failure};
use super::{parse_ts, ts, with_db, with_tx, Store, WriteTx};
use chrono::{DateTime, Utc};
use claim_digest_domain::ids::FeedId;
use claim_digest_domain::records::FeedFailure;
use claim_digest_feeds::fetch::Validators;

pub use claim_digest_domain::records::FeedRecord;

/// What one fetch of a feed came to.
#[derive(Debug, Clone)]
pub enum FetchRecord {
    Success {
        title: Option<String>,
        validators: Validators,
        next_attempt_at: DateTime<Utc>,
    },
    NotModified {
        next_attempt_at: DateTime<Utc>,
    },
    Failure {
        error: FeedFailure,
        next_attempt_at: DateTime<Utc>,
    },
    /// Not fetched: its host was busy (FEED_HOST_RATE). The feed is held until `until`, keeping
    /// its due time so that it is still among the longest-waiting when the hold ends.
    Deferred {
        until: DateTime<Utc>,
    },
}

fn opt_ts(raw: Option<String>) -> anyhow::Result<Option<DateTime<Utc>>> {
    raw.as_deref().map(parse_ts).transpose()
}

/// A `feeds` row as stored.
#[derive(sqlx::FromRow)]
struct FeedRow {
    id: i64,
    url: String,
    title: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    last_attempt_at: Option<String>,
    last_success_at: Option<String>,
    last_error: Option<String>,
    failures: i64,
    failing_since: Option<String>,
    next_attempt_at: Option<String>,
    disabled_reason: Option<String>,
}

impl TryFrom<FeedRow> for FeedRecord {
    type Error = anyhow::Error;
    fn try_from(row: FeedRow) -> anyhow::Result<FeedRecord> {
        Ok(FeedRecord {
            id: FeedId(row.id),
            url: row.url,
            title: row.title,
            validators: Validators {
                etag: row.etag,
                last_modified: row.last_modified,
            },
            last_attempt_at: opt_ts(row.last_attempt_at)?,
            last_success_at: opt_ts(row.last_success_at)?,
            last_error: row.last_error.as_deref().map(decode_feed_failure),
            failures: row.failures as u32,
            failing_since: opt_ts(row.failing_since)?,
            next_attempt_at: opt_ts(row.next_attempt_at)?,
            disabled_reason: row.disabled_reason.as_deref().map(decode_feed_failure),
        })
    }
}

const FEED_COLUMNS: &str =
    "id, url, title, etag, last_modified, last_attempt_at, last_success_at, last_error, failures,
    failing_since, next_attempt_at, disabled_reason";

impl Store {
    /// The feed stored under `url`, created if new. One row per URL, however many servers use it.
    pub async fn upsert_feed(&self, url: &str) -> anyhow::Result<FeedRecord> {
        // Known feeds (every poll) are only read: no write, no wait for the writer slot.
        if let Some(feed) = self.feed_by_url(url).await? {
            return Ok(feed);
        }
        let sql = format!("INSERT INTO feeds (url) VALUES ($1) ON CONFLICT (url) DO NOTHING RETURNING {FEED_COLUMNS}");
        let writer = self.write_slot().await;
        let created: Option<FeedRow> = with_db!(self, db => sqlx::query_as(&sql).bind(url).fetch_optional(db).await)?;
        drop(writer);
        match created {
            Some(row) => FeedRecord::try_from(row),
            // Another process or task created it since our read.
            None => self
                .feed_by_url(url)
                .await?
                .ok_or_else(|| anyhow::anyhow!("feed {url} vanished after insert")),
        }
    }

    pub async fn feed_by_url(&self, url: &str) -> anyhow::Result<Option<FeedRecord>> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM feeds WHERE url = $1");
        let row: Option<FeedRow> = with_db!(self, db => sqlx::query_as(&sql).bind(url).fetch_optional(db).await)?;
        row.map(FeedRecord::try_from).transpose()
    }

    pub async fn feed(&self, id: FeedId) -> anyhow::Result<Option<FeedRecord>> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM feeds WHERE id = $1");
        let row: Option<FeedRow> = with_db!(self, db => sqlx::query_as(&sql).bind(id.0).fetch_optional(db).await)?;
        row.map(FeedRecord::try_from).transpose()
    }

    /// Leases up to `limit` of the feeds that are due at `now` (some server uses them, not
    /// disabled, next attempt come, not leased by anyone else) until `until`, and returns them,
    /// never-fetched and longest-waiting first. Processes sharing a database each get different
    /// feeds: PostgreSQL skips rows another transaction is leasing (FOR UPDATE SKIP LOCKED),
    /// SQLite has one writer at a time. Recording the fetch ends the lease.
    pub async fn lease_due_feeds(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> anyhow::Result<Vec<FeedRecord>> {
        let _writer = self.write_slot().await;
        let lock = self.skip_locked_rows();
        let sql = format!(
            "UPDATE feeds SET leased_until = $2 WHERE id IN (
               SELECT id FROM feeds WHERE disabled_reason IS NULL
                 AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                 AND (leased_until IS NULL OR leased_until <= $1)
                 AND EXISTS (SELECT 1 FROM guild_feeds g WHERE g.feed_id = feeds.id)
               ORDER BY COALESCE(next_attempt_at, ''), id LIMIT $3 {lock})
             RETURNING {FEED_COLUMNS}"
        );
        let rows: Vec<FeedRow> = with_db!(self, db => sqlx::query_as(&sql).bind(ts(now)).bind(ts(until)).bind(i64::from(limit)).fetch_all(db).await)?;
        let mut feeds = rows
            .into_iter()
            .map(FeedRecord::try_from)
            .collect::<anyhow::Result<Vec<_>>>()?;
        feeds.sort_by_key(|f| f.id.0);
        Ok(feeds)
    }

    /// Records what a fetch came to, and ends the feed's lease.
    pub async fn record_fetch(&self, id: FeedId, at: DateTime<Utc>, record: &FetchRecord) -> anyhow::Result<()> {
        let mut tx = self.write_tx().await?;
        record_fetch_in(&mut tx, id, at, record).await?;
        tx.commit().await
    }

    /// Disables a feed with a stored reason; true if this call disabled it (so that moderators
    /// are told once, not on every later attempt).
    pub async fn disable_feed(&self, id: FeedId, reason: &FeedFailure) -> anyhow::Result<bool> {
        let reason = encode_feed_failure(reason);
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("UPDATE feeds SET disabled_reason = $1 WHERE id = $2 AND disabled_reason IS NULL")
            .bind(reason)
            .bind(id.0)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Re-enables a feed and makes it due at once.
    pub async fn enable_feed(&self, id: FeedId) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query(
            "UPDATE feeds SET disabled_reason = NULL, failures = 0, failing_since = NULL, next_attempt_at = NULL,
               leased_until = NULL WHERE id = $1",
        )
        .bind(id.0)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }
}

impl FetchRecord {
    fn next_attempt_at(&self) -> DateTime<Utc> {
        match self {
            FetchRecord::Success { next_attempt_at, .. }
            | FetchRecord::NotModified { next_attempt_at }
            | FetchRecord::Failure { next_attempt_at, .. } => *next_attempt_at,
            FetchRecord::Deferred { until } => *until,
        }
    }
}

/// Records the outcome of a fetch inside `tx`, which also ends the feed's lease.
pub(super) async fn record_fetch_in(
    tx: &mut WriteTx,
    id: FeedId,
    at: DateTime<Utc>,
    record: &FetchRecord,
) -> anyhow::Result<()> {
    let (at, next) = (ts(at), ts(record.next_attempt_at()));
    with_tx!(*tx, conn => {
        let error = match record {
            FetchRecord::Failure { error, .. } => Some(encode_feed_failure(error)),
            _ => None,
        };
        let query = match record {
            FetchRecord::Success { title, validators, .. } => sqlx::query(
                "UPDATE feeds SET title = COALESCE($1, title), etag = $2, last_modified = $3, last_attempt_at = $4,
                   last_success_at = $4, last_error = NULL, failures = 0, failing_since = NULL,
                   next_attempt_at = $5, leased_until = NULL WHERE id = $6",
            )
            .bind(title)
            .bind(&validators.etag)
            .bind(&validators.last_modified)
            .bind(&at)
            .bind(&next),
            FetchRecord::NotModified { .. } => sqlx::query(
                "UPDATE feeds SET last_attempt_at = $1, last_success_at = $1, last_error = NULL, failures = 0,
                   failing_since = NULL, next_attempt_at = $2, leased_until = NULL WHERE id = $3",
            )
            .bind(&at)
            .bind(&next),
            FetchRecord::Failure { .. } => sqlx::query(
                "UPDATE feeds SET last_attempt_at = $1, last_error = $2, failures = failures + 1,
                   failing_since = COALESCE(failing_since, $1), next_attempt_at = $3, leased_until = NULL
                 WHERE id = $4",
            )
            .bind(&at)
            .bind(&error)
            .bind(&next),
            FetchRecord::Deferred { .. } => sqlx::query("UPDATE feeds SET leased_until = $1 WHERE id = $2").bind(&next),
        };
        query.bind(id.0).execute(&mut *conn).await.map(drop)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use claim_digest_domain::ids::GuildId;
    use claim_digest_domain::lang::Lang;
    use claim_digest_feeds::FeedSpec;

    fn specs(n: usize) -> Vec<FeedSpec> {
        (0..n)
            .map(|i| FeedSpec {
                name: format!("feed {i}"),
                url: format!("https://feeds{i}.example/rss"),
                language: None,
            })
            .collect()
    }

    #[tokio::test]
    async fn a_new_feed_added_by_many_tasks_at_once_is_one_row() {
        for store in crate::testing::stores().await {
            let url = "https://same.example/feed";
            let mut adds = tokio::task::JoinSet::new();
            for _ in 0..16 {
                let store = store.clone();
                adds.spawn(async move { store.upsert_feed(url).await.unwrap().id });
            }
            let ids = adds.join_all().await;
            assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
            assert_eq!(store.feed_by_url(url).await.unwrap().unwrap().id, ids[0]);
        }
    }

    #[tokio::test]
    async fn a_lease_hands_each_due_feed_to_one_poller_until_it_is_recorded_or_runs_out() {
        for store in crate::testing::stores().await {
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
            let lease = chrono::Duration::minutes(10);
            store.ensure_guild(GuildId(1), Lang::En, &specs(3), now).await.unwrap();
            // An unused feed is never due.
            store.upsert_feed("https://unused.example/rss").await.unwrap();

            let first = store.lease_due_feeds(now, now + lease, 2).await.unwrap();
            let second = store.lease_due_feeds(now, now + lease, 2).await.unwrap();
            assert_eq!((first.len(), second.len()), (2, 1), "{}", store.backend_name());
            assert!(first.iter().all(|f| f.id != second[0].id), "leases are disjoint");
            assert!(store.lease_due_feeds(now, now + lease, 2).await.unwrap().is_empty());

            // The first feed is fetched and recorded; the others' holder died.
            let next = now + chrono::Duration::minutes(30);
            store
                .record_fetch(first[0].id, now, &FetchRecord::NotModified { next_attempt_at: next })
                .await
                .unwrap();
            let after_expiry = now + lease + chrono::Duration::seconds(1);
            let retaken = store
                .lease_due_feeds(after_expiry, after_expiry + lease, 10)
                .await
                .unwrap();
            let mut ids: Vec<i64> = retaken.iter().map(|f| f.id.0).collect();
            ids.sort();
            let mut expected = vec![first[1].id.0, second[0].id.0];
            expected.sort();
            assert_eq!(
                ids, expected,
                "expired leases come back; the recorded feed waits for its next attempt"
            );
            let at_next = next + lease * 2;
            assert_eq!(
                store.lease_due_feeds(at_next, at_next + lease, 10).await.unwrap().len(),
                3
            );
        }
    }

    #[tokio::test]
    async fn a_servers_feeds_keep_the_order_they_were_added_in() {
        for store in crate::testing::stores().await {
            let now = Utc::now();
            store.ensure_guild(GuildId(5), Lang::Zh, &specs(2), now).await.unwrap();
            let extra = store.upsert_feed("https://extra.example/atom").await.unwrap();
            assert!(store.add_guild_feed(GuildId(5), extra.id, "extra").await.unwrap());
            assert!(!store.add_guild_feed(GuildId(5), extra.id, "again").await.unwrap());
            let names: Vec<String> = store
                .guild_feeds(GuildId(5))
                .await
                .unwrap()
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            assert_eq!(names, ["feed 0", "feed 1", "extra"], "{}", store.backend_name());
        }
    }

    #[tokio::test]
    async fn a_servers_list_stops_at_its_cap_and_a_held_feed_keeps_its_turn() {
        for store in crate::testing::stores().await {
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
            store.ensure_guild(GuildId(9), Lang::En, &specs(2), now).await.unwrap();
            let extra = store.upsert_feed("https://extra.example/atom").await.unwrap();
            let more = store.upsert_feed("https://more.example/atom").await.unwrap();
            use crate::AddFeed;
            assert_eq!(
                store.add_guild_feed_capped(GuildId(9), extra.id, "x", 3).await.unwrap(),
                AddFeed::Added
            );
            assert_eq!(
                store.add_guild_feed_capped(GuildId(9), extra.id, "x", 9).await.unwrap(),
                AddFeed::AlreadyThere
            );
            assert_eq!(
                store.add_guild_feed_capped(GuildId(9), more.id, "m", 3).await.unwrap(),
                AddFeed::Full
            );
            assert_eq!(
                store.guild_feed_ids(GuildId(9)).await.unwrap().len(),
                3,
                "{}",
                store.backend_name()
            );

            // A held feed is not leased until its hold ends, and is then leased first: it keeps
            // the due time it had.
            let lease = chrono::Duration::minutes(10);
            let all = store.lease_due_feeds(now, now + lease, 10).await.unwrap();
            assert_eq!(all.len(), 3);
            let held = all[2].id;
            let until = now + chrono::Duration::seconds(30);
            store
                .record_fetch(held, now, &FetchRecord::Deferred { until })
                .await
                .unwrap();
            for f in &all[..2] {
                let later = FetchRecord::NotModified {
                    next_attempt_at: now + chrono::Duration::seconds(10),
                };
                store.record_fetch(f.id, now, &later).await.unwrap();
            }
            let soon = now + chrono::Duration::seconds(20);
            let leased: Vec<FeedId> = store
                .lease_due_feeds(soon, soon + lease, 10)
                .await
                .unwrap()
                .iter()
                .map(|f| f.id)
                .collect();
            assert!(!leased.contains(&held) && leased.len() == 2, "{leased:?}");
            let after = now + lease * 4;
            let first = store.lease_due_feeds(after, after + lease, 1).await.unwrap();
            assert_eq!(first[0].id, held, "the held feed is still the longest-waiting");
            assert_eq!((first[0].failures, first[0].last_error.clone()), (0, None));
        }
    }

    #[tokio::test]
    async fn a_feed_filter_is_kept_per_server_and_cleared_by_an_empty_one() {
        use claim_digest_domain::filter::{parse_terms, FeedFilter};
        for store in crate::testing::stores().await {
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
            store.ensure_guild(GuildId(3), Lang::En, &specs(2), now).await.unwrap();
            store.ensure_guild(GuildId(4), Lang::En, &specs(2), now).await.unwrap();
            let feeds = store.guild_feed_ids(GuildId(3)).await.unwrap();
            let filter = FeedFilter::new(parse_terms("agents"), parse_terms("crypto, 加密货币")).unwrap();
            assert!(store.set_feed_filter(GuildId(3), feeds[1], &filter).await.unwrap());
            let unknown = store.upsert_feed("https://elsewhere.example/rss").await.unwrap();
            assert!(
                !store.set_feed_filter(GuildId(3), unknown.id, &filter).await.unwrap(),
                "a feed off the server's list has no filter to set"
            );
            let selection = store.guild_feed_selection(GuildId(3)).await.unwrap();
            assert_eq!(selection.feeds, feeds, "{}", store.backend_name());
            assert_eq!(selection.filters.len(), 1);
            assert_eq!(selection.filters[&feeds[1]], filter);
            assert!(
                store.guild_feed_selection(GuildId(4)).await.unwrap().filters.is_empty(),
                "another server reading the same feed is not filtered"
            );
            assert!(store
                .set_feed_filter(GuildId(3), feeds[1], &FeedFilter::default())
                .await
                .unwrap());
            assert!(store.guild_feed_selection(GuildId(3)).await.unwrap().filters.is_empty());
        }
    }

    #[tokio::test]
    async fn failure_reasons_are_stored_as_kinds_and_old_free_text_still_reads() {
        for store in crate::testing::stores().await {
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
            let feed = store.upsert_feed("https://gone.example/rss").await.unwrap();
            let failure = FetchRecord::Failure {
                error: FeedFailure::HttpStatus { code: 404 },
                next_attempt_at: now,
            };
            store.record_fetch(feed.id, now, &failure).await.unwrap();
            let parse = FeedFailure::NotAFeed {
                detail: "expected `<rss>` @everyone".into(),
            };
            assert!(store.disable_feed(feed.id, &parse).await.unwrap());
            let read = store.feed(feed.id).await.unwrap().unwrap();
            assert_eq!(
                (read.last_error, read.disabled_reason),
                (Some(FeedFailure::HttpStatus { code: 404 }), Some(parse)),
                "{}",
                store.backend_name()
            );

            // What an older version wrote: English free text, which must still be shown.
            let old = "HTTP status: the server answered HTTP 410";
            with_db!(store, db => sqlx::query("UPDATE feeds SET last_error = $1, disabled_reason = $1 WHERE id = $2")
                .bind(old)
                .bind(feed.id.0)
                .execute(db)
                .await
                .map(drop))
            .unwrap();
            let read = store.feed(feed.id).await.unwrap().unwrap();
            assert_eq!(read.last_error, Some(FeedFailure::Other(old.into())));
            assert_eq!(read.disabled_reason, Some(FeedFailure::Other(old.into())));
        }
    }
}
