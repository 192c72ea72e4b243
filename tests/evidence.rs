//! The evidence ledger end to end: the real bot against the fake Discord and a local feed server.
//! Members judge a post's news on its Evidence panel, off-topic marks withhold a story from
//! `/news`, members bring their own stories, and a resolved prediction gets its card, its calls in
//! `/me`, its line on the scorecard and its rows in the export.

use crate::support;

use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};

use crate::support::bot::{channel_resolved, content, fresh_database, setup_options, start_bot_with, subcommand};
use crate::support::fake_discord::{At, FakeDiscord, Member, ALICE, BOB, CAROL, MOD};
use crate::support::{rss, run_cli, FeedServer};
use claim_digest::config::Config;
use claim_digest::domain::claims::ClaimSet;
use claim_digest::domain::evidence::Stance;
use claim_digest::domain::ids::{GuildId, UserId};
use claim_digest::error::Error;
use claim_digest::feeds::FeedCatalog;
use claim_digest::render::discord::limit_violations;
use claim_digest::services::App;
use claim_digest::store::Store;

const WAIT: Duration = Duration::from_secs(20);

const GUILD: u64 = 7301;
const CHANNEL: u64 = 7302;

fn here(member: Member) -> At {
    At {
        guild: GUILD,
        channel: CHANNEL,
        member,
        locale: "en-US",
    }
}

/// An essay of two claims, a prediction first, so that the first post asks it.
const CLAIMS: &str = r#"
[essay]
title = { zh = "测试文章", en = "A test essay" }
author = "Tester"
url = "https://essay.example/post"
published = "2024-12-25"

[[claims]]
id = "agents-pull-requests"
section = { zh = "一、代理", en = "1. Agents" }
text = { zh = "编程代理将能独立处理完整的拉取请求。", en = "Coding agents will handle whole pull requests on their own." }
kind = "prediction"
deadline = "2099-12-31"

[[claims]]
id = "fiction-stays-hard"
section = { zh = "二、写作", en = "2. Writing" }
text = { zh = "模型写小说依然平庸。", en = "Models still write mediocre fiction." }
kind = "opinion"
"#;

/// Every body the bot sent to Discord (messages, edits, interaction answers).
fn bodies_sent(fake: &FakeDiscord) -> Vec<Value> {
    fake.requests()
        .into_iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH"))
        .filter(|r| r.path.contains("/messages") || r.path.contains("/callback") || r.path.contains("/webhooks/"))
        .map(|r| {
            if r.path.ends_with("/callback") {
                r.body["data"].clone()
            } else {
                r.body
            }
        })
        .filter(|b| !b.is_null())
        .collect()
}

/// The custom ids of a message's buttons, row by row.
fn button_ids(message: &Value) -> Vec<Vec<String>> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            row["components"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_judge_news_bring_evidence_and_get_receipts() {
    let feeds = FeedServer::default();
    let fresh = Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    feeds.put(
        "news.xml",
        "application/rss+xml",
        rss(
            "Loopback news",
            &[
                (
                    "n1",
                    "Coding agents now handle whole pull requests, developers say",
                    "https://stories.example/1",
                    &fresh,
                ),
                (
                    "n2",
                    "Agents open pull requests for coding teams at a bank",
                    "https://stories.example/2",
                    &fresh,
                ),
                (
                    "n3",
                    "Pull requests written by coding agents pass review",
                    "https://stories.example/3",
                    &fresh,
                ),
            ],
        ),
    );
    // A page a member brings, whose title tries to ping and to format.
    feeds.put(
        "story.html",
        "text/html",
        r#"<!doctype html><html><head><title>Fallback title</title>
        <meta property="og:title" content="@everyone &lt;@&amp;42&gt; **Agents** [merge](https://evil.example) code"></head>
        <body>text</body></html>"#,
    );
    feeds.put(
        "other.html",
        "text/html",
        "<html><head><title>Another agents story</title></head></html>",
    );
    feeds.put(
        "third.html",
        "text/html",
        "<html><head><title>A third agents story</title></head></html>",
    );
    feeds.put("untitled.html", "text/html", "<html><body>no title here</body></html>");
    let feed_addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("claims.toml");
    std::fs::write(&claims, CLAIMS).unwrap();
    let database_url = fresh_database(dir.path()).await;
    let claims_path = claims.display().to_string();
    let start = Utc::now().to_rfc3339();
    let bot = start_bot_with(
        &fake,
        dir,
        &format!("http://{feed_addr}/feeds/news.xml"),
        &database_url,
        &[
            ("CLAIMS_FILE", &claims_path),
            ("CLOCK_START", &start),
            ("EVIDENCE_ADD_PER_DAY", "2"),
        ],
    )
    .await;
    fake.wait_identified(WAIT).await;

    // Set up for hours from now (the scheduler leaves it alone), then post at once.
    let later = (Utc::now() + chrono::Duration::hours(3)).format("%H:00").to_string();
    let setup = fake.slash(
        here(MOD),
        "digest",
        setup_options(CHANNEL, &later, "UTC", "en"),
        channel_resolved(CHANNEL),
    );
    assert!(content(&fake.answer(setup, WAIT).await).contains("Set up"));
    let fetched = tokio::time::Instant::now();
    while feeds.hits("news.xml") == 0 && fetched.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let now_cmd = fake.slash(here(MOD), "digest", subcommand("now", json!([])), json!({}));
    let posted = content(&fake.answer(now_cmd, WAIT).await);
    assert!(posted.contains("Posted"), "{posted}");
    let (stored, _) = fake.posted(&posted);
    let ids = button_ids(&stored);
    assert_eq!(ids.len(), 2, "votes in one row, Evidence in a second: {ids:?}");
    let post_id: i64 = ids[0][0].split(':').nth(1).unwrap().parse().unwrap();
    assert_eq!(ids[1], vec![format!("evidence:{post_id}")]);

    // Votes on the prediction: alice and carol agree, bob disagrees.
    for (who, choice) in [(ALICE, "agree"), (BOB, "disagree"), (CAROL, "agree")] {
        let click = fake.click(here(who), stored.clone(), &format!("vote:{post_id}:{choice}"));
        fake.answer(click, WAIT).await;
    }

    // The Evidence panel: only the member sees it, one row of three marks per story.
    let open = fake.click(here(ALICE), stored.clone(), &format!("evidence:{post_id}"));
    let panel = fake.answer(open, WAIT).await;
    assert_eq!(panel["flags"], 64, "the panel is ephemeral: {panel}");
    let rows = button_ids(&panel);
    assert_eq!(rows.len(), 3, "one row per story shown: {rows:?}");
    assert!(rows.iter().all(|r| r.len() == 3));
    let story_of_row = |row: usize| -> String {
        let text = panel["embeds"][0]["description"].as_str().unwrap();
        let line = text.split("\n\n").nth(row).unwrap();
        line.to_string()
    };
    let first_story = story_of_row(0);
    let second_story = story_of_row(1);
    let second_title = second_story
        .split('[')
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap()
        .to_string();
    let mark_id = |row: usize, stance: &str| rows[row].iter().find(|id| id.ends_with(stance)).unwrap().clone();

    // Alice marks the first story as supporting, then changes her mind: the panel is redrawn in
    // place with the counts and her own mark.
    let click = fake.click(here(ALICE), stored.clone(), &mark_id(0, ":supports"));
    let answer = fake.answer(click, WAIT).await;
    assert!(content(&answer).contains("✅ 1 · ❌ 0"), "{answer}");
    let click = fake.click(here(ALICE), stored.clone(), &mark_id(0, ":contradicts"));
    let callback = format!("/api/v10/interactions/{click}/token-{click}/callback");
    let changed = fake.answer(click, WAIT).await;
    let kind = fake.requests().into_iter().find(|r| r.path == callback).unwrap().body["type"].clone();
    assert_eq!(kind, 7, "a mark updates the panel message in place");
    let text = content(&changed);
    assert!(text.contains("✅ 0 · ❌ 1"), "{text}");
    assert!(text.contains("your mark: Contradicts"), "{text}");
    assert!(!first_story.is_empty());

    // /news shows the second story before anyone calls it off-topic.
    let news = |fake: &FakeDiscord| {
        fake.slash(
            here(BOB),
            "news",
            json!([{"name": "claim", "type": 3, "value": "agents-pull-requests"}]),
            json!({}),
        )
    };
    let before = content(&fake.answer(news(&fake), WAIT).await);
    assert!(before.contains(&second_title), "{second_title} in {before}");

    // Two off-topic marks are not enough (EVIDENCE_OFFTOPIC_MIN is 3); the third withholds it.
    for who in [ALICE, BOB] {
        let click = fake.click(here(who), stored.clone(), &mark_id(1, ":offtopic"));
        fake.answer(click, WAIT).await;
    }
    let still = content(&fake.answer(news(&fake), WAIT).await);
    assert!(still.contains(&second_title), "{still}");
    let click = fake.click(here(CAROL), stored.clone(), &mark_id(1, ":offtopic"));
    let withheld = content(&fake.answer(click, WAIT).await);
    assert!(withheld.contains("Withheld from this claim"), "{withheld}");
    let after = content(&fake.answer(news(&fake), WAIT).await);
    assert!(!after.contains(&second_title), "withheld from /news: {after}");

    // The ledger leaves it out too; moderators see it among the withheld and put it back.
    let ledger = |fake: &FakeDiscord, who: Member, withheld: bool| {
        let mut options = vec![json!({"name": "claim", "type": 3, "value": "agents-pull-requests"})];
        if withheld {
            options.push(json!({"name": "withheld", "type": 5, "value": true}));
        }
        fake.slash(here(who), "evidence", subcommand("list", json!(options)), json!({}))
    };
    let listed = content(&fake.answer(ledger(&fake, BOB, false), WAIT).await);
    assert!(!listed.contains(&second_title), "{listed}");
    assert!(
        listed.contains("✅ 0 · ❌ 1"),
        "alice's mark is on the ledger: {listed}"
    );
    let refused = content(&fake.answer(ledger(&fake, BOB, true), WAIT).await);
    assert!(refused.contains("Manage Server"), "{refused}");
    let hidden = content(&fake.answer(ledger(&fake, MOD, true), WAIT).await);
    assert!(hidden.contains(&second_title), "{hidden}");
    let entry: i64 = hidden
        .split("`#")
        .nth(1)
        .unwrap()
        .split('`')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let restore = fake.slash(
        here(MOD),
        "evidence",
        subcommand(
            "restore",
            json!([{"name": "claim", "type": 3, "value": "agents-pull-requests"}, {"name": "entry", "type": 4, "value": entry}]),
        ),
        json!({}),
    );
    assert!(content(&fake.answer(restore, WAIT).await).contains("shows beside its claim again"));
    let back = content(&fake.answer(news(&fake), WAIT).await);
    assert!(back.contains(&second_title), "restored to /news: {back}");

    // Members bring stories: the page's og:title, escaped; the same link twice merges; a feed
    // link gives its newest item, which merges with the story the post showed; the day's cap.
    let add = |fake: &FakeDiscord, who: Member, url: &str| {
        fake.slash(
            here(who),
            "evidence",
            subcommand(
                "add",
                json!([
                    {"name": "claim", "type": 3, "value": "agents-pull-requests"},
                    {"name": "url", "type": 3, "value": url},
                    {"name": "stance", "type": 4, "value": 0},
                ]),
            ),
            json!({}),
        )
    };
    let story_url = format!("http://{feed_addr}/feeds/story.html");
    let filed = fake.answer(add(&fake, ALICE, &story_url), WAIT).await;
    let filed_text = content(&filed);
    assert!(filed_text.contains("Filed as entry #"), "{filed_text}");
    assert!(
        filed_text.contains("\\*\\*Agents\\*\\*"),
        "markdown escaped: {filed_text}"
    );
    assert!(!filed_text.contains("<@&42>"), "no role mention survives: {filed_text}");
    let merged = content(&fake.answer(add(&fake, BOB, &story_url), WAIT).await);
    assert!(merged.contains("already entry"), "{merged}");
    let feed_link = format!("http://{feed_addr}/feeds/news.xml");
    let from_feed = content(&fake.answer(add(&fake, BOB, &feed_link), WAIT).await);
    assert!(
        from_feed.contains("already entry"),
        "the feed's newest item was shown: {from_feed}"
    );
    let untitled = content(
        &fake
            .answer(
                add(&fake, CAROL, &format!("http://{feed_addr}/feeds/untitled.html")),
                WAIT,
            )
            .await,
    );
    assert!(untitled.contains("could not be read"), "{untitled}");
    let second = content(
        &fake
            .answer(add(&fake, ALICE, &format!("http://{feed_addr}/feeds/other.html")), WAIT)
            .await,
    );
    assert!(second.contains("Filed as entry #"), "{second}");
    let capped = content(
        &fake
            .answer(add(&fake, ALICE, &format!("http://{feed_addr}/feeds/third.html")), WAIT)
            .await,
    );
    assert!(capped.contains("the most one member may bring in a day"), "{capped}");

    // A moderator removes an entry; a member may not.
    let other_entry: i64 = second
        .split("entry #")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let remove = |fake: &FakeDiscord, who: Member| {
        fake.slash(
            here(who),
            "evidence",
            subcommand(
                "remove",
                json!([{"name": "claim", "type": 3, "value": "agents-pull-requests"}, {"name": "entry", "type": 4, "value": other_entry}]),
            ),
            json!({}),
        )
    };
    assert!(content(&fake.answer(remove(&fake, ALICE), WAIT).await).contains("Manage Server"));
    assert!(content(&fake.answer(remove(&fake, MOD), WAIT).await).contains("Removed entry"));
    let listed = content(&fake.answer(ledger(&fake, BOB, false), WAIT).await);
    assert!(!listed.contains("Another agents story"), "{listed}");
    assert!(listed.contains("brought by <@601>"), "{listed}");

    // The prediction resolves: the card goes to the digest channel, with every round's stance,
    // the strongest evidence on each side, and a note that cannot ping or format.
    let resolve = fake.slash(
        here(MOD),
        "claim",
        subcommand(
            "resolve",
            json!([
                {"name": "id", "type": 3, "value": "agents-pull-requests"},
                {"name": "outcome", "type": 4, "value": 0},
                {"name": "note", "type": 3, "value": "@everyone see **this**"},
            ]),
        ),
        json!({}),
    );
    let resolved = content(&fake.answer(resolve, WAIT).await);
    assert!(resolved.contains(&format!("posted in <#{CHANNEL}>")), "{resolved}");
    let card = fake
        .wait_request("the resolution card", WAIT, |r| {
            r.method == "POST"
                && r.path == format!("/api/v10/channels/{CHANNEL}/messages")
                && r.body.to_string().contains("Resolved")
        })
        .await
        .body;
    assert_eq!(card["allowed_mentions"]["parse"], json!([]), "{card}");
    let card_text = card.to_string();
    assert!(card_text.contains("came true"), "{card_text}");
    assert!(card_text.contains("67% agreed in round 1 (3 votes)"), "{card_text}");
    assert!(
        card_text.contains("\\\\*\\\\*this\\\\*\\\\*"),
        "the note is escaped: {card_text}"
    );
    assert!(card_text.contains("Strongest evidence for"), "{card_text}");
    assert!(card_text.contains("Strongest evidence against"), "{card_text}");

    // Calls: alice agreed and it came true; bob disagreed.
    let me = |fake: &FakeDiscord, who: Member| fake.slash(here(who), "me", json!([]), json!({}));
    let alice = content(&fake.answer(me(&fake, ALICE), WAIT).await);
    assert!(alice.contains("1 of 1 right (100%)"), "{alice}");
    let bob = content(&fake.answer(me(&fake, BOB), WAIT).await);
    assert!(bob.contains("0 of 1 right (0%)"), "{bob}");

    // The scorecard: the essay's one prediction came true.
    let card = fake.slash(here(BOB), "claim", subcommand("scorecard", json!([])), json!({}));
    let scorecard = content(&fake.answer(card, WAIT).await);
    assert!(
        scorecard.contains("Came true 1 · did not 0 · unclear 0 · pending 0"),
        "{scorecard}"
    );

    // /claim show names the strongest evidence on each side.
    let show = fake.slash(
        here(BOB),
        "claim",
        subcommand(
            "show",
            json!([{"name": "id", "type": 3, "value": "agents-pull-requests"}]),
        ),
        json!({}),
    );
    let shown = content(&fake.answer(show, WAIT).await);
    assert!(shown.contains("Strongest evidence for"), "{shown}");

    // The export: the ledger and the calls, from the command line and as attachments.
    let export = |what: &'static str| {
        let url = bot.database_url.clone();
        let claims = claims_path.clone();
        async move {
            let out = run_cli(
                &url,
                &["tally", "export", "--guild", &GUILD.to_string(), "--what", what],
                &[("CLAIMS_FILE", &claims)],
            )
            .await;
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice::<Value>(&out.stdout).unwrap()
        }
    };
    let ledger_rows = export("evidence").await;
    let rows = ledger_rows.as_array().unwrap();
    assert_eq!(rows.len(), 4, "three stories shown and one brought: {ledger_rows}");
    let brought = rows.iter().find(|r| r["submitted_by"] == json!(ALICE.id)).unwrap();
    assert_eq!(brought["supports"], 2, "alice's and bob's stance: {brought}");
    let calls = export("calls").await;
    assert_eq!(
        calls,
        json!([
            {"user": ALICE.id, "calls": [{"claim": "agents-pull-requests", "stance": "agree", "outcome": "yes", "right": true}], "right": 1, "counted": 1},
            {"user": BOB.id, "calls": [{"claim": "agents-pull-requests", "stance": "disagree", "outcome": "yes", "right": false}], "right": 0, "counted": 1},
            {"user": CAROL.id, "calls": [{"claim": "agents-pull-requests", "stance": "agree", "outcome": "yes", "right": true}], "right": 1, "counted": 1},
        ])
    );
    let attach = fake.slash(
        here(MOD),
        "tally",
        json!([{"name": "export", "type": 5, "value": true}]),
        json!({}),
    );
    fake.answer(attach, WAIT).await;
    let callback = format!("/api/v10/interactions/{attach}/token-{attach}/callback");
    let sent = fake.requests().into_iter().find(|r| r.path == callback).unwrap();
    assert!(sent.raw.contains("evidence-7301.csv") && sent.raw.contains("calls-7301.csv"));
    assert!(sent
        .raw
        .contains(&format!("{},agents-pull-requests,agree,yes,yes", ALICE.id)));

    // Everything the bot sent kept within Discord's limits and mentioned no one but by choice.
    for body in bodies_sent(&fake) {
        assert_eq!(limit_violations(&body), Vec::<String>::new(), "{body}");
        if let Some(mentions) = body.get("allowed_mentions") {
            assert_eq!(mentions["parse"], json!([]), "{body}");
        }
    }
}

/// `/evidence add` reads pages through the feed client's address rules: with private addresses
/// not allowed (the default), a loopback page is refused and nothing is filed.
#[tokio::test]
async fn evidence_from_a_private_address_is_refused_unless_allowed() {
    let feeds = FeedServer::default();
    feeds.put(
        "page.html",
        "text/html",
        "<html><head><title>Inside</title></head></html>",
    );
    let addr = feeds.start().await;
    let config = Config::from_lookup(|_| None).unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let store = Store::in_memory().await.unwrap();
    let app = App::new(config, claims, FeedCatalog::default(), store.clone()).unwrap();
    let settings = app.guild(GuildId(5), None, Utc::now()).await.unwrap();
    let url = format!("http://{addr}/feeds/page.html");
    let refused = app
        .add_evidence(&settings, "o3-on-trend", &url, Stance::Supports, UserId(9), Utc::now())
        .await;
    match refused {
        Err(Error::User(e)) => assert_eq!(e.0.id, "evidence-unreadable", "{e}"),
        other => panic!("a loopback page must be refused: {other:?}"),
    }
    assert_eq!(feeds.hits("page.html"), 0, "never fetched");
    assert!(app.export_ledger(GuildId(5)).await.unwrap().is_empty());
}

/// A member's `/evidence add` is read one at a time: a second sent while the first page is still
/// being read is refused at once (so the daily cap, counted before the read, cannot be outrun
/// by adds sent together), and the member may add again once the first is done.
#[tokio::test]
async fn a_members_adds_sent_at_once_are_read_one_at_a_time() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A page server that holds its answers until the test lets them go.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let release = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (gate, seen) = (release.clone(), received.clone());
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (gate, seen) = (gate.clone(), seen.clone());
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let path = String::from_utf8_lossy(&request[..n])
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                gate.acquire().await.unwrap().forget();
                let body = format!("<html><head><title>Story at {path}</title></head></html>");
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    let config = Config::from_lookup(|key| (key == "FEED_ALLOW_PRIVATE").then(|| "true".to_string())).unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let app = App::new(
        config,
        claims,
        FeedCatalog::default(),
        Store::in_memory().await.unwrap(),
    )
    .unwrap();
    let settings = app.guild(GuildId(5), None, Utc::now()).await.unwrap();
    let add = |n: u32, user: u64| {
        let (app, settings) = (app.clone(), settings.clone());
        async move {
            let url = format!("http://{addr}/story-{n}");
            app.add_evidence(
                &settings,
                "o3-on-trend",
                &url,
                Stance::Supports,
                UserId(user),
                Utc::now(),
            )
            .await
        }
    };
    let first = tokio::spawn(add(1, 9));
    // Once the first is waiting on its page, the same member's second is turned away, another
    // member's is not.
    let waiting = tokio::time::Instant::now();
    while received.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            waiting.elapsed() < std::time::Duration::from_secs(20),
            "the first add never asked for its page"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    match add(2, 9).await {
        Err(Error::User(e)) => assert_eq!(e.0.id, "evidence-add-busy", "{e}"),
        other => panic!("a second add while the first is read must be refused: {other:?}"),
    }
    let other_member = tokio::spawn(add(3, 10));
    release.add_permits(2);
    first.await.unwrap().expect("the first add is filed");
    other_member.await.unwrap().expect("another member's add is filed");
    release.add_permits(1);
    add(4, 9)
        .await
        .expect("once the first is done, the member may add again");
    assert_eq!(app.export_ledger(GuildId(5)).await.unwrap().len(), 3);
}
