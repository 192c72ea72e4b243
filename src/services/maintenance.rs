//! Keeping the database healthy for years: one automatic backup a day (BACKUP_DIR, the oldest
//! beyond BACKUP_KEEP removed) and pruning news older than ITEM_RETENTION_DAYS. Each is a
//! `run_*_once(now)` pass that says what it did; the bot wraps them in one slow loop, tests call
//! them with a chosen time.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use tokio::sync::watch;

use super::App;
use crate::store::PruneOutcome;

/// How long one prune batch may hold the write lock, about: batches are sized to it as they go
/// (a vote queued behind a batch waits at most this long). `benches/limits.rs` (`retention`)
/// measures the longest hold against the 50 ms target.
pub const PRUNE_HOLD: Duration = Duration::from_millis(10);

/// The most items one prune batch deletes, however fast the machine.
pub const PRUNE_BATCH_MAX: usize = 500;

/// Automatic backups are named for the moment they were taken, in UTC, so that names sort in
/// time order and the day of each is in its name.
const BACKUP_PREFIX: &str = "claim-digest-";
const BACKUP_SUFFIX: &str = ".db";
const BACKUP_STAMP: &str = "%Y%m%dT%H%M%SZ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupOutcome {
    /// BACKUP_DIR is not set.
    Off,
    /// PostgreSQL: pg_dump's job (said once at start).
    NotSqlite,
    /// Today (UTC) already has a backup.
    AlreadyToday,
    Written {
        path: PathBuf,
        bytes: u64,
        /// Older backups removed to keep BACKUP_KEEP.
        removed: Vec<PathBuf>,
    },
}

/// The automatic backup's file name for `at`.
pub fn backup_file_name(at: DateTime<Utc>) -> String {
    format!("{BACKUP_PREFIX}{}{BACKUP_SUFFIX}", at.format(BACKUP_STAMP))
}

/// When the automatic backup named `name` was taken; `None` for any other file, which rotation
/// never touches.
fn backup_taken_at(name: &str) -> Option<NaiveDateTime> {
    let stamp = name.strip_prefix(BACKUP_PREFIX)?.strip_suffix(BACKUP_SUFFIX)?;
    NaiveDateTime::parse_from_str(stamp, BACKUP_STAMP).ok()
}

/// The automatic backups in `dir`, oldest first.
pub fn automatic_backups(dir: &Path) -> anyhow::Result<Vec<(NaiveDateTime, PathBuf)>> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", dir.display()))),
    };
    for entry in entries {
        let entry = entry?;
        if let Some(at) = entry.file_name().to_str().and_then(backup_taken_at) {
            if entry.file_type()?.is_file() {
                found.push((at, entry.path()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// How often the maintenance loop runs: a backup is due once a day, and a prune pass with
/// nothing old to delete is one short query.
pub const MAINTENANCE_TICK: Duration = Duration::from_secs(15 * 60);

/// The bot's maintenance loop: backups and retention, now and every [`MAINTENANCE_TICK`] until
/// `stop` says so. Started once per process.
pub async fn run_loop(app: App, mut stop: watch::Receiver<bool>) {
    let mut told_pg_dump = false;
    loop {
        let now = app.clock.now();
        match app.run_backup_once(now).await {
            Ok(BackupOutcome::Written { path, bytes, removed }) => {
                tracing::info!(path = %path.display(), bytes, removed = removed.len(), "daily backup written")
            }
            Ok(BackupOutcome::NotSqlite) if !told_pg_dump => {
                tracing::warn!(
                    "BACKUP_DIR is set, but automatic backups are for SQLite only: back PostgreSQL up with pg_dump"
                );
                told_pg_dump = true;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "daily backup failed"),
        }
        match app.run_retention_once(now).await {
            Ok(outcome) if outcome.deleted > 0 || outcome.vectors_deleted > 0 => tracing::info!(
                deleted = outcome.deleted,
                vectors_deleted = outcome.vectors_deleted,
                batches = outcome.batches,
                longest_lock_ms = outcome.longest_hold.as_millis() as u64,
                "old news pruned"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "pruning old news failed"),
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(MAINTENANCE_TICK) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Copies left half-written by a backup that was interrupted (the bot stopped mid-copy): never
/// backups, so removed before the next one is taken.
fn remove_interrupted_copies(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name
            .strip_suffix(".partial")
            .is_some_and(|backup| backup_taken_at(backup).is_some())
        {
            if let Err(e) = std::fs::remove_file(entry.path()) {
                tracing::warn!(file = %entry.path().display(), error = %e, "could not remove an interrupted backup");
            }
        }
    }
}

impl App {
    /// Takes today's automatic backup if there is none yet, then removes the oldest automatic
    /// backups beyond BACKUP_KEEP. Files of other names in BACKUP_DIR are never touched.
    pub async fn run_backup_once(&self, now: DateTime<Utc>) -> anyhow::Result<BackupOutcome> {
        let Some(dir) = &self.config.backup_dir else {
            return Ok(BackupOutcome::Off);
        };
        if self.store.backend_name() != "sqlite" {
            return Ok(BackupOutcome::NotSqlite);
        }
        let today: NaiveDate = now.date_naive();
        if automatic_backups(dir)?.iter().any(|(at, _)| at.date() == today) {
            return Ok(BackupOutcome::AlreadyToday);
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::Error::new(e).context(format!("creating {}", dir.display())))?;
        remove_interrupted_copies(dir);
        let copy = self.store.backup_to(&dir.join(backup_file_name(now))).await?;
        let mut backups = automatic_backups(dir)?;
        let keep = self.config.backup_keep as usize;
        let mut removed = Vec::new();
        while backups.len() > keep {
            let (_, oldest) = backups.remove(0);
            std::fs::remove_file(&oldest)
                .map_err(|e| anyhow::Error::new(e).context(format!("removing the old backup {}", oldest.display())))?;
            removed.push(oldest);
        }
        Ok(BackupOutcome::Written {
            path: copy.path,
            bytes: copy.bytes,
            removed,
        })
    }

    /// Prunes news items that happened more than ITEM_RETENTION_DAYS before `now`, in batches
    /// that each hold the write lock for about [`PRUNE_HOLD`], keeping every item a post showed;
    /// then the vectors (EMBEDDINGS_URL) of items older than any ranking can still read: the news
    /// window, back from a post caught up as late as POST_GRACE_HOURS, and a day to spare. With
    /// the default 90 days of items and 14 of window, that keeps a sixth of the vectors.
    pub async fn run_retention_once(&self, now: DateTime<Utc>) -> anyhow::Result<PruneOutcome> {
        let before = now - chrono::Duration::days(i64::from(self.config.item_retention_days));
        let mut outcome = self
            .store
            .prune_items_paced(before, PRUNE_HOLD, PRUNE_BATCH_MAX)
            .await?;
        let window = chrono::Duration::days(i64::from(self.config.news_window_days) + 1);
        let grace = chrono::Duration::from_std(self.config.post_grace).unwrap_or_default();
        outcome.vectors_deleted = self
            .store
            .prune_item_vectors(now - window - grace, PRUNE_BATCH_MAX as u32)
            .await?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::digest::NewsCount;
    use chrono::TimeZone;

    use crate::config::Config;
    use crate::domain::claims::ClaimSet;
    use crate::feeds::FeedCatalog;
    use crate::store::Store;

    async fn app(env: &[(&str, String)]) -> App {
        let env: std::collections::HashMap<String, String> =
            env.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
        let store = Store::open(config.database_url.expose()).await.unwrap();
        let claims =
            ClaimSet::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap();
        App::new(config, claims, FeedCatalog::default(), store).unwrap()
    }

    /// Vectors outlive the news window, and a post caught up late, by a day; the items stay
    /// until ITEM_RETENTION_DAYS.
    #[tokio::test]
    async fn item_vectors_are_kept_for_the_window_and_the_items_for_retention() {
        use crate::domain::news::NewsItem;
        let app = crate::services::test_app::app(Config::from_lookup(|_| None).unwrap()).await;
        let (window, grace) = (app.config.news_window_days, app.config.post_grace);
        assert_eq!(
            (window, grace.as_secs()),
            (14, 12 * 3600),
            "the defaults this test counts with"
        );
        let feed = app.store.upsert_feed("https://news.example/feed").await.unwrap().id;
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let item = NewsItem {
            identity: "guid:1".into(),
            story_key: Some("news.example/1".into()),
            title: "A story".into(),
            url: Some("https://news.example/1".into()),
            summary: String::new(),
            source: "News".into(),
            published: Some(at),
            seen_at: at,
        };
        app.store.insert_items(feed, std::slice::from_ref(&item)).await.unwrap();
        app.store
            .put_item_vectors("m", &[(&item, &[1.0, 0.0][..])])
            .await
            .unwrap();
        let vectors = || app.store.item_vectors("m", std::slice::from_ref(&item));

        // 15 days and 12 hours later, less a minute: a post caught up that late still reads it.
        let kept_until = at + chrono::Duration::days(15) + chrono::Duration::hours(12);
        let outcome = app
            .run_retention_once(kept_until - chrono::Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!(outcome.vectors_deleted, 0);
        assert_eq!(vectors().await.unwrap().len(), 1);
        let outcome = app
            .run_retention_once(kept_until + chrono::Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!((outcome.vectors_deleted, outcome.deleted), (1, 0));
        assert!(vectors().await.unwrap().is_empty());
        assert_eq!(
            app.store.count_all_items().await.unwrap(),
            1,
            "the item stays until retention"
        );
    }

    /// One backup a day, named for its moment; the oldest beyond BACKUP_KEEP removed; files
    /// of other names left alone.
    #[tokio::test]
    async fn daily_backups_rotate_keeping_backup_keep_files() {
        let dir = tempfile::tempdir().unwrap();
        let backups = dir.path().join("backups");
        let app = app(&[
            (
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("bot.db").display()),
            ),
            ("BACKUP_DIR", backups.display().to_string()),
            ("BACKUP_KEEP", "3".into()),
        ])
        .await;
        std::fs::create_dir_all(&backups).unwrap();
        std::fs::write(backups.join("claim-digest-keep-me.db"), "not ours").unwrap();
        std::fs::write(backups.join("notes.txt"), "not ours").unwrap();
        let interrupted = backups.join(format!(
            "{}.partial",
            backup_file_name(Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap())
        ));
        std::fs::write(&interrupted, "half a copy").unwrap();
        let day = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 12, d, h, 30, 0).unwrap();

        let first = app.run_backup_once(day(1, 3)).await.unwrap();
        assert!(
            matches!(&first, BackupOutcome::Written { removed, .. } if removed.is_empty()),
            "{first:?}"
        );
        assert!(!interrupted.exists(), "a half-written copy is removed");
        assert_eq!(
            app.run_backup_once(day(1, 23)).await.unwrap(),
            BackupOutcome::AlreadyToday
        );
        for d in 2..=5 {
            let outcome = app.run_backup_once(day(d, 3)).await.unwrap();
            let BackupOutcome::Written { path, removed, .. } = outcome else {
                panic!("day {d}: {outcome:?}")
            };
            assert_eq!(path, backups.join(backup_file_name(day(d, 3))));
            assert_eq!(removed.len(), usize::from(d > 3), "day {d}");
            crate::store::integrity_check(&path).await.unwrap();
        }
        let kept: Vec<PathBuf> = automatic_backups(&backups)
            .unwrap()
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        let expected: Vec<PathBuf> = (3..=5).map(|d| backups.join(backup_file_name(day(d, 3)))).collect();
        assert_eq!(kept, expected, "the three newest days");
        assert!(backups.join("claim-digest-keep-me.db").exists() && backups.join("notes.txt").exists());
        assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 5, "nothing else written");
    }

    struct Recorder;

    impl crate::services::poster::Publisher for Recorder {
        async fn publish(
            &self,
            _: crate::domain::ids::ChannelId,
            _: &crate::services::poster::PostView<'_>,
        ) -> Result<crate::domain::ids::MessageId, crate::services::poster::PublishError> {
            Ok(crate::domain::ids::MessageId(77))
        }

        async fn find_existing(
            &self,
            _: crate::domain::ids::ChannelId,
            _: crate::domain::ids::PostId,
        ) -> Result<Option<crate::domain::ids::MessageId>, crate::services::poster::PublishError> {
            Ok(None)
        }
    }

    /// The daily post records what it showed; long after, retention deletes everything else
    /// and keeps exactly that.
    #[tokio::test]
    async fn a_posts_news_outlives_retention() {
        use crate::domain::ids::{ChannelId, GuildId};
        use crate::domain::lang::Lang;
        use crate::domain::news::NewsItem;

        let dir = tempfile::tempdir().unwrap();
        let app = app(&[(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("bot.db").display()),
        )])
        .await;
        let guild = GuildId(42);
        let spec = crate::feeds::FeedSpec {
            name: "News".into(),
            url: "https://news.example/feed".into(),
            language: Some(Lang::En),
        };
        app.store
            .ensure_guild(guild, Lang::En, std::slice::from_ref(&spec), Utc::now())
            .await
            .unwrap();
        let update = crate::store::GuildUpdate {
            channel: ChannelId(7),
            post_time: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            timezone: chrono_tz::UTC,
            language: Lang::En,
            news_count: NewsCount::default(),
            thread: false,
            moderator_role: None,
            ping_role: None,
            post_days: None,
            recap_day: None,
        };
        app.store.setup_guild(guild, &update).await.unwrap();
        let feed = app.store.feed_by_url(&spec.url).await.unwrap().unwrap().id;
        let due = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        // The first claim in rotation, told as news three times, and unrelated items.
        let claim = app.claims.claims()[0].text.get(Lang::En).to_string();
        let item = |n: usize, title: String| NewsItem {
            identity: format!("guid:{n}"),
            story_key: Some(format!("news.example/{n}")),
            title,
            url: Some(format!("https://news.example/{n}")),
            summary: String::new(),
            source: "News".into(),
            published: Some(due - chrono::Duration::hours(n as i64 + 1)),
            seen_at: due - chrono::Duration::hours(n as i64 + 1),
        };
        let mut items: Vec<NewsItem> = (0..3).map(|n| item(n, format!("{claim} (report {n})"))).collect();
        items.extend((3..10).map(|n| item(n, format!("Gardening club opens its spring season, part {n}"))));
        app.store.insert_items(feed, &items).await.unwrap();

        let outcome = app.run_poster_once(&Recorder, due).await.unwrap();
        assert_eq!(outcome.posted.len(), 1, "{outcome:?}");
        let shown = app.store.post_items(outcome.posted[0]).await.unwrap();
        assert!(!shown.is_empty(), "the post showed related news");
        assert!(shown.iter().all(|s| s.title.contains("(report")), "{shown:?}");

        let pruned = app.run_retention_once(due + chrono::Duration::days(200)).await.unwrap();
        assert_eq!(pruned.deleted, items.len() - shown.len());
        assert_eq!(app.store.count_all_items().await.unwrap() as usize, shown.len());
        assert_eq!(app.store.post_items(outcome.posted[0]).await.unwrap(), shown);
    }

    #[tokio::test]
    async fn without_backup_dir_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&[(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("bot.db").display()),
        )])
        .await;
        assert_eq!(app.run_backup_once(Utc::now()).await.unwrap(), BackupOutcome::Off);
        let written: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with("bot.db"))
            .collect();
        assert!(written.is_empty(), "{written:?}");
    }
}
