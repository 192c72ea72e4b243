//! `claim-digest backup FILE`: a consistent copy of the database while the bot runs.

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::domain::lang::Lang;
use crate::render::operations;
use crate::store::Store;

pub async fn run(config: Config, file: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    let url = config.database_url.expose();
    if crate::store::is_postgres_url(url) {
        let (dump, restore) = pg_dump_commands(url, file)?;
        println!("{}", operations::backup_use_pg_dump(&dump, &restore, lang.into()));
        return Ok(ExitCode::SUCCESS);
    }
    if crate::store::schema_status(url).await?.will_be_created {
        anyhow::bail!("there is no database at DATABASE_URL yet: nothing to back up");
    }
    // Copied as it is: a newer binary must not migrate the database under the running bot, and
    // VACUUM INTO copies any schema.
    let store = Store::open_existing(url).await?;
    let copy = store.backup_to(file).await;
    store.close().await;
    let copy = copy?;
    println!("{}", operations::backup_written(&copy.path, copy.bytes, lang.into()));
    Ok(ExitCode::SUCCESS)
}

/// The pg_dump command that backs up the database at `url` into `file`, and the pg_restore
/// command that restores it, both naming the database by a URL without its password.
pub fn pg_dump_commands(url: &str, file: &Path) -> anyhow::Result<(String, String)> {
    let mut url = url::Url::parse(url).map_err(|_| anyhow::anyhow!("DATABASE_URL is not a valid PostgreSQL URL"))?;
    url.set_password(None)
        .map_err(|_| anyhow::anyhow!("DATABASE_URL is not a valid PostgreSQL URL"))?;
    // A password may also come as a query parameter, which PostgreSQL's clients accept too.
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| !matches!(key.as_ref(), "password" | "sslpassword"))
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let database = shell_quote(url.as_str());
    let file = shell_quote(&file.to_string_lossy());
    Ok((
        format!("pg_dump --format=custom --file={file} --dbname={database}"),
        format!("pg_restore --clean --if-exists --no-owner --dbname={database} {file}"),
    ))
}

/// `s` as one word for a POSIX shell.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/:@._-=+%,".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_dump_command_leaves_the_password_out() {
        let (dump, restore) = pg_dump_commands(
            "postgres://bot:s3cret-pass@db.internal:5433/claims?sslmode=require",
            Path::new("/backups/claims 1.dump"),
        )
        .unwrap();
        assert_eq!(
            dump,
            "pg_dump --format=custom --file='/backups/claims 1.dump' --dbname='postgres://bot@db.internal:5433/claims?sslmode=require'"
        );
        assert!(!restore.contains("s3cret"), "{restore}");
        assert!(restore.starts_with("pg_restore ") && restore.ends_with("'/backups/claims 1.dump'"));
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        let (dump, _) = pg_dump_commands(
            "postgres://bot@db/claims?password=s3cret&sslmode=require&sslpassword=k3y",
            Path::new("/b.dump"),
        )
        .unwrap();
        assert!(
            dump.ends_with("--dbname='postgres://bot@db/claims?sslmode=require'"),
            "{dump}"
        );
        let (dump, _) = pg_dump_commands("postgres://bot@db/claims?password=s3cret", Path::new("/b.dump")).unwrap();
        assert!(dump.ends_with("--dbname=postgres://bot@db/claims"), "{dump}");
    }
}
