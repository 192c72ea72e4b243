//! A server's own rhythm and its weekly recap, with the real bot binary against a fake Discord,
//! on a clock the test moves (CLOCK_START): a day off is neither posted nor missed, and the recap
//! goes out once, through a restart, pinging no one.

use std::time::Duration;

use chrono::{DateTime, Datelike, Days, Timelike, Utc};
use serde_json::{json, Value};

use crate::support::bot::{channel_resolved, content, start_bot_on_test_clock, subcommand, Bot};
use crate::support::fake_discord::{At, FakeDiscord, Member, ALICE, BOB, CAROL, MOD};
use crate::support::FeedServer;
use claim_digest::render::discord::limit_violations;

const WAIT: Duration = Duration::from_secs(20);

const GUILD: u64 = 9001;
const CHANNEL: u64 = 9101;

fn here(member: Member) -> At {
    At {
        guild: GUILD,
        channel: CHANNEL,
        member,
        locale: "en-US",
    }
}

fn weekday(at: DateTime<Utc>) -> String {
    at.format("%a").to_string().to_lowercase()
}

fn posts_in(fake: &FakeDiscord) -> Vec<Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL}/messages"))
        .map(|r| r.body)
        .collect()
}

fn is_recap(body: &Value) -> bool {
    body["embeds"][0]["title"]
        .as_str()
        .is_some_and(|t| t.starts_with("Weekly recap"))
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = tokio::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_day_off_is_skipped_and_the_weekly_recap_goes_out_once_through_a_restart() {
    let feeds = FeedServer::default();
    feeds.put_fresh_story("AI system proves a conjecture", "https://stories.example/1");
    let feed_addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let mut bot: Bot = start_bot_on_test_clock(&fake, &format!("http://{feed_addr}/feeds/news.xml"), &[]).await;
    fake.wait_registered(WAIT).await;

    // Day 0 and day 2 are post days, day 1 is off; the recap is on day 2's weekday.
    let due = (bot.clock().await + chrono::Duration::minutes(10))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let day = |n: u64| due + Days::new(n);
    let days = format!("{},{}", weekday(day(0)), weekday(day(2)));
    let setup = fake.slash(
        here(MOD),
        "digest",
        subcommand(
            "setup",
            json!([
                {"name": "channel", "type": 7, "value": CHANNEL.to_string()},
                {"name": "time", "type": 3, "value": due.format("%H:%M").to_string()},
                {"name": "timezone", "type": 3, "value": "UTC"},
                {"name": "language", "type": 4, "value": 1},
                {"name": "days", "type": 3, "value": days},
                {"name": "recap", "type": 3, "value": weekday(day(2))},
            ]),
        ),
        channel_resolved(CHANNEL),
    );
    let answer = content(&fake.answer(setup, WAIT).await);
    let mut names = [day(0), day(2)];
    names.sort_by_key(|d| d.weekday().num_days_from_monday());
    let on = format!(
        "Set up: posting on {}, {} at {} UTC",
        names[0].format("%a"),
        names[1].format("%a"),
        due.format("%H:%M")
    );
    assert!(answer.contains(&on), "{on} in {answer}");
    assert!(answer.contains("A weekly recap goes out every"), "{answer}");

    // A bad day list is refused and changes nothing.
    let bad = fake.slash(
        here(MOD),
        "digest",
        subcommand(
            "setup",
            json!([
                {"name": "channel", "type": 7, "value": CHANNEL.to_string()},
                {"name": "time", "type": 3, "value": "03:00"},
                {"name": "timezone", "type": 3, "value": "UTC"},
                {"name": "days", "type": 3, "value": "mon,funday"},
            ]),
        ),
        channel_resolved(CHANNEL),
    );
    let refused = content(&fake.answer(bad, WAIT).await);
    assert!(
        refused.contains("“funday” is not a weekday. Nothing was changed."),
        "{refused}"
    );

    // /digest status: the next three post times skip the day off.
    let status = fake.slash(here(MOD), "digest", subcommand("status", json!([])), json!({}));
    let status = content(&fake.answer(status, WAIT).await);
    let shown = |at: DateTime<Utc>| format!("{} {}", at.format("%a %Y-%m-%d %H:%M"), "·");
    assert!(status.contains(&shown(day(0))), "{status}");
    assert!(!status.contains(&shown(day(1))), "{status}");
    assert!(status.contains(&shown(day(2))), "{status}");
    assert!(
        status.contains(&format!("Weekly recap: {}", day(2).format("%a"))),
        "{status}"
    );

    // Day 0: the post goes out at its minute; three members vote, one of them hidden.
    bot.set_clock(due - chrono::Duration::seconds(2)).await;
    until("day 0's post", || posts_in(&fake).len() == 1).await;
    let stored = fake.messages_in(CHANNEL).remove(0);
    let custom_id = stored["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let post_id = custom_id.split(':').nth(1).unwrap().to_string();
    for (who, choice) in [(ALICE, "agree"), (BOB, "disagree"), (CAROL, "agree")] {
        let click = fake.click(here(who), stored.clone(), &format!("vote:{post_id}:{choice}"));
        fake.answer(click, WAIT).await;
    }
    let hide = fake.slash(
        here(CAROL),
        "me",
        json!([{"name": "hide", "type": 5, "value": true}]),
        json!({}),
    );
    fake.answer(hide, WAIT).await;

    // Day 1 is off: past its minute and past the grace window, nothing is posted.
    bot.set_clock(day(1) + chrono::Duration::seconds(5)).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    bot.set_clock(day(1) + chrono::Duration::hours(13)).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(posts_in(&fake).len(), 1, "no post on a day off");

    // Day 2: the day's post and then the recap, which covers day 0's post.
    bot.set_clock(day(2) - chrono::Duration::seconds(2)).await;
    until("day 2's post and the recap", || posts_in(&fake).len() == 2 + 1).await;
    let posts = posts_in(&fake);
    let recaps: Vec<&Value> = posts.iter().filter(|b| is_recap(b)).collect();
    assert_eq!(recaps.len(), 1, "{posts:?}");
    let recap = recaps[0];
    let text = recap.to_string();
    assert!(text.contains("o3-on-trend"), "day 0's claim: {text}");
    assert!(text.contains("<@601>") && text.contains("<@602>"), "{text}");
    assert!(!text.contains("<@603>"), "a hidden member is left out: {text}");
    assert_eq!(
        recap["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": [], "replied_user": false}),
        "the recap pings no one"
    );
    assert!(recap["nonce"].as_str().is_some_and(|n| n.len() <= 25));
    assert_eq!(recap["enforce_nonce"], true);
    assert!(
        posts
            .iter()
            .filter(|b| !is_recap(b))
            .all(|b| b["embeds"][0]["footer"].is_object()),
        "the other two are daily posts"
    );

    // Restarted after the recap, the bot does not send it again.
    bot.child.start_kill().unwrap();
    bot.child.wait().await.unwrap();
    bot.restart(&fake);
    bot.set_clock(day(2) + chrono::Duration::seconds(30)).await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(posts_in(&fake).len(), 3, "nothing sent twice after the restart");

    // Commands go by the bot's clock, as the poster does: on day 2, after its post, the next
    // post is a week after day 0, and day 2 (still ahead of the real time) is not listed.
    let status = fake.slash(here(MOD), "digest", subcommand("status", json!([])), json!({}));
    let status = content(&fake.answer(status, WAIT).await);
    assert!(!status.contains(&shown(day(2))), "{status}");
    assert!(status.contains(&shown(day(7))), "{status}");

    for body in posts_in(&fake) {
        assert_eq!(limit_violations(&body), Vec::<String>::new(), "{body}");
        assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    }
    drop(bot);
}
