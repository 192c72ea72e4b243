//! `/metrics` scraped over HTTP from the real bot and read with a Prometheus text-format parser:
//! every counter is there under its old name, and the histograms (interaction time by kind,
//! feed fetches, post lateness, ranking) are there and move with the work the bot does.

use std::time::Duration;

use chrono::{Timelike, Utc};
use prometheus_parse::{Scrape, Value};

use crate::support::bot::{channel_resolved, content, setup_options, start_bot_on_test_clock, Bot};
use crate::support::fake_discord::{At, FakeDiscord, Member};
use crate::support::{rss, FeedServer};

const WAIT: Duration = Duration::from_secs(20);
const GUILD: u64 = 9101;
const CHANNEL: u64 = 9102;
const MOD: Member = Member {
    id: 801,
    name: "moderator",
    permissions: "32",
};
const VOTER: Member = Member {
    id: 802,
    name: "voter",
    permissions: "0",
};

fn at(member: Member) -> At {
    At {
        guild: GUILD,
        channel: CHANNEL,
        member,
        locale: "en-US",
    }
}

async fn scrape(bot: &Bot) -> Scrape {
    let (status, body) = bot.get("/metrics").await.expect("the metrics server answers");
    assert_eq!(status, 200, "{body}");
    Scrape::parse(body.lines().map(|line| Ok(line.to_string()))).expect("Prometheus text format")
}

/// The value of the sample `name` whose labels include `labels` (a histogram gives its count).
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(buckets) => buckets.iter().map(|b| b.count).fold(0.0, f64::max),
            Value::Summary(_) => f64::NAN,
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_as_prometheus_text_and_move_with_the_work() {
    let feeds = FeedServer::default();
    feeds.put(
        "news.xml",
        "application/rss+xml",
        rss(
            "Loopback",
            &[(
                "m1",
                "AI agents take over office work",
                "https://stories.example/m1",
                &Utc::now().to_rfc2822(),
            )],
        ),
    );
    let feed_url = format!("http://{}/feeds/news.xml", feeds.start().await);
    let fake = FakeDiscord::start().await;
    let bot = start_bot_on_test_clock(&fake, &feed_url, &[]).await;
    fake.wait_identified(WAIT).await;
    fake.wait_request("command registration", WAIT, |r| r.method == "PUT")
        .await;

    // Before any work: every counter is there, at zero, under the names dashboards use.
    let before = scrape(&bot).await;
    for counter in [
        "claim_digest_posts_sent_total",
        "claim_digest_posts_failed_total",
        "claim_digest_votes_total",
        "claim_digest_feed_failures_total",
        "claim_digest_items_embedded_total",
    ] {
        assert_eq!(value(&before, counter, &[]), Some(0.0), "{counter}");
    }
    for present in [
        "claim_digest_feed_fetches_total",
        "claim_digest_footer_queue",
        "claim_digest_gateway_connected",
        "claim_digest_shards_connected",
        "claim_digest_post_lateness_seconds_count",
        "claim_digest_ranking_seconds_count",
    ] {
        assert!(value(&before, present, &[]).is_some(), "{present} missing");
    }
    assert_eq!(
        value(&before, "claim_digest_post_lateness_seconds_count", &[]),
        Some(0.0)
    );

    // A server due five minutes ahead on the bot's clock; the clock is moved to that minute.
    let due = (bot.clock().await + chrono::Duration::minutes(5))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let setup = fake.slash(
        at(MOD),
        "digest",
        setup_options(CHANNEL, &due.format("%H:%M").to_string(), "UTC", "en"),
        channel_resolved(CHANNEL),
    );
    assert!(content(&fake.answer(setup, WAIT).await).contains("Set up"));
    // The default feed is fetched (the poller runs every second in tests).
    let fetched = tokio::time::Instant::now();
    while feeds.hits("news.xml") == 0 && fetched.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bot.set_clock(due).await;
    let post = fake
        .wait_request("the scheduled post", WAIT, |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL}/messages")
        })
        .await;
    let custom_id = post.body["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The fake records a request before it stores the message it creates.
    let stored_by = tokio::time::Instant::now() + WAIT;
    let stored = loop {
        if let Some(message) = fake.messages_in(CHANNEL).into_iter().next() {
            break message;
        }
        assert!(tokio::time::Instant::now() < stored_by, "the post was never stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let click = fake.click(at(VOTER), stored, &custom_id);
    assert!(content(&fake.answer(click, WAIT).await).contains("recorded"));

    // The counters and histograms moved.
    let deadline = tokio::time::Instant::now() + WAIT;
    let after = loop {
        let now = scrape(&bot).await;
        let fetch = value(&now, "claim_digest_feed_fetch_seconds_count", &[("result", "stored")]);
        let votes = value(&now, "claim_digest_interaction_seconds_count", &[("kind", "vote")]);
        // The post's lateness is taken once its record is saved, which on PostgreSQL can come
        // after the message is on Discord and voted on.
        let posted = value(&now, "claim_digest_post_lateness_seconds_count", &[]);
        if fetch >= Some(1.0) && votes >= Some(1.0) && posted >= Some(1.0) {
            break now;
        }
        assert!(tokio::time::Instant::now() < deadline, "metrics did not move: {now:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(value(&after, "claim_digest_posts_sent_total", &[]), Some(1.0));
    assert_eq!(value(&after, "claim_digest_votes_total", &[]), Some(1.0));
    assert!(value(&after, "claim_digest_feed_fetches_total", &[]) >= Some(1.0));
    assert!(value(&after, "claim_digest_discord_responses_total", &[("status", "200")]) >= Some(1.0));
    assert_eq!(
        value(&after, "claim_digest_interaction_seconds_count", &[("kind", "vote")]),
        Some(1.0)
    );
    assert!(
        value(&after, "claim_digest_interaction_seconds_count", &[("kind", "command")]) >= Some(1.0),
        "the /digest setup command is timed"
    );
    assert!(value(&after, "claim_digest_ranking_seconds_count", &[]) >= Some(1.0));
    // The daily post: one, measured against its minute, and on the minute (within 2 s).
    assert_eq!(
        value(&after, "claim_digest_post_lateness_seconds_count", &[]),
        Some(1.0)
    );
    let late = value(&after, "claim_digest_post_lateness_seconds_sum", &[]).unwrap();
    assert!((0.0..2.0).contains(&late), "the post left {late} s after its minute");
    // Bounded labels: no server, member or channel id appears in any label.
    for sample in &after.samples {
        for (_, label) in sample.labels.iter() {
            assert!(
                !label.contains(&GUILD.to_string()) && !label.contains(&CHANNEL.to_string()),
                "{} carries an id: {label}",
                sample.metric
            );
        }
    }
    drop(bot);
}
