//! The store: the one owner of the database pool and the only place with SQL. One file per
//! aggregate; every method returns domain types. Two backends, SQLite (embedded, the default) and
//! PostgreSQL (several processes sharing one database), chosen by DATABASE_URL; callers never
//! see which.

mod backup;
mod evidence;
mod feeds;
mod guilds;
mod items;
mod members;
mod postgres_url;
mod posts;
mod reasons;
mod recaps;
mod schema;
mod sites;
mod suggestions;
mod term_stats;
mod vectors;
mod votes;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use backup::{integrity_check, partial_path, BackupCopy};
pub use evidence::{NewEvidence, NewMark};
pub use feeds::{FeedRecord, FetchRecord};
pub use guilds::{AddFeed, GuildSettings, GuildUpdate};
pub use items::{PruneBatch, PruneCursor, PruneOutcome, KEPT_ITEM_TABLES};
pub use posts::{NewPost, Post, PostStatus, Reservation};
pub use recaps::{NewRecap, RecapRecord, RecapReservation};
pub use schema::{schema_status, SchemaStatus};
pub use sites::SiteOwner;
pub use suggestions::NewSuggestion;
pub use votes::{VoteChange, VoteSource};

/// Runs `$body` with `$db` bound to the backend's pool. The body is compiled once per backend, so
/// each query is written once, in SQL both understand (`$1` parameters, `ON CONFLICT`, `RETURNING`).
macro_rules! with_db {
    ($store:expr, $db:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($db) => $body,
            $crate::Backend::Postgres($db) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the open write transaction's connection, once per backend.
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx {
            $crate::WriteTx::Sqlite { tx, .. } => {
                let $conn = &mut **tx;
                $body
            }
            $crate::WriteTx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

use {with_db, with_tx};

/// The database behind the store: SQLite (embedded, the default) or PostgreSQL (shared by several
/// processes). Nothing outside this module knows which.
#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// One writer at a time inside this process (SQLite only): every method that writes takes it
    /// first. SQLite allows one writer anyway; queueing here wakes the next writer as soon as the
    /// lock is free, where SQLite's busy handler would sleep for up to 100 ms between tries.
    /// PostgreSQL locks rows, so writers there do not queue.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Bumped whenever a server's schedule changes through this handle, so that the daily poster
    /// re-plans its next wake-up at once.
    schedules: Arc<tokio::sync::watch::Sender<u64>>,
}

/// A write transaction (holding the process's writer slot on SQLite).
pub(crate) enum WriteTx {
    Sqlite {
        tx: sqlx::Transaction<'static, sqlx::Sqlite>,
        _writer: tokio::sync::OwnedMutexGuard<()>,
    },
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteTx {
    pub(crate) async fn commit(self) -> anyhow::Result<()> {
        match self {
            WriteTx::Sqlite { tx, .. } => tx.commit().await?,
            WriteTx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Whether `error` means the database could not be reached or could not take the write (server
/// down, pool timed out, disk full, locked): a person is told to try again, not that the bot broke.
pub fn is_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| match cause.downcast_ref::<sqlx::Error>() {
        Some(
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed,
        ) => true,
        Some(sqlx::Error::Database(db)) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    })
}

/// SQLite result codes (extended codes carry the primary one in the low byte) and PostgreSQL
/// SQLSTATEs that mean "not now" rather than "wrong".
fn unavailable_code(code: &str) -> bool {
    if let Ok(sqlite) = code.parse::<i32>() {
        // BUSY, LOCKED, IOERR, FULL, CANTOPEN
        return matches!(sqlite & 0xff, 5 | 6 | 10 | 13 | 14);
    }
    // Connection exceptions, insufficient resources (disk full, too many connections), operator
    // intervention (shutdown, cannot connect now).
    code.starts_with("08") || code.starts_with("53") || code.starts_with("57P")
}

/// Which database a DATABASE_URL names (a URL's scheme is case-insensitive).
pub fn is_postgres_url(url: &str) -> bool {
    matches!(scheme(url).as_deref(), Some("postgres" | "postgresql"))
}

/// The scheme of a URL, lower-cased: what comes before `:`, when that is a scheme at all.
fn scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.trim().split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// SQLite's options for a DATABASE_URL that is not PostgreSQL's. A URL of another scheme is
/// refused before SQLite reads it as a file name; no message repeats the URL, which may hold a
/// password.
pub(crate) fn sqlite_options(url: &str) -> anyhow::Result<SqliteConnectOptions> {
    let refused = || {
        anyhow::anyhow!(
            "DATABASE_URL is neither a SQLite URL (sqlite://path/to/file.db) nor a PostgreSQL one (postgres://...)"
        )
    };
    match scheme(url).as_deref() {
        Some("sqlite") => {}
        _ if url.contains("://") => return Err(refused()),
        _ => {}
    }
    SqliteConnectOptions::from_str(url.trim()).map_err(|_| refused())
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date: `sqlite://path` (the file and
    /// its folder created on first start) or `postgres://user:password@host/database`.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let backend = if is_postgres_url(url) {
            Backend::Postgres(open_postgres(url).await?)
        } else {
            Backend::Sqlite(open_sqlite(url).await?)
        };
        Ok(Store {
            backend,
            writer: Default::default(),
            schedules: Default::default(),
        })
    }

    /// Opens the database at `url` as it is, applying no migration: for the commands an operator
    /// runs beside the bot (`backup`, `tally export`), where a newer binary must not upgrade the
    /// schema under the older bot still serving from it. A SQLite file is never created.
    pub async fn open_existing(url: &str) -> anyhow::Result<Store> {
        let backend = if is_postgres_url(url) {
            Backend::Postgres(connect_postgres(url).await?.0)
        } else {
            Backend::Sqlite(open_existing_sqlite(url).await?)
        };
        Ok(Store {
            backend,
            writer: Default::default(),
            schedules: Default::default(),
        })
    }

    /// As [`Store::open_existing`], for commands whose queries are this build's: a schema that is
    /// not exactly this build's is refused, the error saying what to do.
    pub async fn open_current(url: &str) -> anyhow::Result<Store> {
        let store = Store::open_existing(url).await?;
        let refusal = match store.schema_status().await {
            Ok(status) => status.refusal(),
            Err(e) => Some(format!("{e:#}")),
        };
        if let Some(refusal) = refusal {
            store.close().await;
            anyhow::bail!(refusal);
        }
        Ok(store)
    }

    /// A private in-memory SQLite database, for tests.
    pub async fn in_memory() -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: each in-memory connection would otherwise be its own empty database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("../../migrations/sqlite").run(&pool).await?;
        Ok(Store {
            backend: Backend::Sqlite(pool),
            writer: Default::default(),
            schedules: Default::default(),
        })
    }

    /// The same database through connections of its own (SQLite), for work that must not take
    /// connections from the bot's requests: the tally pages. Each SQLite connection runs on a
    /// thread started by the task that opens it, so a caller on a thread of lower priority gets
    /// connections of lower priority too. PostgreSQL (whose work runs in the server) and an
    /// in-memory database (which a second pool would not see) share the one pool.
    pub async fn with_own_connections(&self, max_connections: u32) -> anyhow::Result<Store> {
        let backend = match &self.backend {
            // An in-memory database has no file (sqlx names it `file:sqlx-in-memory-N`).
            Backend::Sqlite(pool) if pool.connect_options().get_filename().is_file() => {
                let options = (*pool.connect_options()).clone();
                let own = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .context("opening more connections to the SQLite database")?;
                Backend::Sqlite(own)
            }
            shared => shared.clone(),
        };
        Ok(Store {
            backend,
            writer: self.writer.clone(),
            schedules: self.schedules.clone(),
        })
    }

    /// `"sqlite"` or `"postgres"`, for logs and /healthz.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// A write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE): two
    /// deferred transactions that read and then both try to write fail with "database is locked"
    /// no matter the busy timeout; taking the lock first makes writers queue behind it instead.
    async fn write_tx(&self) -> anyhow::Result<WriteTx> {
        Ok(match &self.backend {
            Backend::Sqlite(pool) => {
                let writer = self.writer.clone().lock_owned().await;
                WriteTx::Sqlite {
                    tx: pool.begin_with("BEGIN IMMEDIATE").await?,
                    _writer: writer,
                }
            }
            Backend::Postgres(pool) => WriteTx::Postgres(pool.begin().await?),
        })
    }

    /// The process's writer slot for a single-statement write (SQLite); nothing on PostgreSQL.
    async fn write_slot(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite(_) => Some(self.writer.lock().await),
            Backend::Postgres(_) => None,
        }
    }

    /// The clause that makes a subquery skip rows another transaction has locked (PostgreSQL), or
    /// nothing (SQLite, where a write transaction already excludes every other writer).
    fn skip_locked_rows(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "",
            Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// Changes whenever a schedule is set up, paused or resumed through this store (or a clone).
    pub fn schedule_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.schedules.subscribe()
    }

    fn schedule_changed(&self) {
        self.schedules.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        with_db!(self, db => sqlx::query("SELECT 1").execute(db).await.map(drop))?;
        Ok(())
    }

    pub async fn close(&self) {
        with_db!(self, db => db.close().await)
    }
}

/// A few connections to an existing SQLite file, its journal mode (WAL, set by the bot) left as
/// it is: the commands that use them read, or copy, beside the bot.
async fn open_existing_sqlite(url: &str) -> anyhow::Result<SqlitePool> {
    let options = sqlite_options(url)?
        .create_if_missing(false)
        .foreign_keys(true)
        .pragma("temp_store", "memory")
        .busy_timeout(Duration::from_secs(10));
    let file = options.get_filename().to_path_buf();
    if file != std::path::Path::new(":memory:") && !file.exists() {
        anyhow::bail!("there is no database at DATABASE_URL yet ({})", file.display());
    }
    SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {}", file.display()))
}

async fn open_sqlite(url: &str) -> anyhow::Result<SqlitePool> {
    let options = sqlite_options(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        // Multi-row statements keep an undo journal while they run; in memory, not a temp file.
        .pragma("temp_store", "memory")
        .busy_timeout(Duration::from_secs(10));
    let file = options.get_filename().to_path_buf();
    if let Some(parent) = file.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the database folder {}", parent.display()))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // sqlx pings a connection before lending it out, a round trip to the connection's own
        // thread on every query. A SQLite connection is a file handle in this process and cannot
        // go stale like a network one; the pool still checks each connection when it comes back.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {}", file.display()))?;
    sqlx::migrate!("../../migrations/sqlite")
        .run(&pool)
        .await
        .context("running database migrations")?;
    Ok(pool)
}

/// How long a query waits for a PostgreSQL connection (including reconnecting) before failing.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

async fn open_postgres(url: &str) -> anyhow::Result<PgPool> {
    let (pool, place) = connect_postgres(url).await?;
    // Several processes may start at once: the migrator takes an advisory lock so that one of
    // them migrates and the others wait for it.
    sqlx::migrate!("../../migrations/postgres")
        .run(&pool)
        .await
        .with_context(|| format!("running database migrations on {place}"))?;
    Ok(pool)
}

/// The pool, and where it connects as errors may say it.
async fn connect_postgres(url: &str) -> anyhow::Result<(PgPool, String)> {
    // The URL holds the password: errors name the host and database, never the URL itself.
    let options = postgres_url::postgres_options(url)?;
    let place = format!(
        "PostgreSQL database `{}` on {}:{}",
        options.get_database().unwrap_or("(default)"),
        options.get_host(),
        options.get_port()
    );
    let pool = PgPoolOptions::new()
        .max_connections(16)
        // A dead server must fail a request fast: a vote is answered within Discord's 3 s
        // either way, and /healthz says the database is down instead of hanging.
        .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .with_context(|| format!("connecting to {place}"))?;
    Ok((pool, place))
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

/// Scratch databases for the tests and benchmarks, on both backends.
#[doc(hidden)]
pub mod testing {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Says that a test skipped and why, straight to stderr: the test harness hides what a
    /// passing test prints with `eprintln!`, and a skip must be seen.
    pub fn say_skipped(why: &str) {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
    }

    /// The PostgreSQL server tests may create databases on (an admin URL), if one is configured.
    /// CI always configures one, so there a missing URL is an error rather than a silent skip.
    pub fn postgres_admin_url() -> Option<String> {
        match std::env::var("TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ if std::env::var_os("CI").is_some() => {
                panic!("CI runs every store test on PostgreSQL too: set TEST_POSTGRES_URL (.ci/postgres start)")
            }
            _ => None,
        }
    }

    /// Creates an empty database on the server at `admin_url` and returns its URL.
    pub async fn scratch_postgres_database(admin_url: &str) -> anyhow::Result<String> {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "claim_digest_test_{}_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed),
            Utc::now().timestamp_micros()
        );
        let admin = PgConnectOptions::from_str(admin_url)?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(admin.clone())
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await?;
        pool.close().await;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        Ok(url.to_string())
    }

    /// Caps the SQLite file at its present size (`None`) or at `pages` pages, on every pooled
    /// connection: a full disk, simulated. Returns the cap. SQLite only.
    pub async fn limit_sqlite_pages(store: &Store, pages: Option<u64>) -> anyhow::Result<u64> {
        let Backend::Sqlite(pool) = &store.backend else {
            anyhow::bail!("a page limit is a SQLite setting");
        };
        // max_page_count belongs to a connection: hold every connection of the pool and set it
        // on each.
        let mut connections = Vec::new();
        for _ in 0..pool.options().get_max_connections() {
            connections.push(pool.acquire().await?);
        }
        let cap = match pages {
            Some(pages) => pages,
            None => {
                let (pages,): (i64,) = sqlx::query_as("PRAGMA page_count")
                    .fetch_one(&mut *connections[0])
                    .await?;
                pages as u64
            }
        };
        for connection in &mut connections {
            sqlx::query(&format!("PRAGMA max_page_count = {cap}"))
                .execute(&mut **connection)
                .await?;
        }
        Ok(cap)
    }

    /// Unrecords the latest migration, so that the database reads as one of the build before
    /// (its tables left as they are); returns its version.
    pub async fn forget_latest_migration(store: &Store) -> anyhow::Result<i64> {
        let sql = "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations) RETURNING version";
        Ok(with_db!(store, db => sqlx::query_scalar(sql).fetch_one(db).await)?)
    }

    /// `PRAGMA integrity_check`'s answer ("ok" for a sound file). SQLite only.
    pub async fn sqlite_integrity(store: &Store) -> anyhow::Result<String> {
        let Backend::Sqlite(pool) = &store.backend else {
            anyhow::bail!("an integrity check is a SQLite statement");
        };
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check").fetch_all(pool).await?;
        Ok(rows.into_iter().map(|(line,)| line).collect::<Vec<_>>().join("\n"))
    }

    /// One empty store per backend the machine offers: SQLite in memory, and PostgreSQL when
    /// TEST_POSTGRES_URL names a server.
    pub async fn stores() -> Vec<Store> {
        let mut stores = vec![Store::in_memory().await.expect("in-memory SQLite")];
        if let Some(admin) = postgres_admin_url() {
            let url = scratch_postgres_database(&admin)
                .await
                .expect("creating a PostgreSQL test database");
            stores.push(Store::open(&url).await.expect("opening the PostgreSQL test database"));
        } else {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                say_skipped("the PostgreSQL half of the store's tests: TEST_POSTGRES_URL is not set (.ci/postgres starts a server)")
            });
        }
        stores
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use claim_digest_domain::ids::{ChannelId, GuildId, PostId, UserId};
    use claim_digest_domain::lang::Lang;
    use claim_digest_domain::news::NewsItem;
    use claim_digest_domain::votes::{Choice, Question};

    #[test]
    fn database_urls_are_told_apart_by_scheme_in_any_case() {
        assert!(is_postgres_url("postgres://bot:pw@db/claims"));
        assert!(is_postgres_url("PostgreSQL://bot:pw@db/claims"));
        assert!(is_postgres_url(" POSTGRES://bot:pw@db/claims "));
        assert!(!is_postgres_url("sqlite://data/claims.db"));
        assert!(!is_postgres_url("data/postgres://x"));
        assert!(sqlite_options("sqlite://data/claims.db").is_ok());
        assert!(sqlite_options("SQLITE::memory:").is_ok());
    }

    /// A URL of no database the bot knows is refused, not read as a file name (which would create
    /// a folder named after its password), and the refusal does not repeat it.
    #[tokio::test]
    async fn an_unknown_database_url_is_refused_without_repeating_it() {
        for url in [
            "\"postgres://bot:hunter2@db/claims\"".to_string(),
            "mysql://bot:hunter2@db/claims?sslmode=require".to_string(),
        ] {
            let error = format!("{:#}", Store::open(&url).await.err().expect("refused"));
            assert!(error.contains("neither a SQLite URL"), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
            let status = format!("{:#}", schema_status(&url).await.expect_err("refused"));
            assert!(!status.contains("hunter2"), "{status}");
        }
        assert!(
            !std::path::Path::new("\"postgres:").exists(),
            "no folder named after the URL"
        );
    }

    /// A store on connections of its own reads the same database through another pool, of the
    /// size asked, and sees a write through the first at once; an in-memory database and
    /// PostgreSQL share the one pool.
    #[tokio::test]
    async fn a_store_on_its_own_connections_reads_the_same_database() {
        let dir = tempfile::tempdir().unwrap();
        let file = Store::open(&format!("sqlite://{}", dir.path().join("own.db").display()))
            .await
            .unwrap();
        let mut stores = vec![file];
        stores.extend(testing::stores().await);
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
        for (n, store) in stores.iter().enumerate() {
            let own = store.with_own_connections(2).await.unwrap();
            let guild = GuildId(900 + n as u64);
            assert!(own.guild(guild).await.unwrap().is_none());
            store.ensure_guild(guild, Lang::Zh, &[], now).await.unwrap();
            assert_eq!(own.guild(guild).await.unwrap().map(|g| g.language), Some(Lang::Zh));
            let own_pool_size = match &own.backend {
                Backend::Sqlite(pool) => pool.options().get_max_connections(),
                Backend::Postgres(pool) => pool.options().get_max_connections(),
            };
            let separate = own_pool_size == 2;
            assert_eq!(
                separate,
                n == 0,
                "only the file database gets a pool of its own (store {n})"
            );
        }
    }

    /// Two processes on one PostgreSQL database: the database, not either process, decides who
    /// posts a day, who fetches a feed and which copy of a story is kept; votes through either
    /// land in one tally; nothing deadlocks.
    #[tokio::test]
    async fn two_processes_on_one_postgres_database_share_days_feeds_stories_and_votes_safely() {
        let Some(admin) = testing::postgres_admin_url() else {
            testing::say_skipped("the two-process PostgreSQL test: TEST_POSTGRES_URL is not set");
            return;
        };
        let url = testing::scratch_postgres_database(&admin).await.unwrap();
        let (a, b) = (Store::open(&url).await.unwrap(), Store::open(&url).await.unwrap());
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        let feeds: Vec<claim_digest_feeds::FeedSpec> = (0..40)
            .map(|i| claim_digest_feeds::FeedSpec {
                name: format!("f{i}"),
                url: format!("https://f{i}.example/feed"),
                language: None,
            })
            .collect();
        for guild in 1..=20 {
            a.ensure_guild(GuildId(guild), Lang::En, &feeds, now).await.unwrap();
        }

        // Both race for every server's day at once.
        let date = now.date_naive();
        let race = |store: Store, guild: u64| async move {
            let new = posts::NewPost {
                guild: GuildId(guild),
                local_date: date,
                claim_id: "c".into(),
                round: 1,
                question: Question::Stance,
                channel: ChannelId(guild + 100),
                nonce: format!("n{guild}"),
            };
            matches!(
                store.reserve_post(&new, now).await.unwrap(),
                posts::Reservation::Reserved(_)
            )
        };
        let mut handles = Vec::new();
        for guild in 1..=20 {
            handles.push(tokio::spawn(race(a.clone(), guild)));
            handles.push(tokio::spawn(race(b.clone(), guild)));
        }
        let mut reserved = 0;
        for handle in handles {
            reserved += usize::from(handle.await.unwrap());
        }
        assert_eq!(reserved, 20, "each day reserved exactly once");

        // Both lease in small batches at the same time: every feed goes to exactly one of them.
        let lease = |store: Store| async move {
            let mut got = Vec::new();
            loop {
                let batch = store
                    .lease_due_feeds(now, now + chrono::Duration::minutes(10), 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch.into_iter().map(|f| f.id.0));
            }
        };
        let (from_a, from_b) = tokio::join!(tokio::spawn(lease(a.clone())), tokio::spawn(lease(b.clone())));
        let mut all: Vec<i64> = from_a.unwrap().into_iter().chain(from_b.unwrap()).collect();
        all.sort();
        let before = all.len();
        all.dedup();
        assert_eq!((before, all.len()), (40, 40), "40 feeds, each leased once");

        // Votes through either process count in one tally.
        let post = a.post_on(GuildId(1), date).await.unwrap().unwrap().id;
        for user in 0..10u64 {
            let store = if user % 2 == 0 { &a } else { &b };
            store
                .cast_vote(post, UserId(1000 + user), Choice::Agree, votes::VoteSource::Button, now)
                .await
                .unwrap();
        }
        b.cast_vote(post, UserId(1000), Choice::Disagree, votes::VoteSource::Button, now)
            .await
            .unwrap();
        let tally = a.post_tally(post).await.unwrap();
        assert_eq!((tally.count(Choice::Agree), tally.count(Choice::Disagree)), (9, 1));
        assert_eq!(b.post_tally(PostId(post.0)).await.unwrap(), tally);

        // Two feeds carrying the same stories, listed in opposite orders, stored at once through
        // both handles, again and again: each story is stored once, and nothing deadlocks.
        let (f1, f2) = (
            a.upsert_feed(&feeds[0].url).await.unwrap().id,
            a.upsert_feed(&feeds[1].url).await.unwrap().id,
        );
        for round in 0..5 {
            let stories: Vec<NewsItem> = (0..120)
                .map(|i| NewsItem {
                    identity: format!("guid:{round}:{i}"),
                    story_key: Some(format!("x.example/{round}/{i}")),
                    title: format!("story {i}"),
                    url: None,
                    summary: String::new(),
                    source: "S".into(),
                    published: Some(now),
                    seen_at: now,
                })
                .collect();
            let reversed: Vec<NewsItem> = stories.iter().rev().cloned().collect();
            let (one, two) = tokio::join!(a.insert_items(f1, &stories), b.insert_items(f2, &reversed));
            assert_eq!(
                one.unwrap() + two.unwrap(),
                120,
                "round {round}: each story stored once"
            );
        }
        // Whichever stored a story, the other feed's copy was linked: each feed carries them all.
        assert_eq!(
            (a.count_items(f1).await.unwrap(), b.count_items(f2).await.unwrap()),
            (600, 600)
        );
    }
}
