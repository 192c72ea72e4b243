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
    /// written beside `path` and linked into place once synced, so `path` is whole or absent,
    /// and a file that took the name while the copy was written is never replaced.
    pub async fn backup_to(&self, path: &Path) -> anyhow::Result<BackupCopy> {
        let Backend::Sqlite(pool) = &self.backend else {
            anyhow::bail!("a PostgreSQL database is backed up with pg_dump, not by claim-digest");
        };
        // Checked again when the copy is linked into place; here so as not to copy for nothing.
        if path.exists() {
            anyhow::bail!("{} already exists; choose a new file name", path.display());
        }
        let partial = partial_path(path);
        let target = partial
            .to_str()
            .with_context(|| format!("{} is not a UTF-8 path", partial.display()))?;
        // Created here, new, so that the file removed on failure is this run's own: one found
        // there is another backup's being written, or an interrupted one a person should see.
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&partial) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => anyhow::bail!(
                "{} already exists: another backup is being written, or one was interrupted; \
                 remove it once no backup runs",
                partial.display()
            ),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("creating {}", partial.display()))),
        }
        let written = async {
            // SQLite writes into an empty file as into a missing one.
            sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(pool)
                .await
                .with_context(|| format!("writing the copy to {}", partial.display()))?;
            let sync = || -> std::io::Result<u64> {
                let file = std::fs::File::open(&partial)?;
                file.sync_all()?;
                Ok(file.metadata()?.len())
            };
            let bytes = sync().with_context(|| format!("syncing {}", partial.display()))?;
            integrity_check(&partial).await?;
            Ok::<u64, anyhow::Error>(bytes)
        }
        .await;
        let bytes = match written {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        place(&partial, path)?;
        Ok(BackupCopy {
            path: path.to_path_buf(),
            bytes,
        })
    }
}

/// Gives the finished copy at `partial` its name `path`, unless a file took that name meanwhile:
/// a hard link fails on an existing name where a rename would replace it. The partial name is
/// removed either way, and the folder synced so that the new name is durable.
fn place(partial: &Path, path: &Path) -> anyhow::Result<()> {
    let linked = std::fs::hard_link(partial, path);
    let _ = std::fs::remove_file(partial);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!(
                "{} appeared while the copy was written; it was left alone, choose a new file name",
                path.display()
            )
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("moving the copy to {}", path.display()))),
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn store_in(dir: &Path) -> Store {
        let url = format!("sqlite://{}", dir.join("live.db").display());
        Store::open(&url).await.unwrap()
    }

    #[tokio::test]
    async fn a_partial_copy_found_is_left_alone_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path()).await;
        let path = dir.path().join("copy.db");
        let partial = partial_path(&path);
        std::fs::write(&partial, b"another backup's").unwrap();
        let err = store.backup_to(&path).await.unwrap_err().to_string();
        assert!(err.contains("copy.db.partial already exists"), "{err}");
        assert_eq!(std::fs::read(&partial).unwrap(), b"another backup's");
        assert!(!path.exists());
        // Once it is gone, the backup runs and leaves no partial behind.
        std::fs::remove_file(&partial).unwrap();
        let copy = store.backup_to(&path).await.unwrap();
        assert!(copy.bytes > 0 && !partial.exists());
        integrity_check(&path).await.unwrap();
        store.close().await;
    }

    #[test]
    fn a_file_that_took_the_name_meanwhile_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy.db");
        let partial = partial_path(&path);
        std::fs::write(&partial, b"the copy").unwrap();
        std::fs::write(&path, b"theirs").unwrap();
        let err = place(&partial, &path).unwrap_err().to_string();
        assert!(err.contains("appeared while the copy was written"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
        assert!(!partial.exists());
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&partial, b"the copy").unwrap();
        place(&partial, &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"the copy");
        assert!(!partial.exists());
    }
}
