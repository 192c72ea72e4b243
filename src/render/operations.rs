//! What the operator's commands print (`check`, `backup`, `feed check`); the words are in
//! `operations.ftl`.

use crate::feeds::discover::{Found, LocateError, Located};
use crate::message::{msg, Message};
use crate::render::i18n::{t, Locale};
use crate::services::check::Finding;
use crate::store::SchemaStatus;

/// One line per check: a fixed-width status, the thing checked, what was found.
pub fn check_line(finding: &Finding, locale: Locale) -> String {
    let status = if !finding.passed() {
        t!(locale, "check-fail")
    } else if finding.warns() {
        t!(locale, "check-warn")
    } else {
        t!(locale, "check-ok")
    };
    let configuration = t!(locale, "check-configuration");
    let (what, found): (&str, Message) = match finding {
        Finding::ConfigInvalid(error) => (&configuration, msg!("check-config-invalid", error = error)),
        Finding::TokenMissing => ("DISCORD_TOKEN", msg!("check-token-missing")),
        Finding::TokenMalformed => ("DISCORD_TOKEN", msg!("check-token-malformed")),
        Finding::TokenShaped => ("DISCORD_TOKEN", msg!("check-token-shaped")),
        Finding::DatabaseUnreachable(error) => ("DATABASE_URL", msg!("check-database-unreachable", error = error)),
        Finding::Database(status) => ("DATABASE_URL", schema_message(status)),
        Finding::ClaimsValid { path, claims } => (
            "CLAIMS_FILE",
            msg!("check-claims-valid", path = path.display().to_string(), count = *claims),
        ),
        Finding::ClaimsInvalid { path, problems } => (
            "CLAIMS_FILE",
            msg!(
                "check-claims-invalid",
                path = path.display().to_string(),
                count = problems.len(),
                problems = problems.join("; ")
            ),
        ),
        Finding::FeedsValid { path, feeds } => (
            "FEEDS_FILE",
            msg!("check-feeds-valid", path = path.display().to_string(), count = *feeds),
        ),
        Finding::FeedsInvalid { path, error } => (
            "FEEDS_FILE",
            msg!("check-feeds-invalid", path = path.display().to_string(), error = error),
        ),
        Finding::AddressUnset { key } => (*key, msg!("check-address-unset")),
        Finding::AddressBindable { key, addr } => (*key, msg!("check-address-bindable", addr = addr.to_string())),
        Finding::AddressUnbindable { key, addr, error } => (
            *key,
            msg!("check-address-unbindable", addr = addr.to_string(), error = error),
        ),
        Finding::BackupsOff => ("BACKUP_DIR", msg!("check-backups-off")),
        Finding::BackupsWritable { dir } => (
            "BACKUP_DIR",
            msg!("check-backups-writable", dir = dir.display().to_string()),
        ),
        Finding::BackupsUnwritable { dir, error } => (
            "BACKUP_DIR",
            msg!(
                "check-backups-unwritable",
                dir = dir.display().to_string(),
                error = error
            ),
        ),
        Finding::BackupsNeedPgDump => ("BACKUP_DIR", msg!("check-backups-need-pg-dump")),
        Finding::EmbeddingsOff => ("EMBEDDINGS_URL", msg!("check-embeddings-off")),
        Finding::EmbeddingsAnswer { model, dims, millis } => (
            "EMBEDDINGS_URL",
            msg!("check-embeddings-answer", model = model, dims = *dims, millis = *millis),
        ),
        Finding::EmbeddingsFailing { model, error } => (
            "EMBEDDINGS_URL",
            msg!("check-embeddings-failing", model = model, error = error),
        ),
    };
    format!("{status:<4}  {what:<14} {}", locale.text(&found))
}

fn schema_message(status: &SchemaStatus) -> Message {
    let list = |versions: &[i64]| versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let backend = status.backend;
    if !status.failed.is_empty() {
        return msg!(
            "check-schema-failed",
            backend = backend,
            versions = list(&status.failed)
        );
    }
    if !status.changed.is_empty() {
        return msg!(
            "check-schema-changed",
            backend = backend,
            versions = list(&status.changed)
        );
    }
    if !status.unknown.is_empty() {
        return msg!(
            "check-schema-unknown",
            backend = backend,
            versions = list(&status.unknown)
        );
    }
    match (status.will_be_created, status.pending.len()) {
        (true, n) => msg!("check-schema-new", backend = backend, count = n),
        (false, 0) => msg!("check-schema-current", backend = backend, applied = status.applied),
        (false, n) => msg!(
            "check-schema-pending",
            backend = backend,
            applied = status.applied,
            count = n,
            versions = list(&status.pending)
        ),
    }
}

/// The summary after the lines.
pub fn check_summary(failed: usize, locale: Locale) -> String {
    t!(locale, "check-summary", failed = failed)
}

/// After `backup FILE` wrote a SQLite copy.
pub fn backup_written(path: &std::path::Path, bytes: u64, locale: Locale) -> String {
    let mib = bytes as f64 / (1024.0 * 1024.0);
    t!(
        locale,
        "backup-written",
        path = path.display().to_string(),
        mib = format!("{mib:.1}")
    )
}

/// `backup FILE` on PostgreSQL: the pg_dump command to run instead (its password left out).
pub fn backup_use_pg_dump(command: &str, restore: &str, locale: Locale) -> String {
    t!(locale, "backup-use-pg-dump", command = command, restore = restore)
}

/// `feed check`: one input's result, with the items of the feed it gave.
pub fn feed_check(input: &str, result: &Result<Located, LocateError>, locale: Locale) -> String {
    let mut out = match result {
        Err(e) => t!(
            locale,
            "feed-check-failed",
            input = input,
            error = locale.text(&crate::message::reasons::locate_failure(&e.failure()))
        ),
        Ok(Located::Several { links, .. }) => {
            let mut text = t!(locale, "feed-check-several", input = input, count = links.len());
            for link in links {
                text.push_str(&format!("\n    {}", link.url));
                if let Some(title) = &link.title {
                    text.push_str(&format!("  ({title})"));
                }
            }
            text
        }
        Ok(Located::Feed { url, feed, found }) => {
            let untitled = t!(locale, "feed-check-untitled");
            let title = feed.title.as_deref().unwrap_or(&untitled);
            let mut text = t!(
                locale,
                "feed-check-ok",
                input = input,
                title = title,
                count = feed.items.len()
            );
            match found {
                Found::Given => {}
                Found::Linked { .. } => {
                    text.push_str(&format!("\n  {}", t!(locale, "feed-check-linked", url = url.as_str())))
                }
                Found::UsualPath { .. } => {
                    text.push_str(&format!("\n  {}", t!(locale, "feed-check-usual", url = url.as_str())))
                }
            }
            for item in &feed.items {
                let date = item
                    .published
                    .map(|p| p.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| " ".repeat(10));
                text.push_str(&format!("\n    {date}  {}", item.title));
            }
            text
        }
    };
    out.push('\n');
    out
}
