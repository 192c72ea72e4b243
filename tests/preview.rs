//! `preview --json` end to end: a local feed server, a fresh database, the real binary.

use crate::support::{rss, run_cli, sqlite_url, FeedServer};

fn english_feed() -> String {
    rss(
        "Loopback AI News",
        &[
            (
                "en-1",
                "AI system proves a decades-old conjecture; mathematicians check the proof",
                "https://stories.example/math-proof",
                "Tue, 24 Nov 2026 09:00:00 GMT",
            ),
            (
                "en-2",
                "Phone maker unveils a green handset",
                "https://stories.example/phone",
                "Tue, 24 Nov 2026 10:00:00 GMT",
            ),
            (
                "en-3",
                "Mathematician: proof assistant found the key lemma of the theorem",
                "https://stories.example/lemma",
                "Wed, 25 Nov 2026 10:00:00 GMT",
            ),
            (
                "en-old",
                "Old theorem proof news from last year, mathematicians amazed",
                "https://stories.example/old",
                "Mon, 24 Nov 2025 10:00:00 GMT",
            ),
        ],
    )
}

fn chinese_feed() -> String {
    // Carries the English feed's math story under its own guid: stored once.
    r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>回环科技</title><id>urn:zh</id><updated>2026-11-26T00:00:00Z</updated>
<entry><title>数学家震惊：AI 证明了一个猜想，定理证明进入新阶段</title><id>urn:zh:1</id><updated>2026-11-26T08:00:00Z</updated><link href="https://stories.example/zh-math"/></entry>
<entry><title>本周天气：晴转多云</title><id>urn:zh:2</id><updated>2026-11-26T09:00:00Z</updated><link href="https://stories.example/weather"/></entry>
<entry><title>Same story, other feed: AI proves a decades-old conjecture, mathematicians check the proof</title><id>urn:zh:3</id><updated>2026-11-24T09:30:00Z</updated><link href="https://stories.example/math-proof?utm_source=zh"/></entry>
</feed>"#
        .to_string()
}

#[tokio::test]
async fn preview_json_from_local_feeds_on_fresh_database() {
    let server = FeedServer::default();
    server.put("en.xml", "application/rss+xml", english_feed());
    server.put("zh.xml", "application/atom+xml", chinese_feed());
    let addr = server.start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/fresh.db");
    let en = format!("http://{addr}/feeds/en.xml");
    let zh = format!("http://{addr}/feeds/zh.xml");
    let args = [
        "preview",
        "--json",
        "--date",
        "2026-11-28",
        "--claim",
        "math-700-days",
        "--feed",
        &en,
        "--feed",
        &zh,
        "--news",
        "5",
    ];
    let out = run_cli(&sqlite_url(&db), &args, &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "preview failed: {stderr}");
    assert!(db.exists(), "database created on first start");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");

    assert_eq!(json["date"], "2026-11-28");
    assert_eq!(json["claim"]["id"], "math-700-days");
    assert_eq!(json["claim"]["kind"], "prediction");
    assert_eq!(json["claim"]["deadline"], "2026-11-25");
    assert!(json["claim"]["text"]["zh"].as_str().unwrap().contains("700"));
    assert!(json["claim"]["text"]["en"].as_str().unwrap().contains("700 days"));
    assert!(json["claim"]["section"]["en"].is_string());
    // Past its deadline on 2026-11-28, so the post asks whether it came true.
    assert_eq!(json["question"], "verdict");

    let news = json["news"].as_array().unwrap();
    let titles: Vec<&str> = news.iter().map(|n| n["title"].as_str().unwrap()).collect();
    let urls: Vec<&str> = news.iter().map(|n| n["url"].as_str().unwrap()).collect();
    // Whichever feed delivered the shared story first holds it.
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("AI system proves") || t.starts_with("Same story")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("数学家震惊")),
        "Chinese news ranks too: {titles:?}"
    );
    assert!(titles.iter().any(|t| t.starts_with("Mathematician:")), "{titles:?}");
    assert!(
        !titles.iter().any(|t| t.contains("handset") || t.contains("天气")),
        "unrelated kept out: {titles:?}"
    );
    assert!(
        !titles.iter().any(|t| t.starts_with("Old theorem")),
        "outside the 14-day window: {titles:?}"
    );
    assert_eq!(
        urls.iter().filter(|u| u.contains("math-proof")).count(),
        1,
        "the shared story appears once: {urls:?}"
    );
    assert_eq!(news.len(), 3, "{titles:?}");
    for pair in news.windows(2) {
        assert!(pair[0]["score"].as_f64() >= pair[1]["score"].as_f64(), "best first");
    }
    let first = &news[0];
    assert!(first["source"].is_string());
    assert!(first["published"].as_str().unwrap().starts_with("2026-11-2"));

    // Again on the same database: the feeds' items are already stored, nothing doubles.
    let again = run_cli(&sqlite_url(&db), &args, &[]).await;
    let json2: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(json2["news"], json["news"]);
}

#[tokio::test]
async fn preview_rotation_text_output_and_errors() {
    let server = FeedServer::default();
    server.put("en.xml", "application/rss+xml", english_feed());
    let addr = server.start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let feed = format!("http://{addr}/feeds/en.xml");

    // The stand-in server posts daily from the essay's date: day 0 is the first claim, the next day the second.
    let day0 = run_cli(
        &sqlite_url(&db),
        &["preview", "--json", "--date", "2024-12-25", "--feed", &feed],
        &[],
    )
    .await;
    let day1 = run_cli(
        &sqlite_url(&db),
        &["preview", "--json", "--date", "2024-12-26", "--feed", &feed],
        &[],
    )
    .await;
    let id = |o: &std::process::Output| {
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["claim"]["id"].clone()
    };
    assert_eq!(id(&day0), "o3-on-trend");
    assert_eq!(id(&day1), "clear-reward-wins");
    let round2 = run_cli(
        &sqlite_url(&db),
        &["preview", "--json", "--date", "2025-02-13", "--feed", &feed],
        &[],
    )
    .await;
    let round2: serde_json::Value = serde_json::from_slice(&round2.stdout).unwrap();
    assert_eq!(
        (round2["claim"]["id"].as_str(), round2["round"].as_u64()),
        (Some("o3-on-trend"), Some(2)),
        "50 claims later, round 2"
    );

    let text = run_cli(
        &sqlite_url(&db),
        &[
            "preview",
            "--lang",
            "en",
            "--date",
            "2026-11-28",
            "--claim",
            "math-700-days",
            "--feed",
            &feed,
        ],
        &[],
    )
    .await;
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("[math-700-days]"), "{text}");
    assert!(text.contains("did it come true?"), "{text}");
    assert!(text.contains("https://stories.example/math-proof"), "{text}");

    let unknown = run_cli(
        &sqlite_url(&db),
        &["preview", "--lang", "en", "--claim", "no-such-claim", "--feed", &feed],
        &[],
    )
    .await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no claim `no-such-claim`"));
    let unknown_zh = run_cli(
        &sqlite_url(&db),
        &["preview", "--lang", "zh", "--claim", "math-700", "--feed", &feed],
        &[],
    )
    .await;
    assert_eq!(unknown_zh.status.code(), Some(2));
    let said = String::from_utf8_lossy(&unknown_zh.stderr).to_string();
    assert!(
        said.contains("没有论断 `math-700`") && said.contains("math-700-days"),
        "{said}"
    );

    // A feed that fails is a warning, not the end of the preview.
    let missing = format!("http://{addr}/feeds/missing.xml");
    let partial = run_cli(
        &sqlite_url(&db),
        &["preview", "--json", "--feed", &missing, "--feed", &feed],
        &[],
    )
    .await;
    assert!(partial.status.success());
    assert!(String::from_utf8_lossy(&partial.stderr).contains("HTTP 404"));
}

#[tokio::test]
async fn preview_of_a_date_past_the_calendar_is_a_bad_date_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    // The last day chrono holds (no next day for the window's end), the first (no days before it
    // for the sample), and a year the database's four digits cannot keep.
    for date in ["+262142-12-31", "-262143-01-01", "+10000-01-01"] {
        // Joined by `=`: a leading `-` alone would be taken for an option.
        let arg = format!("--date={date}");
        let out = run_cli(&sqlite_url(&db), &["preview", "--sample", &arg], &[]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{date}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "invalid value '{date}' for '--date <DATE>': input is out of range"
            )),
            "{date}: {stderr}"
        );
    }
    // The calendar's ends that it keeps still preview.
    for date in ["9999-12-31", "0001-01-01"] {
        let out = run_cli(
            &sqlite_url(&db),
            &["preview", "--sample", "--json", "--date", date],
            &[],
        )
        .await;
        assert!(out.status.success(), "{date}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// `preview` on the database a bot serves from: a feed it cannot reach (from a machine that is
/// offline, say) is reported, and left as the bot last recorded it: no backoff, no count of
/// failures towards disabling it for every server.
#[tokio::test]
async fn preview_leaves_a_failing_feeds_record_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let url = sqlite_url(&db);
    // Port 9 on loopback answers nothing: the fetch fails at once.
    let unreachable = "http://127.0.0.1:9/feed.xml";
    let store = claim_digest::store::Store::open(&url).await.unwrap();
    let before = store.upsert_feed(unreachable).await.unwrap();
    store.close().await;
    for _ in 0..2 {
        let out = run_cli(&url, &["preview", "--feed", unreachable, "--lang", "en"], &[]).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("127.0.0.1:9"), "the failure is reported: {stderr}");
    }
    let store = claim_digest::store::Store::open(&url).await.unwrap();
    let after = store.feed(before.id).await.unwrap().unwrap();
    store.close().await;
    assert_eq!(
        (
            after.failures,
            after.failing_since,
            after.next_attempt_at,
            after.last_error.is_some()
        ),
        (0, None, before.next_attempt_at, false),
        "{after:?}"
    );
}
