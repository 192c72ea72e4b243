//! Whether a database's schema is what this build expects, read without changing anything (for
//! `claim-digest check`, and for the commands that open a database without migrating it;
//! `Store::open` is what applies migrations).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{ConnectOptions as _, Connection as _};

use super::{is_postgres_url, Backend, Store};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

/// What `claim-digest check` reports about a database's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// `"sqlite"` or `"postgres"`.
    pub backend: &'static str,
    /// The SQLite file does not exist yet: the first start creates it and applies everything.
    pub will_be_created: bool,
    pub applied: usize,
    /// Migrations of this build not yet applied: the next start applies them.
    pub pending: Vec<i64>,
    /// Applied migrations this build does not know: the database belongs to a newer build.
    pub unknown: Vec<i64>,
    /// Applied migrations whose file changed since they were applied.
    pub changed: Vec<i64>,
    /// Migrations that began and failed: the database needs a person.
    pub failed: Vec<i64>,
}

impl SchemaStatus {
    /// True when the next start can bring the schema up to date by itself.
    pub fn is_appliable(&self) -> bool {
        self.unknown.is_empty() && self.changed.is_empty() && self.failed.is_empty()
    }

    /// True when the schema is exactly this build's: every migration applied, none other.
    pub fn is_current(&self) -> bool {
        !self.will_be_created && self.pending.is_empty() && self.is_appliable()
    }

    /// Why a command that reads the database as this build knows it cannot run on this schema,
    /// and what the operator does about it; None when the schema is current.
    pub fn refusal(&self) -> Option<String> {
        let list = |versions: &[i64]| versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        Some(if !self.unknown.is_empty() {
            format!(
                "the database's schema is newer than this claim-digest's (migrations {} unknown here): \
                 run this command with the version the bot runs",
                list(&self.unknown)
            )
        } else if !self.failed.is_empty() || !self.changed.is_empty() {
            format!(
                "the database's migrations {} failed or differ from this build's: see `claim-digest check`",
                list(&[self.failed.as_slice(), self.changed.as_slice()].concat())
            )
        } else if !self.pending.is_empty() {
            format!(
                "the database's schema is older than this claim-digest's (migrations {} not applied): \
                 start the bot of this version once to bring it up to date, then run this command again",
                list(&self.pending)
            )
        } else {
            return None;
        })
    }
}

/// Reads the schema state of the database at `url`, connecting once, changing nothing.
pub async fn schema_status(url: &str) -> anyhow::Result<SchemaStatus> {
    let (backend, migrator, applied) = if is_postgres_url(url) {
        let options = crate::postgres_url::postgres_options(url)?;
        let place = format!(
            "PostgreSQL database `{}` on {}:{}",
            options.get_database().unwrap_or("(default)"),
            options.get_host(),
            options.get_port()
        );
        let mut conn = options
            .connect()
            .await
            .with_context(|| format!("connecting to {place}"))?;
        let applied = postgres_applied(&mut conn).await?;
        conn.close().await?;
        ("postgres", &POSTGRES_MIGRATIONS, applied)
    } else {
        let options = crate::sqlite_options(url)?;
        let file = options.get_filename().to_path_buf();
        if file != Path::new(":memory:") && !file.exists() {
            return Ok(SchemaStatus {
                backend: "sqlite",
                will_be_created: true,
                applied: 0,
                pending: SQLITE_MIGRATIONS.iter().map(|m| m.version).collect(),
                unknown: Vec::new(),
                changed: Vec::new(),
                failed: Vec::new(),
            });
        }
        let mut conn = options
            .create_if_missing(false)
            .connect()
            .await
            .with_context(|| format!("opening database {}", file.display()))?;
        let applied = sqlite_applied(&mut conn).await?;
        conn.close().await?;
        ("sqlite", &SQLITE_MIGRATIONS, applied)
    };
    Ok(compare(backend, migrator, applied))
}

/// (version, checksum, success) of every migration recorded: none when none ever ran.
type Applied = Vec<(i64, Vec<u8>, bool)>;

async fn postgres_applied(conn: &mut PgConnection) -> anyhow::Result<Applied> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations")
            .fetch_all(&mut *conn)
            .await?,
    )
}

async fn sqlite_applied(conn: &mut SqliteConnection) -> anyhow::Result<Applied> {
    let exists: bool =
        sqlx::query_scalar("SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations")
            .fetch_all(&mut *conn)
            .await?,
    )
}

impl Store {
    /// The schema state of the database this store has open, read through its own pool.
    pub async fn schema_status(&self) -> anyhow::Result<SchemaStatus> {
        Ok(match &self.backend {
            Backend::Sqlite(pool) => {
                let applied = sqlite_applied(&mut *pool.acquire().await?).await?;
                compare("sqlite", &SQLITE_MIGRATIONS, applied)
            }
            Backend::Postgres(pool) => {
                let applied = postgres_applied(&mut *pool.acquire().await?).await?;
                compare("postgres", &POSTGRES_MIGRATIONS, applied)
            }
        })
    }
}

fn compare(backend: &'static str, migrator: &Migrator, applied: Applied) -> SchemaStatus {
    let known: HashMap<i64, &[u8]> = migrator.iter().map(|m| (m.version, &*m.checksum)).collect();
    let mut status = SchemaStatus {
        backend,
        will_be_created: false,
        applied: 0,
        pending: Vec::new(),
        unknown: Vec::new(),
        changed: Vec::new(),
        failed: Vec::new(),
    };
    for (version, checksum, success) in &applied {
        match known.get(version) {
            None => status.unknown.push(*version),
            Some(_) if !success => status.failed.push(*version),
            Some(expected) if *expected != checksum.as_slice() => status.changed.push(*version),
            Some(_) => status.applied += 1,
        }
    }
    status.pending = migrator
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.iter().any(|(done, _, _)| done == v))
        .collect();
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{forget_latest_migration, postgres_admin_url, say_skipped, scratch_postgres_database};

    /// Opening without migrating leaves an older schema as it is; the current-only opening
    /// refuses it and says to start the bot, and refuses a newer one too.
    async fn older_and_newer_schemas(url: &str) {
        let store = Store::open(url).await.unwrap();
        let latest = forget_latest_migration(&store).await.unwrap();
        store.close().await;

        let store = Store::open_existing(url).await.unwrap();
        let status = store.schema_status().await.unwrap();
        assert_eq!(status.pending, vec![latest], "not migrated");
        assert!(!status.is_current());
        store.ping().await.unwrap();
        store.close().await;
        let refused = Store::open_current(url)
            .await
            .err()
            .expect("an older schema")
            .to_string();
        assert!(
            refused.contains(&format!("migrations {latest} not applied")),
            "{refused}"
        );
        assert!(refused.contains("start the bot of this version once"), "{refused}");
        assert_eq!(
            schema_status(url).await.unwrap().pending,
            vec![latest],
            "still not migrated"
        );

        // A build newer than this one recorded a migration this one does not know.
        let store = Store::open_existing(url).await.unwrap();
        let record =
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                      SELECT 99999, 'newer', installed_on, true, checksum, 0 FROM _sqlx_migrations LIMIT 1";
        crate::with_db!(store, db => sqlx::query(record).execute(db).await.map(drop)).unwrap();
        store.close().await;
        let refused = Store::open_current(url)
            .await
            .err()
            .expect("a newer schema")
            .to_string();
        assert!(
            refused.contains("newer than this claim-digest's (migrations 99999"),
            "{refused}"
        );
    }

    #[tokio::test]
    async fn opening_without_migrating_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere/none.db");
        let url = format!("sqlite://{}", missing.display());
        let err = Store::open_existing(&url).await.err().expect("no file").to_string();
        assert!(err.contains("no database at DATABASE_URL"), "{err}");
        assert!(!missing.parent().unwrap().exists(), "nothing created");

        let url = format!("sqlite://{}", dir.path().join("claims.db").display());
        let store = Store::open(&url).await.unwrap();
        store.close().await;
        let store = Store::open_current(&url).await.unwrap();
        assert!(store.schema_status().await.unwrap().is_current());
        store.close().await;
        older_and_newer_schemas(&url).await;
    }

    #[tokio::test]
    async fn opening_without_migrating_on_postgres() {
        let Some(admin) = postgres_admin_url() else {
            say_skipped("opening_without_migrating_on_postgres: TEST_POSTGRES_URL is not set");
            return;
        };
        let url = scratch_postgres_database(&admin).await.unwrap();
        let refused = Store::open_current(&url)
            .await
            .err()
            .expect("never migrated")
            .to_string();
        assert!(refused.contains("start the bot of this version once"), "{refused}");
        older_and_newer_schemas(&url).await;
    }
}
