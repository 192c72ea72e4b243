//! The bot against a fake Discord that fails: 500s, per-route and global 429s, a forbidden
//! channel, SIGKILL during a burst of votes, SIGTERM.

use crate::support;

use std::time::Duration;

use chrono::{Timelike, Utc};
use serde_json::{json, Value};

use crate::support::bot::{channel_resolved, content, setup_options, start_bot, subcommand, Bot};
use crate::support::fake_discord::{At, FakeDiscord, Member};
use crate::support::{rss, run_cli, FeedServer};

const WAIT: Duration = Duration::from_secs(20);
const MOD: Member = Member {
    id: 501,
    name: "moderator",
    permissions: "32",
};

async fn ready_bot() -> (FakeDiscord, Bot, FeedServer) {
    let feeds = FeedServer::default();
    feeds.put("news.xml", "application/rss+xml", rss("Loopback", &[]));
    let addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, &format!("http://{addr}/feeds/news.xml")).await;
    fake.wait_identified(WAIT).await;
    fake.wait_request("command registration", WAIT, |r| r.method == "PUT")
        .await;
    (fake, bot, feeds)
}

/// Sets a server up with a post time hours away, so that only /digest now posts.
async fn set_up(fake: &FakeDiscord, guild: u64, channel: u64) {
    let later = (Utc::now() + chrono::Duration::hours(3)).with_minute(0).unwrap();
    let at = At {
        guild,
        channel,
        member: MOD,
        locale: "en-US",
    };
    let id = fake.slash(
        at,
        "digest",
        setup_options(channel, &later.format("%H:%M").to_string(), "UTC", "en"),
        channel_resolved(channel),
    );
    assert!(content(&fake.answer(id, WAIT).await).contains("Set up"));
}

async fn digest_now(fake: &FakeDiscord, guild: u64, channel: u64) -> String {
    let at = At {
        guild,
        channel,
        member: MOD,
        locale: "en-US",
    };
    let id = fake.slash(at, "digest", subcommand("now", json!([])), json!({}));
    content(&fake.answer(id, Duration::from_secs(40)).await)
}

fn creates(fake: &FakeDiscord, channel: u64) -> Vec<support::fake_discord::Recorded> {
    let path = format!("/api/v10/channels/{channel}/messages");
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_survives_server_errors_rate_limits_and_a_forbidden_channel() {
    let (fake, bot, _feeds) = ready_bot().await;

    // Two 500s, then success: one post, every attempt with the same nonce.
    set_up(&fake, 11, 111).await;
    fake.inject_fault(500, 0.0, false);
    fake.inject_fault(502, 0.0, false);
    assert!(digest_now(&fake, 11, 111).await.contains("Posted:"));
    let attempts = creates(&fake, 111);
    assert_eq!(attempts.len(), 3);
    let nonces: Vec<&Value> = attempts.iter().map(|r| &r.body["nonce"]).collect();
    assert!(nonces.iter().all(|n| *n == nonces[0] && n.is_string()), "{nonces:?}");
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.path == "/api/v10/channels/111/messages" && r.method == "GET")
            .count(),
        0
    );

    // A 429 for the route: the retry waits at least retry_after.
    set_up(&fake, 12, 121).await;
    fake.inject_fault(429, 1.5, false);
    assert!(digest_now(&fake, 12, 121).await.contains("Posted:"));
    let attempts = creates(&fake, 121);
    assert_eq!(attempts.len(), 2);
    assert!(
        attempts[1].at.duration_since(attempts[0].at) >= Duration::from_millis(1500),
        "retry_after honoured"
    );

    // A global 429: the same, and nothing else was sent meanwhile.
    set_up(&fake, 13, 131).await;
    fake.inject_fault(429, 1.0, true);
    assert!(digest_now(&fake, 13, 131).await.contains("Posted:"));
    let attempts = creates(&fake, 131);
    assert_eq!(attempts.len(), 2);
    assert!(attempts[1].at.duration_since(attempts[0].at) >= Duration::from_millis(1000));

    // A channel that answers 403: the moderator is told, and the schedule is marked broken.
    set_up(&fake, 14, 141).await;
    fake.forbid_channel(141);
    let refused = digest_now(&fake, 14, 141).await;
    assert!(
        refused.contains("Could not post") && refused.contains("403"),
        "{refused}"
    );
    let at = At {
        guild: 14,
        channel: 141,
        member: MOD,
        locale: "en-US",
    };
    let status = fake.slash(at, "digest", subcommand("status", json!([])), json!({}));
    let status = content(&fake.answer(status, WAIT).await);
    assert!(
        status.contains("Stopped until /digest setup is run again") && status.contains("403"),
        "{status}"
    );
    // A moderator whose Discord is in Chinese reads the reason in Chinese.
    let zh = At { locale: "zh-CN", ..at };
    let status = fake.slash(zh, "digest", subcommand("status", json!([])), json!({}));
    let status = content(&fake.answer(status, WAIT).await);
    assert!(
        status.contains("已停止") && status.contains("机器人看不到该频道") && !status.contains("cannot see"),
        "{status}"
    );

    // /healthz and /metrics tell an operator the same story.
    let health = reqwest::get(format!("http://{}/healthz", bot.metrics_addr))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.text().await.unwrap().trim(),
        r#"{"gateway":true,"database":true}"#
    );
    let metrics = reqwest::get(format!("http://{}/metrics", bot.metrics_addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "claim_digest_posts_sent_total 3",
        "claim_digest_posts_failed_total 1",
        "claim_digest_discord_responses_total{status=\"429\"} 2",
        "claim_digest_discord_responses_total{status=\"500\"} 1",
        "claim_digest_discord_responses_total{status=\"403\"} 1",
        "claim_digest_gateway_connected 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "missing `{line}` in\n{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_votes_survive_sigkill_and_sigterm_stops_promptly() {
    let (fake, mut bot, _feeds) = ready_bot().await;
    set_up(&fake, 21, 211).await;
    let posted = digest_now(&fake, 21, 211).await;
    let (stored, post_id) = fake.posted(&posted);

    // A burst of 40 members voting; the bot is killed while it works through them.
    let clicks: Vec<u64> = (0..40u64)
        .map(|i| {
            let member = Member {
                id: 9000 + i,
                name: "voter",
                permissions: "0",
            };
            fake.click(
                At {
                    guild: 21,
                    channel: 211,
                    member,
                    locale: "en-US",
                },
                stored.clone(),
                &format!("vote:{post_id}:agree"),
            )
        })
        .collect();
    let acknowledged = || {
        let requests = fake.requests();
        clicks
            .iter()
            .filter(|id| {
                requests
                    .iter()
                    .any(|r| r.path == format!("/api/v10/interactions/{id}/token-{id}/callback"))
            })
            .count()
    };
    let started = tokio::time::Instant::now();
    while acknowledged() < 10 && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bot.child.start_kill().unwrap();
    bot.child.wait().await.unwrap();
    let acked = acknowledged();
    assert!(acked >= 10, "some votes were acknowledged before the kill ({acked})");

    // Every acknowledged vote is in the tally after the crash.
    let export = run_cli(&bot.database_url, &["tally", "export", "--guild", "21"], &[]).await;
    let rows: Value = serde_json::from_slice(&export.stdout).unwrap();
    let agree = rows[0]["counts"]["agree"].as_u64().unwrap() as usize;
    assert!(agree >= acked, "{agree} votes stored, {acked} acknowledged");

    // Restarted, the bot serves again; the day's post is not sent twice.
    bot.restart(&fake);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(digest_now(&fake, 21, 211).await.contains("already posted"));
    assert_eq!(creates(&fake, 211).len(), 1);

    // SIGTERM: finishes what it was doing and exits cleanly within 10 seconds.
    let pid = bot.pid();
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), bot.child.wait())
        .await
        .expect("exited within 10 s")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_gateway_is_resumed_without_restarting_anything() {
    let (fake, _bot, _feeds) = ready_bot().await;
    set_up(&fake, 31, 311).await;
    fake.drop_sessions();
    // serenity reconnects and resumes; commands keep working.
    let started = tokio::time::Instant::now();
    while fake.sessions_opened() < 2 && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ops: Vec<Value> = fake.gateway_frames().iter().map(|f| f["op"].clone()).collect();
    assert!(fake.sessions_opened() >= 2, "the bot reconnected: {ops:?}");
    assert!(digest_now(&fake, 31, 311).await.contains("Posted:"));
    // Set-up work ran once: commands were registered once, and one post went out.
    assert_eq!(fake.requests().iter().filter(|r| r.method == "PUT").count(), 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(creates(&fake, 311).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_cut_off_by_sigkill_is_found_not_sent_twice() {
    let (fake, mut bot, _feeds) = ready_bot().await;
    set_up(&fake, 41, 411).await;
    // Discord stores the message, but the bot is killed before it hears back.
    fake.delay_next_create(Duration::from_secs(30));
    let at = At {
        guild: 41,
        channel: 411,
        member: MOD,
        locale: "en-US",
    };
    fake.slash(at, "digest", subcommand("now", json!([])), json!({}));
    fake.wait_request("the post being sent", WAIT, |r| {
        r.method == "POST" && r.path == "/api/v10/channels/411/messages"
    })
    .await;
    bot.child.start_kill().unwrap();
    bot.child.wait().await.unwrap();

    bot.restart(&fake);
    let started = tokio::time::Instant::now();
    while fake.sessions_opened() < 2 && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The reserved post is finished, by the start-up poster pass or by this command, whichever
    // comes first: found among the channel's messages by its buttons, not sent again.
    let answer = digest_now(&fake, 41, 411).await;
    assert!(
        answer.contains("Posted:") || answer.contains("already posted"),
        "{answer}"
    );
    assert_eq!(creates(&fake, 411).len(), 1, "the message was not sent a second time");
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == "/api/v10/channels/411/messages"));
    assert!(digest_now(&fake, 41, 411).await.contains("already posted"));
}
