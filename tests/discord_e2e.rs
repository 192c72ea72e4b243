//! The real bot binary against a fake Discord and a local feed server, all on 127.0.0.1.

use std::time::Duration;

use chrono::{Timelike, Utc};
use serde_json::{json, Value};

use crate::support::bot::{channel_resolved, content, log_of, setup_options, start_bot_on_test_clock, subcommand};
use crate::support::fake_discord::{At, FakeDiscord, Member, Recorded, ALICE, APP_ID, BOB, CAROL, MOD};
use crate::support::{rss, run_cli, slow_embeddings, FeedServer};
use claim_digest::domain::schedule::{local_date, parse_timezone};
use claim_digest::render::discord::limit_violations;

const WAIT: Duration = Duration::from_secs(20);

const GUILD_EN: u64 = 7001;
const CHANNEL_EN: u64 = 7101;
const GUILD_ZH: u64 = 8001;
const CHANNEL_ZH: u64 = 8101;
const PING_ROLE: u64 = 8201;

/// A member of the English test server, in its daily channel.
fn en(member: Member) -> At {
    At {
        guild: GUILD_EN,
        channel: CHANNEL_EN,
        member,
        locale: "en-US",
    }
}

/// Everything the bot sent that could carry text: message creates and edits, interaction
/// answers and follow-ups.
fn bodies_sent(fake: &FakeDiscord) -> Vec<(Recorded, Value)> {
    fake.requests()
        .into_iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH"))
        .filter(|r| r.path.contains("/messages") || r.path.contains("/callback") || r.path.contains("/webhooks/"))
        .filter_map(|r| {
            let body = if r.path.ends_with("/callback") {
                r.body["data"].clone()
            } else {
                r.body.clone()
            };
            (!body.is_null()).then_some((r, body))
        })
        .collect()
}

fn assert_localized(command: &Value, path: &str) {
    let here = format!("{path}/{}", command["name"].as_str().unwrap());
    assert!(
        command["description_localizations"]["zh-CN"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{here} lacks a zh-CN description"
    );
    for option in command["options"].as_array().into_iter().flatten() {
        assert_localized(option, &here);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_posts_counts_votes_and_manages_feeds_against_fake_discord() {
    let feeds = FeedServer::default();
    let now = Utc::now();
    let fresh = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    feeds.put(
        "news.xml",
        "application/rss+xml",
        rss(
            "Loopback news",
            &[
                (
                    "n1",
                    "AI system proves a conjecture; mathematicians check the theorem",
                    "https://stories.example/1",
                    &fresh,
                ),
                (
                    "n2",
                    "Coding agents now handle whole pull requests, developers say",
                    "https://stories.example/2",
                    &fresh,
                ),
            ],
        ),
    );
    feeds.put(
        "extra.xml",
        "application/rss+xml",
        rss(
            "Extra feed",
            &[(
                "e1",
                "Browser agents automate office work",
                "https://stories.example/e1",
                &fresh,
            )],
        ),
    );
    feeds.put("page.html", "text/html", "<html><body>not a feed</body></html>");
    // A site's home page naming its feed, and one naming two.
    feeds.put(
        "home.html",
        "text/html",
        r#"<!doctype html><html><head><link rel="alternate" type="application/rss+xml" title="Found" href="found.xml"></head><body>Home</body></html>"#,
    );
    feeds.put(
        "found.xml",
        "application/rss+xml",
        rss(
            "Found feed",
            &[(
                "f1",
                "Robots learn to fold laundry",
                "https://stories.example/f1",
                &fresh,
            )],
        ),
    );
    feeds.put(
        "two.html",
        "text/html",
        r#"<html><head><link rel="alternate" type="application/rss+xml" title="Posts" href="/feeds/found.xml"><link rel="alternate" type="application/atom+xml" title="Comments" href="/feeds/comments.xml"></head></html>"#,
    );
    let feed_addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    // Three feeds at most, so that the cap is reached below.
    let bot = start_bot_on_test_clock(
        &fake,
        &format!("http://{feed_addr}/feeds/news.xml"),
        &[("FEEDS_PER_SERVER", "3")],
    )
    .await;

    // Start-up: identify with only the intents the bot needs, then register every command.
    let identify = fake.wait_identified(WAIT).await;
    assert_eq!(
        identify["d"]["intents"],
        json!(1 | (1 << 10)),
        "GUILDS and GUILD_MESSAGE_REACTIONS only"
    );
    let registration = fake
        .wait_request("command registration", WAIT, |r| {
            r.method == "PUT" && r.path == format!("/api/v10/applications/{APP_ID}/commands")
        })
        .await;
    let names: Vec<&str> = registration
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for expected in ["claim", "tally", "news", "help", "digest", "feeds"] {
        assert!(names.contains(&expected), "{expected} not registered: {names:?}");
    }
    for command in registration.body.as_array().unwrap() {
        assert_localized(command, "");
    }
    let digest_cmd = registration
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "digest")
        .unwrap();
    assert_eq!(
        digest_cmd["default_member_permissions"], "32",
        "moderator commands default to Manage Server"
    );

    // A member without Manage Server is refused, and nothing is set up.
    let refused = fake.slash(
        en(ALICE),
        "digest",
        setup_options(CHANNEL_EN, "09:00", "UTC", "en"),
        channel_resolved(CHANNEL_EN),
    );
    let answer = fake.answer(refused, WAIT).await;
    assert!(content(&answer).contains("Manage Server"), "{answer}");
    assert_eq!(answer["flags"], 64, "refusal is ephemeral");

    // Bad input gets a clear message.
    let bad = fake.slash(
        en(MOD),
        "digest",
        setup_options(CHANNEL_EN, "9am", "UTC", "en"),
        channel_resolved(CHANNEL_EN),
    );
    assert!(content(&fake.answer(bad, WAIT).await).contains("HH:MM"));
    let bad = fake.slash(
        en(MOD),
        "digest",
        setup_options(CHANNEL_EN, "09:00", "Mars/Base", "en"),
        channel_resolved(CHANNEL_EN),
    );
    assert!(content(&fake.answer(bad, WAIT).await).contains("IANA"));

    // The Chinese server is scheduled ten minutes ahead on the bot's clock; at the end the test
    // moves the clock to just before that minute and checks it is posted then, not before.
    let due = (bot.clock().await + chrono::Duration::minutes(10))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    // The Chinese server's post mentions a role its moderators chose, and only that role.
    let mut zh_setup_options = setup_options(CHANNEL_ZH, &due.format("%H:%M").to_string(), "UTC", "zh");
    zh_setup_options[0]["options"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "ping_role", "type": 8, "value": PING_ROLE.to_string()}));
    let mut zh_resolved = channel_resolved(CHANNEL_ZH);
    zh_resolved["roles"] = json!({PING_ROLE.to_string(): {
        "id": PING_ROLE.to_string(), "name": "daily-readers", "color": 0, "colors": {"primary_color": 0},
        "hoist": false, "managed": false, "mentionable": true, "permissions": "0", "position": 1,
        "icon": null, "unicode_emoji": null
    }});
    let zh_setup = fake.slash(
        At {
            guild: GUILD_ZH,
            channel: CHANNEL_ZH,
            member: MOD,
            locale: "zh-CN",
        },
        "digest",
        zh_setup_options,
        zh_resolved,
    );
    let zh_answer = content(&fake.answer(zh_setup, WAIT).await);
    assert!(zh_answer.contains("已设置"), "{zh_answer}");
    assert!(
        zh_answer.contains(&format!("<@&{PING_ROLE}>")),
        "the reply names the role: {zh_answer}"
    );

    // The English server: set up by a moderator for hours from now (so the scheduler leaves it
    // alone), then posted at once with /digest now.
    let shanghai = parse_timezone("Asia/Shanghai").unwrap();
    let later = (Utc::now() + chrono::Duration::hours(3))
        .with_timezone(&shanghai)
        .format("%H:00")
        .to_string();
    let setup = fake.slash(
        en(MOD),
        "digest",
        setup_options(CHANNEL_EN, &later, "Asia/Shanghai", "en"),
        channel_resolved(CHANNEL_EN),
    );
    let answer = fake.answer(setup, WAIT).await;
    assert!(
        content(&answer).contains(&format!("Set up: posting daily at {later} Asia/Shanghai")),
        "{answer}"
    );
    // The poller fetches the server's default feed within a tick or two.
    let fetched = tokio::time::Instant::now();
    while feeds.hits("news.xml") == 0 && fetched.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(feeds.hits("news.xml") >= 1, "the default feed was fetched");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let now_cmd = fake.slash(en(MOD), "digest", subcommand("now", json!([])), json!({}));
    let answer = fake.answer(now_cmd, WAIT).await;
    assert!(
        content(&answer).contains("Posted: https://discord.com/channels/7001/7101/"),
        "{answer}"
    );
    // Deferred privately: after a public deferral Discord would show the answer (a failure's
    // reason too) to the whole channel, whatever flags it asks for.
    let deferral = fake.callback(now_cmd, WAIT).await;
    assert_eq!(
        (deferral["type"].as_u64(), deferral["data"]["flags"].as_u64()),
        (Some(5), Some(64)),
        "{deferral}"
    );
    let post_req = fake
        .wait_request("the daily post", WAIT, |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_EN}/messages")
        })
        .await;
    let post = &post_req.body;
    assert_eq!(post["allowed_mentions"]["parse"], json!([]), "no mentions: {post}");
    assert_eq!(post["enforce_nonce"], true);
    assert!(post["nonce"].as_str().is_some_and(|n| !n.is_empty() && n.len() <= 25));
    let embed = &post["embeds"][0];
    assert!(
        embed["author"]["name"]
            .as_str()
            .unwrap()
            .contains("1. The arrival of o3 · Opinion · round 1"),
        "{embed}"
    );
    assert!(
        embed["title"].as_str().unwrap().starts_with("o3 was no surprise"),
        "first claim in essay order: {embed}"
    );
    assert!(embed["url"].as_str().unwrap().starts_with("https://x.com/WilliamBryk"));
    assert!(embed["footer"]["text"].as_str().unwrap().contains("0 votes"));
    let custom_ids: Vec<String> = post["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(custom_ids.len(), 3);
    let post_id: i64 = custom_ids[0].split(':').nth(1).unwrap().parse().unwrap();
    assert_eq!(
        custom_ids,
        [
            format!("vote:{post_id}:agree"),
            format!("vote:{post_id}:disagree"),
            format!("vote:{post_id}:unsure")
        ]
    );

    // /digest now again: already posted, with a link, and no second message.
    let again = fake.slash(en(MOD), "digest", subcommand("now", json!([])), json!({}));
    assert!(content(&fake.answer(again, WAIT).await).contains("already posted"));
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_EN}/messages"))
        .count();
    assert_eq!(posts, 1);

    // Votes: alice and bob agree, carol disagrees, then alice changes her mind.
    let (stored, _) = fake.posted(&content(&answer));
    let message_id: u64 = stored["id"].as_str().unwrap().parse().unwrap();
    let mut last = Value::Null;
    for (who, choice) in [
        (ALICE, "agree"),
        (BOB, "agree"),
        (CAROL, "disagree"),
        (ALICE, "disagree"),
    ] {
        let click = fake.click(en(who), stored.clone(), &format!("vote:{post_id}:{choice}"));
        last = fake.answer(click, WAIT).await;
        assert_eq!(last["flags"], 64, "vote confirmations are ephemeral");
    }
    let confirmation = content(&last);
    assert!(
        confirmation.contains("Changed to **Disagree** (was Agree)"),
        "{confirmation}"
    );
    assert!(
        confirmation.contains("👍 Agree 1 (33%) · 👎 Disagree 2 (67%) · 🤔 Unsure 0 (0%)"),
        "{confirmation}"
    );

    // A button whose id the bot cannot read (damaged, or from an older version) is answered,
    // privately, rather than left to fail.
    for damaged in ["evidence:abc", "mark:1:2", "suggestion:x:approve", "poll:1"] {
        let click = fake.click(en(BOB), stored.clone(), damaged);
        let answer = fake.answer(click, WAIT).await;
        assert_eq!(answer["flags"], 64, "{damaged}: {answer}");
        assert!(
            content(&answer).contains("does not know this button"),
            "{damaged}: {answer}"
        );
    }

    // A vote on a post of another server is refused. The refusal only the member sees speaks
    // the member's Discord language when the bot has it, else the server's.
    let stray = fake.click(
        At {
            guild: GUILD_ZH,
            channel: CHANNEL_ZH,
            member: BOB,
            locale: "fr",
        },
        stored.clone(),
        &format!("vote:{post_id}:agree"),
    );
    assert!(
        content(&fake.answer(stray, WAIT).await).contains("找不到这条帖子"),
        "answered in the server's language"
    );
    let stray = fake.click(
        At {
            guild: GUILD_ZH,
            channel: CHANNEL_ZH,
            member: BOB,
            locale: "en-US",
        },
        stored.clone(),
        &format!("vote:{post_id}:agree"),
    );
    assert!(
        content(&fake.answer(stray, WAIT).await).contains("This post no longer exists"),
        "answered in the member's language"
    );

    // /tally shows the exact counts.
    let tally = fake.slash(
        en(ALICE),
        "tally",
        json!([{"name": "claim", "type": 3, "value": "o3-on-trend"}]),
        json!({}),
    );
    let tally_text = content(&fake.answer(tally, WAIT).await);
    assert!(
        tally_text.contains("👍 Agree 1 (33%) · 👎 Disagree 2 (67%) · 🤔 Unsure 0 (0%)"),
        "{tally_text}"
    );
    assert!(
        tally_text.contains("Round 1") && tally_text.contains("(3 votes)"),
        "{tally_text}"
    );

    // The post's footer follows the votes, in a debounced edit.
    let edit = fake
        .wait_request("the footer edit", WAIT, |r| {
            r.method == "PATCH"
                && r.path == format!("/api/v10/channels/{CHANNEL_EN}/messages/{message_id}")
                && r.body.to_string().contains("3 votes")
        })
        .await;
    assert!(edit.body["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap()
        .contains("👎 Disagree 2 (67%)"));
    let edits = fake
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.contains(&message_id.to_string()))
        .count();
    assert!(edits < 4, "edits are debounced, not one per click ({edits})");

    // tally export reads the same numbers from the database, per claim and round.
    let today = local_date(parse_timezone("Asia/Shanghai").unwrap(), Utc::now()).to_string();
    let export = run_cli(
        &bot.database_url,
        &["tally", "export", "--guild", &GUILD_EN.to_string(), "--format", "json"],
        &[],
    )
    .await;
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let rows: Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(
        rows,
        json!([{"claim": "o3-on-trend", "round": 1, "date": today, "counts": {"agree": 1, "disagree": 2, "unsure": 0}, "voters": 3, "resolution": null}])
    );
    let csv = run_cli(
        &bot.database_url,
        &["tally", "export", "--guild", &GUILD_EN.to_string(), "--format", "csv"],
        &[],
    )
    .await;
    let expected_csv = format!(
        "claim,round,date,agree,disagree,unsure,yes,no,early,voters,resolution\no3-on-trend,1,{today},1,2,0,0,0,0,3,\n"
    );
    assert_eq!(String::from_utf8(csv.stdout).unwrap(), expected_csv);
    // /tally export:true gives moderators the same CSV as an attachment; members are refused.
    let attach = fake.slash(
        en(MOD),
        "tally",
        json!([{"name": "export", "type": 5, "value": true}]),
        json!({}),
    );
    fake.answer(attach, WAIT).await;
    let callback = format!("/api/v10/interactions/{attach}/token-{attach}/callback");
    let sent = fake.requests().into_iter().find(|r| r.path == callback).unwrap();
    assert!(
        sent.raw.contains(&expected_csv),
        "the attachment is the export: {}",
        sent.raw
    );
    let refused = fake.slash(
        en(BOB),
        "tally",
        json!([{"name": "export", "type": 5, "value": true}]),
        json!({}),
    );
    assert!(content(&fake.answer(refused, WAIT).await).contains("Manage Server"));

    // Members' own record and the leaderboard.
    let me = fake.slash(en(CAROL), "me", json!([]), json!({}));
    let me_text = content(&fake.answer(me, WAIT).await);
    assert!(
        me_text.contains("Votes cast: 1") && me_text.contains("Current streak: 1"),
        "{me_text}"
    );
    let board = fake.slash(en(CAROL), "leaderboard", json!([]), json!({}));
    let board_text = content(&fake.answer(board, WAIT).await);
    for who in [ALICE, BOB, CAROL] {
        assert!(board_text.contains(&format!("<@{}>", who.id)), "{board_text}");
    }

    // Emoji reactions count too: added, then removed.
    let reaction = |emoji: &str| {
        json!({
            "user_id": "604", "channel_id": CHANNEL_EN.to_string(), "message_id": message_id.to_string(),
            "guild_id": GUILD_EN.to_string(), "emoji": {"id": null, "name": emoji},
            "burst": false, "burst_colors": [], "type": 0,
        })
    };
    fake.dispatch("MESSAGE_REACTION_ADD", reaction("👍"));
    let agree_count = |rows: &Value| rows[0]["counts"]["agree"].as_u64();
    let export_json = || async {
        let out = run_cli(
            &bot.database_url,
            &["tally", "export", "--guild", &GUILD_EN.to_string()],
            &[],
        )
        .await;
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let mut rows = export_json().await;
    for _ in 0..50 {
        if agree_count(&rows) == Some(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        rows = export_json().await;
    }
    assert_eq!(
        (agree_count(&rows), rows[0]["voters"].as_u64()),
        (Some(2), Some(4)),
        "{rows}"
    );
    fake.dispatch("MESSAGE_REACTION_REMOVE", reaction("👍"));
    for _ in 0..50 {
        if agree_count(&rows) == Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        rows = export_json().await;
    }
    assert_eq!(
        (agree_count(&rows), rows[0]["voters"].as_u64()),
        (Some(1), Some(3)),
        "{rows}"
    );

    // /feeds add: a local feed is added; a page that is not a feed is refused with the reason.
    let add = fake.slash(
        en(MOD),
        "feeds",
        subcommand(
            "add",
            json!([{"name": "url", "type": 3, "value": format!("http://{feed_addr}/feeds/extra.xml")}]),
        ),
        json!({}),
    );
    let added = content(&fake.answer(add, WAIT).await);
    assert!(added.contains("Added **Extra feed** (1 items)"), "{added}");
    let add_bad = fake.slash(
        en(MOD),
        "feeds",
        subcommand(
            "add",
            json!([{"name": "url", "type": 3, "value": format!("http://{feed_addr}/feeds/page.html")}]),
        ),
        json!({}),
    );
    let refused = content(&fake.answer(add_bad, WAIT).await);
    assert!(
        refused.contains("Not added: a web page that names no feed"),
        "{refused}"
    );
    let list = fake.slash(en(MOD), "feeds", subcommand("list", json!([])), json!({}));
    let listed = content(&fake.answer(list, WAIT).await);
    assert!(
        listed.contains("Feeds (2)") && listed.contains("Extra feed") && !listed.contains("page.html"),
        "{listed}"
    );

    // Discovery: a page naming two feeds lists both and adds neither; a home page naming one
    // adds that one and says how it was found; then the server is at its cap of three.
    let slash_feeds = |name: &str, options: Value| fake.slash(en(MOD), "feeds", subcommand(name, options), json!({}));
    let url_option =
        |path: &str| json!([{"name": "url", "type": 3, "value": format!("http://{feed_addr}/feeds/{path}")}]);
    let choose = content(&fake.answer(slash_feeds("add", url_option("two.html")), WAIT).await);
    assert!(
        choose.contains("names 2 feeds")
            && choose.contains(&format!("<http://{feed_addr}/feeds/found.xml>"))
            && choose.contains(&format!("<http://{feed_addr}/feeds/comments.xml>")),
        "{choose}"
    );
    let tested = content(&fake.answer(slash_feeds("test", url_option("home.html")), WAIT).await);
    assert!(
        tested.contains("✓ **Found feed**: 1 items") && tested.contains("Robots learn to fold laundry"),
        "{tested}"
    );
    let found = content(&fake.answer(slash_feeds("add", url_option("home.html")), WAIT).await);
    assert!(
        found.contains("Added **Found feed** (1 items)")
            && found.contains(&format!("its feed: <http://{feed_addr}/feeds/found.xml>")),
        "{found}"
    );
    let full = content(&fake.answer(slash_feeds("add", url_option("news.xml")), WAIT).await);
    assert!(full.contains("already has 3 feeds"), "{full}");
    let listed = content(&fake.answer(slash_feeds("list", json!([])), WAIT).await);
    assert!(
        listed.contains("Feeds (3)") && listed.contains(&format!("<http://{feed_addr}/feeds/found.xml>")),
        "{listed}"
    );

    // A filter on the first feed (id 1 in this fresh database) keeps its excluded story out of
    // /news, and /feeds list shows it.
    let news_on_math = || {
        fake.slash(
            en(BOB),
            "news",
            json!([{"name": "claim", "type": 3, "value": "mathematicians-first"}]),
            json!({}),
        )
    };
    let before = fake.answer(news_on_math(), WAIT).await.to_string();
    assert!(before.contains("conjecture"), "{before}");
    let filter_options = json!([
        {"name": "feed", "type": 3, "value": "1"},
        {"name": "exclude", "type": 3, "value": "Conjecture, 加密货币"}
    ]);
    let set = content(&fake.answer(slash_feeds("filter", filter_options), WAIT).await);
    assert!(set.contains("never items naming: conjecture, 加密货币"), "{set}");
    // A list with no word in it is refused and loses nothing.
    let no_words = json!([{"name": "feed", "type": 3, "value": "1"}, {"name": "exclude", "type": 3, "value": " ,， "}]);
    let refused = content(&fake.answer(slash_feeds("filter", no_words), WAIT).await);
    assert!(refused.contains("holds no word or phrase"), "{refused}");
    let after = fake.answer(news_on_math(), WAIT).await.to_string();
    assert!(!after.contains("conjecture"), "{after}");
    let listed = content(&fake.answer(slash_feeds("list", json!([])), WAIT).await);
    assert!(listed.contains("never items naming: conjecture"), "{listed}");
    let cleared = content(
        &fake
            .answer(
                slash_feeds(
                    "filter",
                    json!([{"name": "feed", "type": 3, "value": "1"}, {"name": "clear", "type": 5, "value": true}]),
                ),
                WAIT,
            )
            .await,
    );
    assert!(cleared.contains("has no filter"), "{cleared}");
    assert!(fake
        .answer(news_on_math(), WAIT)
        .await
        .to_string()
        .contains("conjecture"));

    // Member commands answer too.
    for (name, options) in [
        ("help", json!([])),
        ("news", json!([])),
        ("claim", subcommand("list", json!([]))),
        ("claim", subcommand("today", json!([]))),
    ] {
        let id = fake.slash(en(BOB), name, options, json!({}));
        let answer = fake.answer(id, WAIT).await;
        assert!(!content(&answer).contains("Sorry"), "/{name}: {answer}");
    }

    // The Chinese server's post arrives at its minute, in Chinese.
    let zh_posts = |fake: &FakeDiscord| {
        fake.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_ZH}/messages"))
            .count()
    };
    bot.set_clock(due - chrono::Duration::seconds(2)).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(zh_posts(&fake), 0, "not before its minute");
    let zh_post = fake
        .wait_request("the scheduled post", WAIT, |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_ZH}/messages")
        })
        .await;
    assert!(bot.clock().await >= due, "not before its minute");
    assert_eq!(zh_post.body["content"], format!("<@&{PING_ROLE}>"));
    assert_eq!(
        zh_post.body["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": [PING_ROLE.to_string()], "replied_user": false}),
        "exactly the chosen role may be mentioned"
    );
    let zh_embed = &zh_post.body["embeds"][0];
    assert!(
        zh_embed["footer"]["text"].as_str().unwrap().contains("人投票"),
        "{zh_embed}"
    );
    assert!(zh_embed["author"]["name"].as_str().unwrap().contains("第 1 轮"));

    // Every body the bot sent is within Discord's limits and mentions no one.
    for (request, body) in bodies_sent(&fake) {
        assert_eq!(
            limit_violations(&body),
            Vec::<String>::new(),
            "{} {}",
            request.method,
            request.path
        );
        if request.path.contains("/channels/") {
            assert_eq!(
                body["allowed_mentions"]["parse"],
                json!([]),
                "{} {}",
                request.method,
                request.path
            );
        } else if body.get("content").is_some() {
            assert!(
                body.get("allowed_mentions").is_some(),
                "{} {} has no allowed_mentions: {body}",
                request.method,
                request.path
            );
        }
    }
    let log = log_of(&bot);
    assert!(!log.contains("fake-token.for-tests"), "the token never reaches the log");
    drop(bot);
}

/// Sets the English channel up for a time three hours from now: the poster leaves the day alone
/// (a test posts with /digest now, or not at all), while the feed is polled as usual.
async fn set_up_for_later(fake: &FakeDiscord) {
    let later = (Utc::now() + chrono::Duration::hours(3)).format("%H:00").to_string();
    let setup = fake.slash(
        en(MOD),
        "digest",
        setup_options(CHANNEL_EN, &later, "UTC", "en"),
        channel_resolved(CHANNEL_EN),
    );
    fake.answer(setup, WAIT).await;
}

/// A story is embedded once, soon after the poll that stored it, with no one asking for news, and
/// its vector is kept in the database: the bot restarted ranks with it and sends the endpoint only
/// the claim's texts.
#[tokio::test]
async fn news_is_embedded_after_ingest_and_the_vector_outlives_a_restart() {
    let feeds = FeedServer::default();
    feeds.put_fresh_story("AI system proves a conjecture", "https://stories.example/1");
    let feed_addr = feeds.start().await;
    let (addr, asked) = slow_embeddings(Duration::ZERO).await;
    let embeddings = format!("http://{addr}");
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot_on_test_clock(
        &fake,
        &format!("http://{feed_addr}/feeds/news.xml"),
        &[("EMBEDDINGS_URL", &embeddings)],
    )
    .await;
    fake.wait_registered(WAIT).await;
    // A server set up, so that its feed is polled.
    set_up_for_later(&fake).await;
    let is_story = |text: &String| text.starts_with("AI system proves a conjecture");
    // Stored, not only asked for: the embedder counts an item once its vector is in the database.
    let started = tokio::time::Instant::now();
    loop {
        let metrics = bot.get("/metrics").await.map(|(_, body)| body).unwrap_or_default();
        let embedded = metrics
            .lines()
            .find_map(|l| l.strip_prefix("claim_digest_items_embedded_total "))
            .and_then(|n| n.trim().parse::<f64>().ok());
        if embedded.is_some_and(|n| n >= 1.0) {
            break;
        }
        assert!(
            started.elapsed() < WAIT,
            "the story was never embedded after ingest: {metrics}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(asked.lock().unwrap().iter().any(is_story));

    bot.child.start_kill().unwrap();
    bot.child.wait().await.unwrap();
    let before_restart = asked.lock().unwrap().len();
    bot.restart(&fake);
    let started = tokio::time::Instant::now();
    while fake.sessions_opened() < 2 {
        assert!(started.elapsed() < WAIT, "the bot did not come back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let news = fake.slash(
        en(BOB),
        "news",
        json!([{"name": "claim", "type": 3, "value": "mathematicians-first"}]),
        json!({}),
    );
    let answer = fake.answer(news, WAIT).await;
    assert!(answer.to_string().contains("mathematicians"), "{answer}");
    let asked = asked.lock().unwrap().clone();
    let after_restart = &asked[before_restart..];
    assert!(
        !after_restart.is_empty(),
        "the claim's texts are embedded after the restart"
    );
    assert!(
        !after_restart.iter().any(is_story),
        "the stored vector was used, not the story sent again: {after_restart:?}"
    );
    assert_eq!(asked.iter().filter(|t| is_story(t)).count(), 1, "{asked:?}");
    drop(bot);
}

#[tokio::test]
async fn a_slow_answer_is_deferred_in_time_and_then_given() {
    let feeds = FeedServer::default();
    feeds.put_fresh_story("AI system proves a conjecture", "https://stories.example/1");
    let feed_addr = feeds.start().await;
    let embeddings = format!("http://{}", slow_embeddings(Duration::from_millis(2500)).await.0);
    let fake = FakeDiscord::start().await;
    let bot = start_bot_on_test_clock(
        &fake,
        &format!("http://{feed_addr}/feeds/news.xml"),
        &[("EMBEDDINGS_URL", &embeddings), ("EMBEDDINGS_TIMEOUT_SECS", "20")],
    )
    .await;
    fake.wait_registered(WAIT).await;

    // /news waits on the endpoint for the claim's embedding: past Discord's 3 s it would be lost,
    // so the bot defers (publicly, as /news answers) and then gives the news.
    let asked = std::time::Instant::now();
    let news = fake.slash(
        en(BOB),
        "news",
        json!([{"name": "claim", "type": 3, "value": "mathematicians-first"}]),
        json!({}),
    );
    let first = fake.callback(news, WAIT).await;
    assert_eq!(first["type"], 5, "deferred: {first}");
    let callback = format!("/api/v10/interactions/{news}/token-{news}/callback");
    let deferred_at = fake.requests().into_iter().find(|r| r.path == callback).unwrap().at;
    assert!(
        deferred_at.duration_since(asked) < Duration::from_secs(3),
        "deferred within Discord's 3 s: {:?}",
        deferred_at.duration_since(asked)
    );
    assert_eq!(first["data"]["flags"].as_u64().unwrap_or(0) & 64, 0, "public: {first}");
    let answer = fake.answer(news, WAIT).await;
    assert!(answer["embeds"][0].is_object(), "{answer}");
    assert!(answer.to_string().contains("mathematicians"), "{answer}");
    drop(bot);
}

/// Reactions members made while the bot was away (no gateway event reaches it, and a new session
/// replays nothing) are counted when it is back: its Ready compares the recent posts' reactions
/// with the stored votes.
#[tokio::test]
async fn reactions_made_while_the_bot_was_away_count_when_it_returns() {
    let feeds = FeedServer::default();
    feeds.put("news.xml", "application/rss+xml", rss("Loopback news", &[]));
    let feed_addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot_on_test_clock(&fake, &format!("http://{feed_addr}/feeds/news.xml"), &[]).await;
    fake.wait_registered(WAIT).await;
    set_up_for_later(&fake).await;
    let now_cmd = fake.slash(en(MOD), "digest", subcommand("now", json!([])), json!({}));
    let posted = content(&fake.answer(now_cmd, WAIT).await);
    let message: u64 = posted
        .split(&format!("/channels/{GUILD_EN}/{CHANNEL_EN}/"))
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a post link in {posted}"));

    // Away: two members react 👍 and one 👎, and Discord sends the bot nothing.
    bot.child.start_kill().unwrap();
    bot.child.wait().await.unwrap();
    fake.set_reactors(message, "👍", &[ALICE.id, BOB.id]);
    fake.set_reactors(message, "👎", &[CAROL.id]);
    let edits_before = fake.requests().len();
    bot.restart(&fake);

    // Back: the footer shows the three votes, and the export counts them.
    let edit = fake
        .wait_request("the footer with the votes made while away", WAIT, |r| {
            r.method == "PATCH"
                && r.path == format!("/api/v10/channels/{CHANNEL_EN}/messages/{message}")
                && r.body["embeds"][0]["footer"]["text"]
                    .as_str()
                    .is_some_and(|f| f.contains("3 votes"))
        })
        .await;
    assert_eq!(edit.body["allowed_mentions"]["parse"], json!([]));
    assert!(fake.requests().len() > edits_before);
    let out = run_cli(
        &bot.database_url,
        &["tally", "export", "--guild", &GUILD_EN.to_string()],
        &[],
    )
    .await;
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["counts"]["agree"], 2, "{rows}");
    assert_eq!(rows[0]["counts"]["disagree"], 1, "{rows}");
    drop(bot);
}
