//! Backups: a consistent copy of the SQLite database, taken while the bot runs, and the check
//! that a copy is sound. PostgreSQL is backed up with its own tool, pg_dump.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

use super::{Backend, Store};

/// A written backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCopy {
    pub path: PathBuf,
    pub bytes: u64,
}

impl Store {
    /// Writes a consistent copy of the database to `path`, which must not exist yet, and checks
    /// the copy with `PRAGMA integrity_check`. SQLite only: `VACUUM INTO` reads one snapshot (a
    /// read transaction, which in WAL mode never blocks the writers), so votes keep landing
    /// while it runs and the copy holds exactly what was committed when it began. The copy is
    /// written beside `path` and renamed into place once synced, so `path` is whole or absent.
    pub async fn backup_to(&self, path: &Path) -> anyhow::Result<BackupCopy> {
        let Backend::Sqlite(pool) = &self.backend else {
            anyhow::bail!("a PostgreSQL database is backed up with pg_dump, not by claim-digest");
        };
        if path.exists() {
            anyhow::bail!("{} already exists; choose a new file name", path.display());
        }
        let partial = partial_path(path);
        // Left by a copy that was interrupted: never a backup.
        let _ = std::fs::remove_file(&partial);
        let target = partial
            .to_str()
            .with_context(|| format!("{} is not a UTF-8 path", partial.display()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(pool)
            .await
            .with_context(|| format!("writing the copy to {}", partial.display()))?;
        let finish = || -> anyhow::Result<u64> {
            let file = std::fs::File::open(&partial)?;
            file.sync_all()?;
            Ok(file.metadata()?.len())
        };
        let bytes = match finish() {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e.context(format!("syncing {}", partial.display())));
            }
        };
        if let Err(e) = integrity_check(&partial).await {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        std::fs::rename(&partial, path).with_context(|| format!("moving the copy to {}", path.display()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself is durable once the folder is synced.
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(BackupCopy {
            path: path.to_path_buf(),
            bytes,
        })
    }
}

/// The name a copy has while it is being written.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Opens the SQLite file at `path` and runs `PRAGMA integrity_check`: Ok when SQLite answers
/// `ok`, else an error listing what it found.
pub async fn integrity_check(path: &Path) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::new().filename(path).create_if_missing(false);
    let mut conn = options
        .connect()
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let found: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .with_context(|| format!("checking {}", path.display()))?;
    conn.close().await?;
    if found != ["ok"] {
        anyhow::bail!("{} failed its integrity check: {}", path.display(), found.join("; "));
    }
    Ok(())
}
