//! The store: the one owner of the database pool and the only place with SQL. One file per
//! aggregate; every method returns domain types. Callers never see the backend, so another
//! (PostgreSQL) can be added behind this type without touching them.

mod feeds;
mod guilds;
mod items;
mod members;
mod posts;
mod votes;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use feeds::{FeedRecord, FetchRecord};
pub use guilds::{GuildSettings, GuildUpdate};
pub use members::Resolution;
pub use posts::{NewPost, Post, PostStatus, Reservation};
pub use votes::{VoteChange, VoteSource};

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// One writer at a time inside this process: every method that writes takes it first.
    /// SQLite allows one writer anyway; queueing here wakes the next writer as soon as the lock is
    /// free, where SQLite's busy handler would sleep for up to 100 ms between tries.
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction holding the process's writer slot; dereferences to the connection.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _writer: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> anyhow::Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl Store {
    /// Opens (creating on first start) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("DATABASE_URL `{url}` is not a SQLite URL (sqlite://path/to/file.db)"))?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = Path::new(options.get_filename()).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating the database folder {}", parent.display()))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("opening database {url}"))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("running database migrations")?;
        Ok(Store {
            pool,
            writer: Default::default(),
        })
    }

    /// A private in-memory database, for tests.
    pub async fn in_memory() -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: each in-memory connection would otherwise be its own empty database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            writer: Default::default(),
        })
    }

    /// A transaction that takes SQLite's write lock at once (BEGIN IMMEDIATE). Two deferred
    /// transactions that read and then both try to write fail with "database is locked" no
    /// matter the busy timeout; taking the lock first makes writers queue behind it instead.
    async fn write_tx(&self) -> anyhow::Result<WriteTx> {
        let writer = self.writer.clone().lock_owned().await;
        Ok(WriteTx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            _writer: writer,
        })
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Timestamps are stored as RFC 3339 UTC text with a fixed width, so text order is time order.
fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_ts(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(raw)
        .with_context(|| format!("bad timestamp `{raw}` in database"))?
        .with_timezone(&Utc))
}
