//! Operating the bot: `backup` while votes stream in (and restoring the copy), `check` on good and
//! bad configurations, and JSON logs that never carry the token. The real binary runs each one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;

use crate::support::bot::{fresh_database, log_of, start_bot_with};
use crate::support::fake_discord::FakeDiscord;
use crate::support::{rss, run_cli, sqlite_url, FeedServer};
use claim_digest::domain::ids::{ChannelId, GuildId, MessageId, PostId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::votes::{Choice, Question};
use claim_digest::store::{NewPost, Reservation, Store, VoteSource};

/// Shaped like a real bot token: base64url of an 18-digit id, a timestamp part, an HMAC part.
const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.Zm9vYmFyLWJhei1xdXV4LWNvcmdlLWdyYXVsdA";

async fn sent_post(store: &Store) -> PostId {
    let guild = GuildId(42);
    store.ensure_guild(guild, Lang::En, &[], Utc::now()).await.unwrap();
    let new = NewPost {
        guild,
        local_date: "2026-12-01".parse().unwrap(),
        claim_id: "c".into(),
        round: 1,
        question: Question::Stance,
        channel: ChannelId(43),
        nonce: "n".into(),
    };
    let Reservation::Reserved(post) = store.reserve_post(&new, Utc::now()).await.unwrap() else {
        panic!("fresh database, fresh day")
    };
    store.mark_post_sent(post.id, MessageId(44), Utc::now()).await.unwrap();
    post.id
}

/// Four writers cast votes (each a new member) as fast as the store takes them while
/// `claim-digest backup` runs in another process; the copy, restored, holds every vote
/// acknowledged before the backup began and passes SQLite's integrity check.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_while_votes_stream_in_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let store = Store::open(&sqlite_url(&live)).await.unwrap();
    let post = sent_post(&store).await;

    let acknowledged = Arc::new(Mutex::new(Vec::<u64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4u64 {
        let (store, acknowledged, stop) = (store.clone(), acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut member = 1_000_000 * (writer + 1);
            while !stop.load(Ordering::Relaxed) {
                member += 1;
                store
                    .cast_vote(post, UserId(member), Choice::Agree, VoteSource::Button, Utc::now())
                    .await
                    .unwrap();
                acknowledged.lock().unwrap().push(member);
            }
        }));
    }
    // Let a good number of votes land first.
    while acknowledged.lock().unwrap().len() < 2_000 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before: Vec<u64> = acknowledged.lock().unwrap().clone();
    let copy = dir.path().join("copies/backup.db");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    let out = run_cli(
        &sqlite_url(&live),
        &["backup", copy.to_str().unwrap(), "--lang", "en"],
        &[],
    )
    .await;
    let during = acknowledged.lock().unwrap().len() - before.len();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Backed up to") && stdout.contains("integrity check ok"),
        "{stdout}"
    );
    assert!(during > 0, "votes kept landing while the backup ran");
    assert!(
        !claim_digest::store::partial_path(&copy).exists(),
        "no partial file left"
    );

    // Restore: the copy becomes a database of its own, as README says (stop the bot, put the
    // copy in place of the database file).
    let restored = dir.path().join("restored.db");
    std::fs::copy(&copy, &restored).unwrap();
    claim_digest::store::integrity_check(&restored).await.unwrap();
    let store_back = Store::open(&sqlite_url(&restored)).await.unwrap();
    let voters: std::collections::HashSet<u64> = store_back
        .voters_by_post(GuildId(42))
        .await
        .unwrap()
        .into_iter()
        .map(|(_, user)| user.0)
        .collect();
    let missing = before.iter().filter(|m| !voters.contains(m)).count();
    assert_eq!(missing, 0, "of {} votes acknowledged before the backup", before.len());
    let tally = store_back.post_tally(post).await.unwrap();
    assert_eq!(
        tally.voters() as usize,
        voters.len(),
        "counts agree with the votes in the copy"
    );
    assert!(voters.len() <= before.len() + during);

    // A second backup to the same name refuses and leaves the first alone.
    let again = run_cli(
        &sqlite_url(&live),
        &["backup", copy.to_str().unwrap(), "--lang", "en"],
        &[],
    )
    .await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    claim_digest::store::integrity_check(&copy).await.unwrap();

    // No database yet: nothing is created, and nothing is backed up.
    let nowhere = dir.path().join("nowhere/none.db");
    let out = run_cli(&sqlite_url(&nowhere), &["backup", "x.db", "--lang", "en"], &[]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
    assert!(!nowhere.exists());
}

/// `tally export` reads a database that is there, for a server that is in it: a missing file is
/// not created (an empty export would pass for a server without votes), nor is an unknown
/// server's id answered with nothing.
#[tokio::test]
async fn tally_export_refuses_a_missing_database_and_an_unknown_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let store = Store::open(&sqlite_url(&db)).await.unwrap();
    let post = sent_post(&store).await;
    store
        .cast_vote(post, UserId(7), Choice::Agree, VoteSource::Button, Utc::now())
        .await
        .unwrap();
    store.close().await;
    let out = run_cli(&sqlite_url(&db), &["tally", "export", "--guild", "42"], &[]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");

    for what in ["tally", "evidence", "calls"] {
        let args = ["tally", "export", "--guild", "4242", "--what", what, "--format", "csv"];
        let out = run_cli(&sqlite_url(&db), &args, &[]).await;
        assert!(!out.status.success(), "{what}");
        assert!(
            out.stdout.is_empty(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no server 4242 in the database"), "{what}: {stderr}");
    }

    let nowhere = dir.path().join("nowhere/none.db");
    let out = run_cli(&sqlite_url(&nowhere), &["tally", "export", "--guild", "42"], &[]).await;
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at DATABASE_URL"));
    assert!(
        !nowhere.exists() && !nowhere.parent().unwrap().exists(),
        "nothing created"
    );
}

/// A binary newer than the bot's, run beside it, leaves its schema alone: `backup` copies the
/// older schema as it is, `tally export` and `preview` refuse it and say to start the bot.
#[tokio::test]
async fn commands_beside_an_older_bot_do_not_migrate_its_database() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let store = Store::open(&sqlite_url(&live)).await.unwrap();
    sent_post(&store).await;
    let latest = claim_digest::store::testing::forget_latest_migration(&store)
        .await
        .unwrap();
    store.close().await;
    let pending = || async {
        let status = claim_digest::store::schema_status(&sqlite_url(&live)).await.unwrap();
        assert_eq!(status.pending, vec![latest], "the live database was not migrated");
    };

    let copy = dir.path().join("copy.db");
    let out = run_cli(
        &sqlite_url(&live),
        &["backup", copy.to_str().unwrap(), "--lang", "en"],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    claim_digest::store::integrity_check(&copy).await.unwrap();
    pending().await;

    let previews = ["preview", "--feed", "/nonexistent.xml"];
    for args in [&["tally", "export", "--guild", "42"][..], &previews[..]] {
        let out = run_cli(&sqlite_url(&live), args, &[]).await;
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("start the bot of this version once"),
            "{args:?}: {stderr}"
        );
        pending().await;
    }
}

/// README's restore steps, run by a shell on a database stopped uncleanly (its log not yet
/// checkpointed): the copy takes its place, and the old database keeps the votes in its log.
#[tokio::test]
async fn readme_restore_keeps_the_old_databases_log_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let store = Store::open(&sqlite_url(&live)).await.unwrap();
    let post = sent_post(&store).await;
    let state = dir.path().join("state");
    let backup = state.join("backups/claim-digest-20261201T031500Z.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    store.backup_to(&backup).await.unwrap();
    store
        .cast_vote(post, UserId(77), Choice::Agree, VoteSource::Button, Utc::now())
        .await
        .unwrap();
    // The files as a crash leaves them, taken while the store still holds the database open.
    for suffix in ["", "-wal", "-shm"] {
        let from = dir.path().join(format!("live.db{suffix}"));
        if from.exists() {
            std::fs::copy(&from, state.join(format!("claim-digest.db{suffix}"))).unwrap();
        }
    }
    store.close().await;
    assert!(state.join("claim-digest.db-wal").exists(), "the vote is in the log");

    let readme = std::fs::read_to_string(crate::support::repo_file("README.md")).unwrap();
    let steps = readme.split("To restore a SQLite backup:").nth(1).unwrap();
    let steps = steps.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    // The service and the binary are not there to stop, check and start: the files' steps run.
    let script: String = steps
        .lines()
        .filter(|l| !l.starts_with("systemctl") && !l.starts_with("claim-digest"))
        .map(|l| match l.strip_prefix("cd /var/lib/claim-digest") {
            Some(_) => format!("cd '{}'\n", state.display()),
            None => format!("{l}\n"),
        })
        .collect();
    let ran = std::process::Command::new("sh")
        .arg("-euc")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&ran.stderr)
    );

    let voters = |store: Store| async move {
        let voters: Vec<u64> = store
            .voters_by_post(GuildId(42))
            .await
            .unwrap()
            .into_iter()
            .map(|(_, user)| user.0)
            .collect();
        store.close().await;
        voters
    };
    assert!(!state.join("claim-digest.db-wal").exists(), "no log left for the copy");
    let restored = Store::open_existing(&sqlite_url(&state.join("claim-digest.db")))
        .await
        .unwrap();
    assert_eq!(
        voters(restored).await,
        Vec::<u64>::new(),
        "the copy is from before the vote"
    );
    let broken = Store::open_existing(&sqlite_url(&state.join("claim-digest.db.broken")))
        .await
        .unwrap();
    assert_eq!(voters(broken).await, vec![77], "the old database still holds the vote");
}

#[tokio::test]
async fn backup_on_postgres_prints_the_pg_dump_command_without_the_password() {
    let url = "postgres://claims:hunter2-secret@127.0.0.1:1/claims";
    let out = run_cli(url, &["backup", "/tmp/claims.dump", "--lang", "en"], &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout
            .contains("pg_dump --format=custom --file=/tmp/claims.dump --dbname=postgres://claims@127.0.0.1:1/claims"),
        "{stdout}"
    );
    assert!(stdout.contains("pg_restore"));
    assert!(!stdout.contains("hunter2") && !String::from_utf8_lossy(&out.stderr).contains("hunter2"));
}

fn free_addr() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string()
}

/// The lines of `check`'s output that start with a status, as (passed, line).
fn check_lines(stdout: &str) -> Vec<(bool, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            if line.starts_with("ok  ") || line.starts_with("warn") {
                Some((true, line.to_string()))
            } else if line.starts_with("FAIL") {
                Some((false, line.to_string()))
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn check_passes_on_a_good_configuration() {
    let dir = tempfile::tempdir().unwrap();
    // A database that exists and is migrated, and one that the first start will create.
    let existing = dir.path().join("claims.db");
    Store::open(&sqlite_url(&existing)).await.unwrap().close().await;
    // An embeddings server that answers, for the first; none for the second.
    let (embeddings, asked) = crate::support::slow_embeddings(Duration::ZERO).await;
    let embeddings = format!("http://{embeddings}");
    for (db, expect, existed, with_embeddings) in [
        (existing, "migrations applied", true, true),
        (dir.path().join("new/claims.db"), "does not exist yet", false, false),
    ] {
        let backups = dir.path().join("backups");
        let metrics = free_addr();
        let web = free_addr();
        let mut env = vec![
            ("DISCORD_TOKEN", TOKEN),
            ("METRICS_ADDR", metrics.as_str()),
            ("WEB_ADDR", web.as_str()),
            ("BACKUP_DIR", backups.to_str().unwrap()),
        ];
        if with_embeddings {
            env.push(("EMBEDDINGS_URL", embeddings.as_str()));
            env.push(("EMBEDDINGS_QUERY_PREFIX", "query: "));
        }
        let out = run_cli(&sqlite_url(&db), &["check", "--lang", "en"], &env).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = check_lines(&stdout);
        assert_eq!(lines.len(), 8, "{stdout}");
        assert!(lines.iter().all(|(ok, _)| *ok), "{stdout}");
        if with_embeddings {
            assert!(stdout.contains("answers for bge-m3: 3 numbers a vector"), "{stdout}");
            assert_eq!(asked.lock().unwrap().as_slice(), ["query: claim-digest check"]);
        } else {
            assert!(stdout.contains("not set: news is ranked by words alone"), "{stdout}");
        }
        assert!(stdout.contains(expect), "{stdout}");
        assert!(stdout.contains(&format!("{metrics} can be bound")), "{stdout}");
        assert!(stdout.contains(&format!("{web} can be bound")), "{stdout}");
        assert!(stdout.contains("The configuration is ready to run."));
        assert!(!stdout.contains(TOKEN) && !String::from_utf8_lossy(&out.stderr).contains(TOKEN));
        assert_eq!(db.exists(), existed, "check creates no database");
        assert!(!backups.exists(), "check creates nothing");
    }
}

#[tokio::test]
async fn check_fails_on_a_bad_configuration_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("claims.toml");
    std::fs::write(&claims, "this is = not [ a claims file").unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    let not_a_folder = dir.path().join("a-file");
    std::fs::write(&not_a_folder, "").unwrap();
    let backups = not_a_folder.join("backups");
    // Nothing listens on port 1: the database is unreachable. Its password must not be printed.
    let out = run_cli(
        "postgres://claims:hunter2-secret@127.0.0.1:1/claims",
        &["check", "--lang", "en"],
        &[
            ("DISCORD_TOKEN", "fake-token.for-tests"),
            ("CLAIMS_FILE", claims.to_str().unwrap()),
            ("FEEDS_FILE", dir.path().join("missing.toml").to_str().unwrap()),
            ("METRICS_ADDR", &taken_addr),
            ("WEB_ADDR", &taken_addr),
            ("BACKUP_DIR", backups.to_str().unwrap()),
            ("EMBEDDINGS_URL", "http://me:hunter2@127.0.0.1:1/v1"),
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines = check_lines(&stdout);
    assert_eq!(lines.len(), 8, "{stdout}");
    for key in [
        "DISCORD_TOKEN",
        "DATABASE_URL",
        "CLAIMS_FILE",
        "FEEDS_FILE",
        "METRICS_ADDR",
        "WEB_ADDR",
        "BACKUP_DIR",
    ] {
        let line = lines
            .iter()
            .find(|(_, l)| l.contains(key))
            .unwrap_or_else(|| panic!("no {key} line: {stdout}"));
        assert!(!line.0, "{key} should fail: {}", line.1);
    }
    assert!(stdout.contains("not shaped like a Discord bot token"), "{stdout}");
    assert!(stdout.contains("unreachable"), "{stdout}");
    assert!(stdout.contains("7 checks failed."), "{stdout}");
    // An embeddings server down is a warning: the bot runs, by words alone.
    let embeddings = lines.iter().find(|(_, l)| l.contains("EMBEDDINGS_URL")).unwrap();
    assert!(
        embeddings.1.starts_with("warn") && embeddings.1.contains("does not answer for bge-m3"),
        "{stdout}"
    );
    let everything = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!everything.contains("hunter2"), "{everything}");
    assert!(!everything.contains("fake-token.for-tests"), "{everything}");
    drop(taken);

    // A missing token, a value that does not parse: the configuration line says which key.
    let out = run_cli(
        &sqlite_url(&dir.path().join("x.db")),
        &["check", "--lang", "en"],
        &[("NEWS_COUNT", "9")],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("FAIL") && stdout.contains("NEWS_COUNT=9"),
        "{stdout}"
    );

    let out = run_cli(&sqlite_url(&dir.path().join("x.db")), &["check", "--lang", "en"], &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let failed: Vec<_> = check_lines(&stdout).into_iter().filter(|(ok, _)| !ok).collect();
    assert_eq!(failed.len(), 1, "{stdout}");
    assert!(
        failed[0].1.contains("DISCORD_TOKEN") && failed[0].1.contains("not set"),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_speaks_chinese_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(
        &sqlite_url(&dir.path().join("x.db")),
        &["check"],
        &[("DISCORD_TOKEN", TOKEN)],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("配置可以运行"), "{stdout}");
}

/// The bot with LOG_FORMAT=json and everything logged (RUST_LOG=debug): every line on stderr is
/// a JSON object, and the token, which the bot did send to the gateway, is in none of them.
#[tokio::test]
async fn json_logs_are_json_and_never_carry_the_token() {
    let feeds = FeedServer::default();
    feeds.put("news.xml", "application/rss+xml", rss("Loopback", &[]));
    let addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let mut bot = start_bot_with(
        &fake,
        dir,
        &format!("http://{addr}/feeds/news.xml"),
        &database,
        &[("DISCORD_TOKEN", TOKEN), ("LOG_FORMAT", "json"), ("RUST_LOG", "debug")],
    )
    .await;
    let identify = fake.wait_identified(Duration::from_secs(30)).await;
    assert_eq!(identify["d"]["token"], format!("Bot {TOKEN}"), "the bot used the token");
    // Wait for the bot to say it is connected, then stop it as systemd would (SIGTERM).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !log_of(&bot).contains("\"connected\"") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never connected:\n{}",
            log_of(&bot)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let term = std::process::Command::new("kill")
        .args(["-TERM", &bot.pid().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    tokio::time::timeout(Duration::from_secs(15), bot.child.wait())
        .await
        .expect("the bot stops on SIGTERM")
        .unwrap();
    let log = log_of(&bot);
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 10, "debug logging says more than this:\n{log}");
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(value["level"].is_string() && value["timestamp"].is_string(), "{line}");
    }
    assert!(lines.iter().any(|l| l.contains("\"message\":\"connected\"")), "{log}");
    let hmac = TOKEN.rsplit('.').next().unwrap();
    assert!(!log.contains(TOKEN) && !log.contains(hmac), "the token was logged");
}

/// On PostgreSQL (when TEST_POSTGRES_URL names a server): an empty database is reachable with
/// every migration still to apply; once the bot has started on it, all are applied. Neither
/// run changes the database.
#[tokio::test]
async fn check_reads_migrations_on_postgres() {
    let Some(admin) = claim_digest::store::testing::postgres_admin_url() else {
        claim_digest::store::testing::say_skipped(
            "the PostgreSQL part of the operations test: TEST_POSTGRES_URL is not set",
        );
        return;
    };
    let url = claim_digest::store::testing::scratch_postgres_database(&admin)
        .await
        .unwrap();
    let database_line = |stdout: &str| {
        stdout
            .lines()
            .find(|l| l.contains("DATABASE_URL"))
            .unwrap_or_default()
            .to_string()
    };
    let out = run_cli(&url, &["check", "--lang", "en"], &[("DISCORD_TOKEN", TOKEN)]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let line = database_line(&stdout);
    assert!(
        line.starts_with("ok") && line.contains("postgres: reachable, 0 applied"),
        "{line}"
    );
    let status = claim_digest::store::schema_status(&url).await.unwrap();
    assert_eq!(status.applied, 0, "check migrated nothing");

    Store::open(&url).await.unwrap().close().await;
    let out = run_cli(&url, &["check", "--lang", "en"], &[("DISCORD_TOKEN", TOKEN)]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let line = database_line(&stdout);
    assert!(
        line.contains(&format!("all {} migrations applied", status.pending.len())),
        "{line}"
    );
}
