//! Two bot processes, two gateway shards each, one PostgreSQL database, a fake Discord with four
//! shards: every server is posted exactly once, by the process that owns its shard; the shared
//! feed is fetched once; votes through both processes land in one tally; a killed process leaves
//! the other serving, and catches up on its own servers when it comes back.
//!
//! Needs a PostgreSQL server (TEST_POSTGRES_URL; `.ci/postgres start` makes one). Without it the
//! test says so and passes on a developer's machine; in CI it fails instead.

use crate::support;

use std::time::Duration;

use chrono::{Timelike, Utc};
use serde_json::{json, Value};

use crate::support::bot::{channel_resolved, content, setup_options, start_bot_with, subcommand, Bot};
use crate::support::fake_discord::{At, FakeDiscord, Member};
use crate::support::{rss, FeedServer};
use claim_digest::domain::ids::PostId;
use claim_digest::domain::votes::Choice;
use claim_digest::store::testing::{postgres_admin_url, scratch_postgres_database};
use claim_digest::store::Store;

const WAIT: Duration = Duration::from_secs(30);
const SHARDS: u64 = 4;
const MOD: Member = Member {
    id: 601,
    name: "moderator",
    permissions: "32",
};

/// A server id Discord would route to `shard` of four.
fn guild_on(shard: u64, n: u64) -> u64 {
    ((1_000 + n * SHARDS + shard) << 22) | 0x1234
}

fn at(guild: u64, member: Member) -> At {
    At {
        guild,
        channel: channel_of(guild),
        member,
        locale: "en-US",
    }
}

fn channel_of(guild: u64) -> u64 {
    guild + 1
}

async fn set_up(fake: &FakeDiscord, guild: u64, time: &str) {
    let id = fake.slash(
        at(guild, MOD),
        "digest",
        setup_options(channel_of(guild), time, "UTC", "en"),
        channel_resolved(channel_of(guild)),
    );
    let answer = fake.answer(id, WAIT).await;
    assert!(content(&answer).contains("Set up"), "{answer}");
}

/// Daily posts (messages with vote buttons) in the server's channel.
fn daily_posts(fake: &FakeDiscord, guild: u64) -> Vec<Value> {
    fake.messages_in(channel_of(guild))
        .into_iter()
        .filter(|m| m["components"][0]["components"][0]["custom_id"].is_string())
        .collect()
}

/// Waits until `n` gateway sessions have identified.
async fn wait_for_sessions(fake: &FakeDiscord, n: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while fake.identified_shards().len() < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "shards identified: {:?}",
            fake.identified_shards()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_posts(fake: &FakeDiscord, guilds: &[u64], timeout: Duration, a: &Bot, b: &Bot) {
    let deadline = tokio::time::Instant::now() + timeout;
    while guilds.iter().any(|g| daily_posts(fake, *g).is_empty()) {
        if tokio::time::Instant::now() > deadline {
            let missing: Vec<u64> = guilds
                .iter()
                .copied()
                .filter(|g| daily_posts(fake, *g).is_empty())
                .collect();
            panic!(
                "no post in {missing:?}\n---- process A ----\n{}\n---- process B ----\n{}",
                support::bot::log_of(a),
                support::bot::log_of(b)
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn two_processes_share_four_shards_and_one_postgres_database() {
    let Some(admin) = postgres_admin_url() else {
        claim_digest::store::testing::say_skipped(
            "the sharded test: set TEST_POSTGRES_URL (see .ci/postgres) to run it",
        );
        return;
    };
    let database_url = scratch_postgres_database(&admin).await.unwrap();
    let feeds = FeedServer::default();
    feeds.put(
        "news.xml",
        "application/rss+xml",
        rss(
            "Loopback",
            &[(
                "s1",
                "AI agents take over office work",
                "https://stories.example/1",
                &Utc::now().to_rfc2822(),
            )],
        ),
    );
    let feed_url = format!("http://{}/feeds/news.xml", feeds.start().await);
    let fake = FakeDiscord::start().await;
    fake.set_shard_count(SHARDS);

    // Both processes run on test clocks (CLOCK_START) that the test moves to each due minute.
    let clock_start = Utc::now().to_rfc3339();
    let start = |ids: &'static str| {
        let (fake, feed_url, database_url) = (fake.clone(), feed_url.clone(), database_url.clone());
        let clock_start = clock_start.clone();
        async move {
            let env = [
                ("SHARD_COUNT", "4"),
                ("SHARD_IDS", ids),
                ("CLOCK_START", clock_start.as_str()),
            ];
            start_bot_with(&fake, tempfile::tempdir().unwrap(), &feed_url, &database_url, &env).await
        }
    };
    let a = start("0-1").await;
    let mut b = start("2-3").await;

    // Four sessions, one per shard, and commands registered once (by the process with shard 0).
    wait_for_sessions(&fake, 4).await;
    let mut shards = fake.identified_shards();
    shards.sort();
    assert_eq!(shards, [(0, 4), (1, 4), (2, 4), (3, 4)]);
    fake.wait_request("command registration", WAIT, |r| r.method == "PUT")
        .await;

    // Servers on A's shards (0, 1) are due at one minute; those on B's (2, 3) at the next. Both
    // minutes lie ahead on the clocks, which the test moves there.
    let a_guilds = [guild_on(0, 1), guild_on(0, 2), guild_on(1, 1), guild_on(1, 2)];
    let b_guilds = [guild_on(2, 1), guild_on(2, 2), guild_on(3, 1), guild_on(3, 2)];
    let first = (a.clock().await + chrono::Duration::minutes(5))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let second = first + chrono::Duration::minutes(1);
    let this_minute = first.format("%H:%M").to_string();
    let next_minute = second.format("%H:%M").to_string();
    for guild in a_guilds {
        set_up(&fake, guild, &this_minute).await;
    }
    for guild in b_guilds {
        set_up(&fake, guild, &next_minute).await;
    }
    a.set_clock(first).await;
    b.set_clock(first).await;
    wait_for_posts(&fake, &a_guilds, WAIT, &a, &b).await;

    // B is killed before its servers are due. A goes on serving its own shards, and does not
    // post for B's servers once their minute has passed on its clock.
    b.child.kill().await.unwrap();
    let after_second = second + chrono::Duration::seconds(4);
    a.set_clock(after_second).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = fake.slash(at(a_guilds[0], MOD), "claim", subcommand("today", json!([])), json!({}));
    assert!(!content(&fake.answer(asked, WAIT).await).is_empty(), "A still answers");
    for guild in b_guilds {
        assert!(
            daily_posts(&fake, guild).is_empty(),
            "server {guild} is B's: A must not post it"
        );
    }

    // B comes back and catches up on its servers' posts.
    b.restart(&fake);
    b.set_clock(after_second).await;
    wait_for_posts(&fake, &b_guilds, WAIT, &a, &b).await;
    // Events reach B again once both its shards are connected (serenity starts them 5 s apart).
    wait_for_sessions(&fake, 6).await;
    assert_eq!(
        fake.requests().iter().filter(|r| r.method == "PUT").count(),
        1,
        "commands registered once, by the process with shard 0"
    );

    // Members vote on every server's post, through whichever process runs its shard.
    let voters = [
        Member {
            id: 701,
            name: "ann",
            permissions: "0",
        },
        Member {
            id: 702,
            name: "ben",
            permissions: "0",
        },
    ];
    let mut post_ids = Vec::new();
    for guild in a_guilds.iter().chain(&b_guilds) {
        let post = daily_posts(&fake, *guild).remove(0);
        let custom_id = post["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_string();
        let post_id: i64 = custom_id.split(':').nth(1).unwrap().parse().unwrap();
        post_ids.push(post_id);
        for (i, voter) in voters.iter().enumerate() {
            let choice = if i == 0 { "agree" } else { "disagree" };
            let click = fake.click(at(*guild, *voter), post.clone(), &format!("vote:{post_id}:{choice}"));
            let answer = fake.answer(click, WAIT).await;
            assert!(!content(&answer).is_empty(), "vote on {guild} answered: {answer}");
        }
    }

    // Settle, then count: exactly one post per server, the feed fetched once, every vote in the
    // one database.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for guild in a_guilds.iter().chain(&b_guilds) {
        assert_eq!(daily_posts(&fake, *guild).len(), 1, "server {guild} posted once");
    }
    assert_eq!(feeds.hits("news.xml"), 1, "two processes, one fetch per interval");
    let store = Store::open(&database_url).await.unwrap();
    for post in &post_ids {
        let tally = store.post_tally(PostId(*post)).await.unwrap();
        assert_eq!(
            (tally.count(Choice::Agree), tally.count(Choice::Disagree)),
            (1, 1),
            "post {post}"
        );
    }
    store.close().await;
    drop(a);
}
