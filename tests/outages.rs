//! The database going away while the bot runs.
//!
//! PostgreSQL: the test starts its own server (never the shared one), stops it while the real
//! bot runs against a fake Discord, and starts it again. During the outage the gateway stays up,
//! a vote is answered "could not be recorded, try again" and never counted, /healthz says the
//! database is down, and a daily post falls due (on the bot's test clock). Within 10 s of the
//! server's return votes are recorded and that post goes out, once. The 30 s outage is
//! shortened to OUTAGE here: the bot's behaviour does not depend on how long the server is gone
//! (every request fails within the pool's 2 s acquire timeout either way).
//!
//! SQLite: a full disk, simulated with `PRAGMA max_page_count`, gives the same honest refusals,
//! leaves a sound file, and writes work again when space returns.

use crate::support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{NaiveTime, Timelike, Utc};
use serde_json::Value;

use crate::support::bot::{channel_resolved, content, setup_options, start_bot_with, Bot};
use crate::support::fake_discord::{At, FakeDiscord, Member};
use crate::support::{repo_file, rss, FeedServer};
use claim_digest::config::Config;
use claim_digest::domain::claims::ClaimSet;
use claim_digest::domain::digest::NewsCount;
use claim_digest::domain::ids::{ChannelId, GuildId, MessageId, PostId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::votes::Choice;
use claim_digest::error::Error;
use claim_digest::feeds::FeedCatalog;
use claim_digest::services::poster::{PostView, PublishError, Publisher};
use claim_digest::services::votes::Ballot;
use claim_digest::services::App;
use claim_digest::store::{is_unavailable, testing, GuildUpdate, Store, VoteSource};

const WAIT: Duration = Duration::from_secs(20);
const OUTAGE: Duration = Duration::from_secs(4);
const MOD: Member = Member {
    id: 901,
    name: "moderator",
    permissions: "32",
};

fn member(id: u64) -> Member {
    Member {
        id,
        name: "member",
        permissions: "0",
    }
}

fn at(guild: u64, member: Member) -> At {
    At {
        guild,
        channel: guild + 1,
        member,
        locale: "en-US",
    }
}

/// A PostgreSQL server of the test's own, on its own port and folder; stopped when dropped.
struct OwnPostgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnPostgres {
    fn binaries_present() -> bool {
        std::fs::read_dir("/usr/lib/postgresql")
            .map(|versions| versions.flatten().any(|v| v.path().join("bin/pg_ctl").exists()))
            .unwrap_or(false)
    }

    fn script() -> PathBuf {
        repo_file(".ci/postgres")
    }

    fn run(&self, action: &str) -> String {
        let out = std::process::Command::new("bash")
            .arg(Self::script())
            .arg(action)
            .arg(self.dir.path())
            .env("PG_PORT", self.port.to_string())
            .output()
            .expect("running .ci/postgres");
        assert!(
            out.status.success(),
            ".ci/postgres {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Starts (creating it the first time) and returns the admin URL.
    fn start(&self) -> String {
        self.run("start")
    }

    /// `pg_ctl stop -m fast` through the script: clients are disconnected at once.
    fn stop(&self) {
        self.run("stop");
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(Self::script())
            .arg("stop")
            .arg(self.dir.path())
            .env("PG_PORT", self.port.to_string())
            .output();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn daily_posts(fake: &FakeDiscord, guild: u64) -> Vec<Value> {
    fake.messages_in(guild + 1)
        .into_iter()
        .filter(|m| m["components"][0]["components"][0]["custom_id"].is_string())
        .collect()
}

async fn wait_for_post(fake: &FakeDiscord, guild: u64, timeout: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(post) = daily_posts(fake, guild).into_iter().next() {
            return post;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no daily post in server {guild}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn vote(fake: &FakeDiscord, guild: u64, voter: Member, post: &Value) -> String {
    let custom_id = post["components"][0]["components"][0]["custom_id"].as_str().unwrap();
    let click = fake.click(at(guild, voter), post.clone(), custom_id);
    content(&fake.answer(click, WAIT).await)
}

async fn health(bot: &Bot) -> (u16, Value) {
    let (status, body) = bot.get("/healthz").await.expect("the health server answers");
    (status, serde_json::from_str(&body).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_refuses_votes_honestly_and_catches_up_once_it_returns() {
    if !OwnPostgres::binaries_present() {
        claim_digest::store::testing::say_skipped(
            "the PostgreSQL outage test: no PostgreSQL binaries under /usr/lib/postgresql (.ci/postgres installs them)",
        );
        return;
    }
    let pg = OwnPostgres {
        dir: tempfile::tempdir().unwrap(),
        port: free_port(),
    };
    let admin = pg.start();
    let database_url = testing::scratch_postgres_database(&admin).await.unwrap();

    let feeds = FeedServer::default();
    feeds.put("news.xml", "application/rss+xml", rss("Loopback", &[]));
    let feed_url = format!("http://{}/feeds/news.xml", feeds.start().await);
    let fake = FakeDiscord::start().await;
    let start = Utc::now().to_rfc3339();
    let bot = start_bot_with(
        &fake,
        tempfile::tempdir().unwrap(),
        &feed_url,
        &database_url,
        &[("CLOCK_START", start.as_str())],
    )
    .await;
    fake.wait_identified(WAIT).await;
    fake.wait_request("command registration", WAIT, |r| r.method == "PUT")
        .await;

    // Server A posts at `first` (its post is voted on); server B falls due during the outage.
    let (a, b) = (5_001u64, 5_101u64);
    let first = (bot.clock().await + chrono::Duration::minutes(5))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let second = first + chrono::Duration::minutes(1);
    for (guild, due) in [(a, first), (b, second)] {
        let id = fake.slash(
            at(guild, MOD),
            "digest",
            setup_options(guild + 1, &due.format("%H:%M").to_string(), "UTC", "en"),
            channel_resolved(guild + 1),
        );
        assert!(content(&fake.answer(id, WAIT).await).contains("Set up"));
    }
    bot.set_clock(first).await;
    let post = wait_for_post(&fake, a, WAIT).await;
    assert!(vote(&fake, a, member(1), &post).await.contains("Your vote is recorded"));
    assert_eq!(health(&bot).await.0, 200);

    // The outage.
    pg.stop();
    let outage = Instant::now();
    bot.set_clock(second + chrono::Duration::seconds(1)).await;
    let refused = vote(&fake, a, member(2), &post).await;
    assert!(refused.contains("could not be recorded"), "{refused}");
    assert!(!refused.contains("Your vote is recorded"), "{refused}");
    let (status, body) = health(&bot).await;
    assert_eq!(status, 503);
    assert_eq!(
        (body["gateway"].as_bool(), body["database"].as_bool()),
        (Some(true), Some(false))
    );
    assert!(
        daily_posts(&fake, b).is_empty(),
        "B's post cannot be reserved while the database is down"
    );
    if let Some(left) = OUTAGE.checked_sub(outage.elapsed()) {
        tokio::time::sleep(left).await;
    }
    assert!(running(bot.pid()), "the bot is still running");

    // The server returns: within 10 s votes are recorded and B's post goes out.
    pg.start();
    let back = Instant::now();
    loop {
        let answer = vote(&fake, a, member(3), &post).await;
        if answer.contains("Your vote is recorded") {
            break;
        }
        assert!(answer.contains("could not be recorded"), "{answer}");
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "votes still refused after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_for_post(&fake, b, Duration::from_secs(10).saturating_sub(back.elapsed())).await;
    assert!(back.elapsed() < Duration::from_secs(10));
    assert_eq!(health(&bot).await.0, 200);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(daily_posts(&fake, b).len(), 1, "B posted exactly once");
    assert_eq!(daily_posts(&fake, a).len(), 1, "A posted exactly once");

    // Member 2's refused vote never counted; members 1 and 3 did.
    let store = Store::open(&database_url).await.unwrap();
    let custom_id = post["components"][0]["components"][0]["custom_id"].as_str().unwrap();
    let post_id: i64 = custom_id.split(':').nth(1).unwrap().parse().unwrap();
    let tally = store.post_tally(PostId(post_id)).await.unwrap();
    assert_eq!(tally.count(Choice::Agree), 2, "{tally:?}");
    store.close().await;
    drop(bot);
}

/// Whether the process `pid` is running (not exited, not a zombie waiting to be reaped).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.contains(") Z "))
}

/// Records posts instead of sending them to Discord.
#[derive(Default)]
struct Recorder {
    sent: std::sync::Mutex<Vec<PostId>>,
}

impl Publisher for Recorder {
    async fn publish(&self, _: ChannelId, view: &PostView<'_>) -> Result<MessageId, PublishError> {
        let mut sent = self.sent.lock().unwrap();
        sent.push(view.post.id);
        Ok(MessageId(10_000 + view.post.id.0 as u64))
    }

    /// Like Discord's channel history: a post sent but not recorded (the disk filled between
    /// the two) is found again rather than sent twice.
    async fn find_existing(&self, _: ChannelId, post: PostId) -> Result<Option<MessageId>, PublishError> {
        let sent = self.sent.lock().unwrap();
        Ok(sent.contains(&post).then(|| MessageId(10_000 + post.0 as u64)))
    }
}

#[tokio::test]
async fn a_full_sqlite_disk_refuses_writes_honestly_keeps_the_file_sound_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir.path().join("full.db"));
    let store = Store::open(&url).await.unwrap();
    let claims = ClaimSet::load(&repo_file("data/claims.toml")).unwrap();
    let config = Config::from_lookup(|_| None).unwrap();
    let app = App::new(config, claims, FeedCatalog::default(), store.clone()).unwrap();
    let now = Utc::now();
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    for guild in [1u64, 2] {
        store.ensure_guild(GuildId(guild), Lang::En, &[], now).await.unwrap();
        let update = GuildUpdate {
            channel: ChannelId(100 + guild),
            post_time: nine,
            timezone: chrono_tz::Tz::UTC,
            language: Lang::En,
            news_count: NewsCount::default(),
            thread: false,
            moderator_role: None,
            ping_role: None,
            post_days: None,
            recap_day: None,
        };
        store.setup_guild(GuildId(guild), &update).await.unwrap();
    }
    let recorder = Recorder::default();
    let guild_one = store.guild(GuildId(1)).await.unwrap().unwrap();
    let today = chrono::Utc::now().date_naive();
    let posted = app.post_today(&recorder, &guild_one, today, now).await.unwrap();
    let post = match posted {
        claim_digest::services::poster::PostResult::Posted(post) => post,
        other => panic!("{other:?}"),
    };

    // The disk fills: votes are refused one by one, each refusal a database-unavailable error.
    testing::limit_sqlite_pages(&store, None).await.unwrap();
    let ballot = |user: u64| Ballot {
        guild: GuildId(1),
        post: post.id,
        user: UserId(user),
        choice: Choice::Agree,
        source: VoteSource::Button,
    };
    let mut acknowledged = 0u32;
    let mut refusal = None;
    for user in 1..=20_000u64 {
        match app.vote(ballot(user), now).await {
            Ok(_) => acknowledged += 1,
            Err(Error::Internal(e)) => {
                refusal = Some(e);
                break;
            }
            Err(Error::User(e)) => panic!("a full disk is not the member's fault: {e}"),
        }
    }
    let refusal = refusal.expect("the capped file filled up");
    assert!(is_unavailable(&refusal), "{refusal:#}");
    assert!(
        claim_digest::render::i18n::Locale::of(Lang::En)
            .text(&claim_digest::message::Message::new("vote-not-recorded", vec![]))
            .contains("try again"),
        "the member is told to try again"
    );
    // The next day's posts may fit in pages that still have room, or be refused: either way a
    // pass never fails loudly and nothing is sent twice (checked at the end).
    let due = now.date_naive().and_time(nine).and_utc() + chrono::Duration::days(1);
    let _ = app.run_poster_once(&recorder, due).await;

    // The file is sound, and every acknowledged vote is in it.
    assert_eq!(testing::sqlite_integrity(&store).await.unwrap(), "ok");
    let tally = store.post_tally(post.id).await.unwrap();
    assert_eq!(tally.count(Choice::Agree), acknowledged, "{tally:?}");

    // Space returns: the refused vote goes through, the missed post goes out once.
    testing::limit_sqlite_pages(&store, Some(1_073_741_823)).await.unwrap();
    let refused_user = u64::from(acknowledged) + 1;
    app.vote(ballot(refused_user), now).await.unwrap();
    let tally = store.post_tally(post.id).await.unwrap();
    assert_eq!(tally.count(Choice::Agree), acknowledged + 1);
    let later = due + chrono::Duration::minutes(1);
    app.run_poster_once(&recorder, later).await.unwrap();
    let again = app
        .run_poster_once(&recorder, later + chrono::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((again.posted.len(), again.already_posted), (0, 2), "{again:?}");
    let sent = recorder.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 3, "today's post and both servers' next-day posts: {sent:?}");
    let unique: std::collections::HashSet<i64> = sent.iter().map(|post| post.0).collect();
    assert_eq!(unique.len(), 3, "no post sent twice: {sent:?}");
    for guild in [1u64, 2] {
        let post = store.post_on(GuildId(guild), due.date_naive()).await.unwrap().unwrap();
        assert_eq!(post.status, claim_digest::store::PostStatus::Sent);
    }
    assert_eq!(testing::sqlite_integrity(&store).await.unwrap(), "ok");
    store.close().await;
}
