use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{parse_ts, ts, Store};
use crate::domain::ids::FeedId;
use crate::feeds::fetch::Validators;

#[derive(Debug, Clone, PartialEq)]
pub struct FeedRecord {
    pub id: FeedId,
    pub url: String,
    pub title: Option<String>,
    pub validators: Validators,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub failures: u32,
    pub failing_since: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
}

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
        error: String,
        next_attempt_at: DateTime<Utc>,
    },
}

fn opt_ts(raw: Option<String>) -> anyhow::Result<Option<DateTime<Utc>>> {
    raw.as_deref().map(parse_ts).transpose()
}

fn to_record(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<FeedRecord> {
    Ok(FeedRecord {
        id: FeedId(row.try_get("id")?),
        url: row.try_get("url")?,
        title: row.try_get("title")?,
        validators: Validators {
            etag: row.try_get("etag")?,
            last_modified: row.try_get("last_modified")?,
        },
        last_attempt_at: opt_ts(row.try_get("last_attempt_at")?)?,
        last_success_at: opt_ts(row.try_get("last_success_at")?)?,
        last_error: row.try_get("last_error")?,
        failures: row.try_get::<i64, _>("failures")? as u32,
        failing_since: opt_ts(row.try_get("failing_since")?)?,
        next_attempt_at: opt_ts(row.try_get("next_attempt_at")?)?,
        disabled_reason: row.try_get("disabled_reason")?,
    })
}

const FEED_COLUMNS: &str =
    "id, url, title, etag, last_modified, last_attempt_at, last_success_at, last_error, failures,
    failing_since, next_attempt_at, disabled_reason";

impl Store {
    /// The feed stored under `url`, created if new. One row per URL, however many servers use it.
    pub async fn upsert_feed(&self, url: &str) -> anyhow::Result<FeedRecord> {
        let _writer = self.writer.lock().await;
        sqlx::query("INSERT INTO feeds (url) VALUES (?) ON CONFLICT (url) DO NOTHING")
            .bind(url)
            .execute(&self.pool)
            .await?;
        self.feed_by_url(url)
            .await?
            .ok_or_else(|| anyhow::anyhow!("feed {url} vanished after insert"))
    }

    pub async fn feed_by_url(&self, url: &str) -> anyhow::Result<Option<FeedRecord>> {
        let row = sqlx::query(&format!("SELECT {FEED_COLUMNS} FROM feeds WHERE url = ?"))
            .bind(url)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(to_record).transpose()
    }

    pub async fn feed(&self, id: FeedId) -> anyhow::Result<Option<FeedRecord>> {
        let row = sqlx::query(&format!("SELECT {FEED_COLUMNS} FROM feeds WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(to_record).transpose()
    }

    /// Feeds some server uses, not disabled, whose next attempt is due at `now`.
    pub async fn due_feeds(&self, now: DateTime<Utc>) -> anyhow::Result<Vec<FeedRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {FEED_COLUMNS} FROM feeds WHERE disabled_reason IS NULL
               AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
               AND EXISTS (SELECT 1 FROM guild_feeds g WHERE g.feed_id = feeds.id)
             ORDER BY id"
        ))
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(to_record).collect()
    }

    pub async fn record_fetch(&self, id: FeedId, at: DateTime<Utc>, record: &FetchRecord) -> anyhow::Result<()> {
        let _writer = self.writer.lock().await;
        let query = match record {
            FetchRecord::Success {
                title,
                validators,
                next_attempt_at,
            } => sqlx::query(
                "UPDATE feeds SET title = COALESCE(?, title), etag = ?, last_modified = ?, last_attempt_at = ?,
                   last_success_at = ?, last_error = NULL, failures = 0, failing_since = NULL, next_attempt_at = ? WHERE id = ?",
            )
            .bind(title)
            .bind(&validators.etag)
            .bind(&validators.last_modified)
            .bind(ts(at))
            .bind(ts(at))
            .bind(ts(*next_attempt_at)),
            FetchRecord::NotModified { next_attempt_at } => sqlx::query(
                "UPDATE feeds SET last_attempt_at = ?, last_success_at = ?, last_error = NULL, failures = 0,
                   failing_since = NULL, next_attempt_at = ? WHERE id = ?",
            )
            .bind(ts(at))
            .bind(ts(at))
            .bind(ts(*next_attempt_at)),
            FetchRecord::Failure { error, next_attempt_at } => sqlx::query(
                "UPDATE feeds SET last_attempt_at = ?, last_error = ?, failures = failures + 1,
                   failing_since = COALESCE(failing_since, ?), next_attempt_at = ? WHERE id = ?",
            )
            .bind(ts(at))
            .bind(error)
            .bind(ts(at))
            .bind(ts(*next_attempt_at)),
        };
        query.bind(id.0).execute(&self.pool).await?;
        Ok(())
    }

    /// Disables a feed with a stored reason; true if this call disabled it (so that moderators
    /// are told once, not on every later attempt).
    pub async fn disable_feed(&self, id: FeedId, reason: &str) -> anyhow::Result<bool> {
        let _writer = self.writer.lock().await;
        let done = sqlx::query("UPDATE feeds SET disabled_reason = ? WHERE id = ? AND disabled_reason IS NULL")
            .bind(reason)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Re-enables a feed and makes it due at once.
    pub async fn enable_feed(&self, id: FeedId) -> anyhow::Result<()> {
        let _writer = self.writer.lock().await;
        sqlx::query(
            "UPDATE feeds SET disabled_reason = NULL, failures = 0, failing_since = NULL, next_attempt_at = NULL WHERE id = ?",
        )
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
