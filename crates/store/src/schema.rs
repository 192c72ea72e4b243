//! Whether a database's schema is what this build expects, read without changing anything (for
//! `claim-digest check`; `Store::open` is what applies migrations).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use sqlx::migrate::Migrator;
use sqlx::{ConnectOptions as _, Connection as _};

use super::is_postgres_url;

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
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&mut conn)
            .await?;
        let applied = if exists {
            sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations")
                .fetch_all(&mut conn)
                .await?
        } else {
            Vec::new()
        };
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
        let exists: bool = sqlx::query_scalar(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut conn)
        .await?;
        let applied = if exists {
            sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations")
                .fetch_all(&mut conn)
                .await?
        } else {
            Vec::new()
        };
        conn.close().await?;
        ("sqlite", &SQLITE_MIGRATIONS, applied)
    };
    Ok(compare(backend, migrator, applied))
}

fn compare(backend: &'static str, migrator: &Migrator, applied: Vec<(i64, Vec<u8>, bool)>) -> SchemaStatus {
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
