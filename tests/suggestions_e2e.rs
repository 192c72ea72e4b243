//! Members' suggestions, with the real bot binary against a fake Discord: a member suggests, a
//! moderator edits and approves one through the queue's buttons and forms and rejects another
//! with a reason, the member reads what became of each, and the approved claim is posted after
//! the essay's with its credit, pinging no one, in its own server only.

use std::time::Duration;

use chrono::{Days, Timelike};
use serde_json::{json, Value};

use crate::support::bot::{channel_resolved, content, setup_options, start_bot_on_test_clock, subcommand};
use crate::support::fake_discord::{modal_problems, At, FakeDiscord, Member, ALICE, BOB, MOD};
use crate::support::{rss, FeedServer};
use claim_digest::render::discord::limit_violations;

const WAIT: Duration = Duration::from_secs(20);

const GUILD: u64 = 9301;
const CHANNEL: u64 = 9302;
const OTHER_GUILD: u64 = 9401;

/// A member whose display name tries to ping everyone.
const LOUD: Member = Member {
    id: 611,
    name: "@everyone",
    permissions: "0",
};

/// An essay of one claim, so that the second post of the rotation is the first suggestion.
const ESSAY: &str = r#"
[essay]
title = { zh = "测试文章", en = "Test essay" }
author = "A"
url = "https://example.com/essay"
published = "2024-12-25"

[[claims]]
id = "only-claim"
section = { zh = "一", en = "One" }
text = { zh = "唯一的论断", en = "The only claim of the essay" }
kind = "opinion"
"#;

fn at(guild: u64, member: Member) -> At {
    At {
        guild,
        channel: CHANNEL,
        member,
        locale: "en-US",
    }
}

fn here(member: Member) -> At {
    at(GUILD, member)
}

fn posts_in(fake: &FakeDiscord) -> Vec<Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL}/messages"))
        .map(|r| r.body)
        .collect()
}

/// Every body the bot sent: messages, follow-ups, edits and interaction callbacks (whole, so
/// that a form's type is seen with its data).
fn bodies_sent(fake: &FakeDiscord) -> Vec<(bool, Value)> {
    fake.requests()
        .into_iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH"))
        .filter(|r| r.path.contains("/messages") || r.path.contains("/callback") || r.path.contains("/webhooks/"))
        .map(|r| (r.path.ends_with("/callback"), r.body))
        .filter(|(_, b)| !b.is_null())
        .collect()
}

fn button_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The text inputs of a form: (custom_id, prefilled value).
fn form_inputs(form: &Value) -> Vec<(String, String)> {
    form["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            (
                c["custom_id"].as_str().unwrap_or_default().to_string(),
                c["value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = tokio::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn suggest(fake: &FakeDiscord, who: At, text: &str, kind: u8, deadline: Option<&str>) -> u64 {
    let mut options = vec![
        json!({"name": "text", "type": 3, "value": text}),
        // A choice parameter is an integer option: the index of the choice (prediction, opinion).
        json!({"name": "kind", "type": 4, "value": kind}),
    ];
    if let Some(deadline) = deadline {
        options.push(json!({"name": "deadline", "type": 3, "value": deadline}));
    }
    fake.slash(who, "claim", subcommand("suggest", Value::Array(options)), json!({}))
}

#[tokio::test]
async fn a_suggestion_is_edited_approved_and_posted_with_its_credit_and_another_rejected_with_a_reason() {
    let feeds = FeedServer::default();
    feeds.put("news.xml", "application/rss+xml", rss("Loopback news", &[]));
    let feed_addr = feeds.start().await;
    let essay_dir = tempfile::tempdir().unwrap();
    let essay = essay_dir.path().join("claims.toml");
    std::fs::write(&essay, ESSAY).unwrap();
    let fake = FakeDiscord::start().await;
    let bot = start_bot_on_test_clock(
        &fake,
        &format!("http://{feed_addr}/feeds/news.xml"),
        &[("CLAIMS_FILE", essay.to_str().unwrap())],
    )
    .await;
    fake.wait_registered(WAIT).await;

    let due = (bot.clock().await + chrono::Duration::minutes(10))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let setup = fake.slash(
        here(MOD),
        "digest",
        setup_options(CHANNEL, &due.format("%H:%M").to_string(), "UTC", "en"),
        channel_resolved(CHANNEL),
    );
    fake.answer(setup, WAIT).await;

    // A member suggests, in English only: filed, and only they see the answer.
    let first = suggest(
        &fake,
        here(LOUD),
        "Fusion **power** plants will feed a national grid <@601>",
        0,
        Some("2031-01-01"),
    );
    let filed = fake.callback(first, WAIT).await;
    let text = content(&filed["data"]);
    assert!(text.contains("Suggestion #1 is waiting for the moderators"), "{text}");
    assert_eq!(filed["data"]["flags"], 64, "ephemeral");
    let second = suggest(&fake, here(LOUD), "Cats will run the internet by then", 1, None);
    assert!(content(&fake.answer(second, WAIT).await).contains("Suggestion #2"));
    let third = suggest(&fake, here(LOUD), "Tabs will finally beat spaces", 1, None);
    assert!(content(&fake.answer(third, WAIT).await).contains("Suggestion #3"));
    // Three pending at most; an opinion has no deadline.
    let fourth = suggest(&fake, here(LOUD), "One suggestion too many here", 1, None);
    let refused = content(&fake.answer(fourth, WAIT).await);
    assert!(refused.contains("You already have 3 suggestions waiting"), "{refused}");
    let dated = suggest(&fake, here(ALICE), "Opinions have no deadline", 1, Some("2030-01-01"));
    let refused = content(&fake.answer(dated, WAIT).await);
    assert!(refused.contains("Only predictions have a deadline"), "{refused}");

    // The queue is the moderators'.
    let denied = fake.slash(here(BOB), "claim", subcommand("queue", json!([])), json!({}));
    assert!(content(&fake.answer(denied, WAIT).await).contains("Only members with Manage Server"));
    let queue = fake.slash(here(MOD), "claim", subcommand("queue", json!([])), json!({}));
    let queued = fake.answer(queue, WAIT).await;
    let text = content(&queued);
    assert!(text.contains("3 suggestions waiting"), "{text}");
    assert!(
        text.contains(r"Fusion \\*\\*power\\*\\* plants"),
        "member text escaped: {text}"
    );
    assert!(text.contains(r"Suggested by \\@everyone"), "{text}");
    let ids = button_ids(&queued);
    for wanted in ["suggestion:1:approve", "suggestion:1:edit", "suggestion:2:reject"] {
        assert!(ids.iter().any(|id| id == wanted), "{wanted} in {ids:?}");
    }
    let queue_message = fake.as_message(CHANNEL, &queued);

    // Edit opens a form with both languages (the one given filled in), kind and deadline.
    let edit = fake.click(here(MOD), queue_message.clone(), "suggestion:1:edit");
    let form = fake.callback(edit, WAIT).await;
    assert_eq!(form["type"], 9, "a form: {form}");
    assert_eq!(form["data"]["custom_id"], "suggestion-edit:1");
    let inputs = form_inputs(&form["data"]);
    assert_eq!(
        inputs,
        [
            ("zh".to_string(), String::new()),
            (
                "en".to_string(),
                "Fusion **power** plants will feed a national grid <@601>".to_string()
            ),
            ("kind".to_string(), "prediction".to_string()),
            ("deadline".to_string(), "2031-01-01".to_string()),
        ]
    );
    // A member cannot open the form.
    let sneaky = fake.click(here(BOB), queue_message.clone(), "suggestion:1:edit");
    let sneaky = fake.callback(sneaky, WAIT).await;
    assert_eq!(sneaky["type"], 4);
    assert!(content(&sneaky["data"]).contains("Only members with Manage Server"));

    let saved = fake.submit(
        here(MOD),
        Some(queue_message.clone()),
        "suggestion-edit:1",
        &[
            ("zh", "聚变电站将为国家电网供电"),
            ("en", "Fusion power plants will feed a national grid"),
            ("kind", "prediction"),
            ("deadline", "2031-06-30"),
        ],
    );
    let saved = fake.callback(saved, WAIT).await;
    assert_eq!(saved["type"], 7, "the queue is redrawn in place: {saved}");
    assert!(content(&saved["data"]).contains("Saved your edit of #1"), "{saved}");
    let approve = fake.click(here(MOD), queue_message.clone(), "suggestion:1:approve");
    let approved = fake.callback(approve, WAIT).await;
    assert_eq!(approved["type"], 7);
    let text = content(&approved["data"]);
    assert!(text.contains("Approved #1: it joins the rotation as `s-1`"), "{text}");
    assert!(text.contains("2 suggestions waiting"), "{text}");
    assert!(!button_ids(&approved["data"])
        .iter()
        .any(|id| id.starts_with("suggestion:1:")));
    // Decided once: a second click on the old message says so.
    let again = fake.click(here(MOD), queue_message.clone(), "suggestion:1:approve");
    assert!(content(&fake.answer(again, WAIT).await).contains("#1 has already been decided"));

    // Reject asks for the reason, which the member then reads.
    let reject = fake.click(here(MOD), queue_message.clone(), "suggestion:2:reject");
    let form = fake.callback(reject, WAIT).await;
    assert_eq!(
        (form["type"].clone(), form["data"]["custom_id"].clone()),
        (json!(9), json!("suggestion-reject:2"))
    );
    let rejected = fake.submit(
        here(MOD),
        Some(queue_message.clone()),
        "suggestion-reject:2",
        &[("reason", "Too close to the essay's own claims")],
    );
    let rejected = fake.callback(rejected, WAIT).await;
    assert!(content(&rejected["data"]).contains("Rejected #2"), "{rejected}");

    let mine = fake.slash(here(LOUD), "claim", subcommand("mine", json!([])), json!({}));
    let mine = content(&fake.answer(mine, WAIT).await);
    assert!(mine.contains("Approved: `s-1` is in this server's rotation"), "{mine}");
    assert!(mine.contains("Rejected: Too close to the essay's own claims"), "{mine}");
    assert!(mine.contains("Waiting for the moderators"), "{mine}");
    assert!(
        mine.find("#3").unwrap() < mine.find("#1").unwrap(),
        "newest first: {mine}"
    );

    // The approved claim is this server's: listed and shown here, unknown elsewhere.
    let list = fake.slash(here(ALICE), "claim", subcommand("list", json!([])), json!({}));
    let list = content(&fake.answer(list, WAIT).await);
    assert!(list.contains("`s-1`") && list.contains("`only-claim`"), "{list}");
    let show = fake.slash(
        here(ALICE),
        "claim",
        subcommand("show", json!([{"name": "id", "type": 3, "value": "s-1"}])),
        json!({}),
    );
    let show = content(&fake.answer(show, WAIT).await);
    assert!(show.contains("Fusion power plants will feed a national grid"), "{show}");
    let elsewhere = fake.slash(
        at(OTHER_GUILD, ALICE),
        "claim",
        subcommand("show", json!([{"name": "id", "type": 3, "value": "s-1"}])),
        json!({}),
    );
    let elsewhere = content(&fake.answer(elsewhere, WAIT).await);
    assert!(elsewhere.contains("There is no claim `s-1`"), "{elsewhere}");

    // Day 0 posts the essay's claim; day 1 the suggestion, credited by name, pinging no one.
    bot.set_clock(due - chrono::Duration::seconds(2)).await;
    until("day 0's post", || posts_in(&fake).len() == 1).await;
    assert!(posts_in(&fake)[0].to_string().contains("The only claim of the essay"));
    bot.set_clock(due + Days::new(1) - chrono::Duration::seconds(2)).await;
    until("day 1's post", || posts_in(&fake).len() == 2).await;
    let post = &posts_in(&fake)[1];
    let embed = &post["embeds"][0];
    assert_eq!(embed["title"], "Fusion power plants will feed a national grid");
    let description = embed["description"].as_str().unwrap();
    assert!(description.contains("聚变电站将为国家电网供电"), "{description}");
    assert!(description.contains(r"Suggested by \@everyone"), "{description}");
    assert!(description.contains("2031-06-30"), "the edited deadline: {description}");
    assert!(
        embed["author"]["name"]
            .as_str()
            .is_some_and(|a| a.starts_with("Members' suggestions · Prediction")),
        "{embed}"
    );
    assert!(
        post.get("content").is_none_or(|c| c.is_null() || c == ""),
        "no ping: {post}"
    );
    assert_eq!(
        post["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": [], "replied_user": false}),
        "the post pings no one"
    );
    assert!(
        !post.to_string().contains("<@611>"),
        "the member is named, never mentioned"
    );

    // Everything the bot sent kept within Discord's limits and mentioned no one.
    for (callback, body) in bodies_sent(&fake) {
        let message = if callback { body["data"].clone() } else { body.clone() };
        assert_eq!(limit_violations(&message), Vec::<String>::new(), "{body}");
        assert_eq!(modal_problems(&body), Vec::<String>::new(), "{body}");
        if let Some(mentions) = message.get("allowed_mentions") {
            assert_eq!(mentions["parse"], json!([]), "{body}");
        }
    }
    drop(bot);
}
