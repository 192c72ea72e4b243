//! The public tally page over real HTTP: opt-in, revoke, rotate, 404s, hostile text escaped,
//! the security headers, ETag revalidation and both languages; the link previews and the
//! claim's chart image they show.

use crate::support;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};

use crate::support::site::{Seed, Site};
use claim_digest::config::Config;
use claim_digest::domain::claims::{ClaimKind, ClaimSet, Outcome, Resolution};
use claim_digest::domain::ids::{GuildId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::votes::{Choice, Question};
use claim_digest::feeds::FeedCatalog;
use claim_digest::services::App;
use claim_digest::store::Store;

const GUILD: GuildId = GuildId(42);

async fn site() -> (App, Store, String, String) {
    site_from(&support::repo_file("data/claims.toml"), "1000").await
}

/// The site with each client allowed `rate` requests a second (WEB_RATE_LIMIT).
async fn site_limited_to(rate: &str) -> (App, Store, String, String) {
    site_from(&support::repo_file("data/claims.toml"), rate).await
}

/// The site over the claims in `claims_file`, with two rounds of the first prediction posted,
/// each client allowed `rate` requests a second.
async fn site_from(claims_file: &std::path::Path, rate: &str) -> (App, Store, String, String) {
    let site = Site::new(GUILD, Lang::En, claims_file, rate).await;
    let prediction = site
        .claims
        .claims()
        .iter()
        .find(|c| c.kind == ClaimKind::Prediction)
        .unwrap()
        .id
        .to_string();
    for (round, day) in [(1u32, 1u32), (2, 2)] {
        let seed = Seed {
            claim: &prediction,
            round,
            date: NaiveDate::from_ymd_opt(2026, 1, day).unwrap(),
            question: Question::Stance,
            message: 100 + u64::from(round),
        };
        // Round 1: 3 agree, 1 disagree; round 2: 1 agree, 3 disagree.
        let agreeing = if round == 1 { 3 } else { 1 };
        let votes: Vec<(UserId, Choice)> = (0..4u64)
            .map(|user| {
                let choice = if user < agreeing {
                    Choice::Agree
                } else {
                    Choice::Disagree
                };
                (UserId(500 + user), choice)
            })
            .collect();
        site.post(seed, &votes).await;
    }
    let (store, now) = (&site.store, site.now);
    store
        .resolve_claim(
            GUILD,
            &Resolution {
                claim_id: prediction.as_str().into(),
                outcome: Outcome::No,
                note: "<script>alert('note')</script> & <b>bold</b>".into(),
                resolved_by: UserId(9),
                resolved_at: now,
            },
        )
        .await
        .unwrap();
    // The claim's ledger: a hostile title, and a link that is not a web address.
    let claim_id = claim_digest::domain::ids::ClaimId::new(prediction.as_str());
    for (story, title, url) in [
        (
            "a.example/1",
            "<img src=x onerror=alert(1)> Agents merge code",
            "https://a.example/1",
        ),
        ("b.example/2", "Plain evidence", "javascript:alert(2)"),
    ] {
        let new = claim_digest::store::NewEvidence {
            guild: GUILD,
            claim: &claim_id,
            story,
            title,
            url,
            source: "a.example",
            by: UserId(4),
            stance: claim_digest::domain::evidence::Stance::Supports,
        };
        store.add_evidence(&new, now).await.unwrap();
    }
    let (app, store, base, _) = site.serve();
    (app, store, base, prediction)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn opt_in_pages_headers_escaping_languages_rotate_and_revoke() {
    let (app, _store, base, prediction) = site().await;
    let http = client();

    // Nothing before opting in: the site's paths and a made-up slug answer 404 alike.
    let guess = format!("{base}s/{}", "A".repeat(22));
    assert_eq!(http.get(&guess).send().await.unwrap().status(), 404);
    assert_eq!(http.get(format!("{base}nowhere")).send().await.unwrap().status(), 404);

    let link = app.enable_site(GUILD, false, Utc::now()).await.unwrap();
    assert!(link.url.starts_with(&format!("{base}s/")), "{}", link.url);
    let slug = link.site.slug.clone();
    assert!(slug.len() >= 22);

    // The server page, in the server's language, with the security headers.
    let response = http.get(&link.url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let h = response.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline") && !csp.contains("http"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-robots-tag"], "noindex, nofollow");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let etag = h["etag"].to_str().unwrap().to_string();
    let body = response.text().await.unwrap();
    assert!(body.contains(r#"<html lang="en">"#), "{body}");
    assert!(body.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    assert!(body.contains(r#"<meta name="viewport""#));
    assert!(body.contains("?lang=zh"), "a link to the other language");
    assert!(
        body.contains(&format!("s/{slug}/claims/{prediction}")),
        "the claim is listed"
    );
    assert!(body.contains("<th scope=\"col\">"), "tables have headers");
    assert!(
        !body.contains("<script"),
        "no script, and the note is not on this page raw"
    );
    // 8 stance votes over two rounds: 4 agree, 4 disagree.
    assert!(body.contains("Agree 4 (50%)"), "{body}");

    // Revalidation.
    let again = http.get(&link.url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.text().await.unwrap().is_empty());

    // HEAD gives the headers without a body; other methods are refused.
    let head = http.head(&link.url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"].to_str().unwrap(), etag);
    let post = http.post(&link.url).send().await.unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(post.headers()["allow"], "GET, HEAD");

    // The other language.
    let zh = http
        .get(format!("{}?lang=zh", link.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains(r#"<html lang="zh-CN">"#));
    assert!(zh.contains("本服务器的计票"), "words from the zh-CN Fluent file");
    assert!(zh.contains("?lang=en"));

    // The claim page: rounds, the chart with its text alternative, the verdict, the escaped note.
    let claim_url = format!("{base}s/{slug}/claims/{prediction}");
    let claim = http.get(&claim_url).send().await.unwrap();
    assert_eq!(claim.status(), 200);
    let claim = claim.text().await.unwrap();
    assert!(
        claim.contains("&lt;script&gt;alert('note')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"),
        "{claim}"
    );
    assert!(!claim.contains("<script"));
    assert!(
        claim.contains(r#"role="img""#) && claim.contains("<desc"),
        "the chart has a text alternative"
    );
    assert!(claim.contains("round 1: 75% agree; round 2: 25% agree"), "{claim}");
    assert!(
        claim.contains(r#"<text class="resolved""#) && claim.contains("Resolved: did not come true"),
        "the chart marks the resolution: {claim}"
    );
    // The ledger: titles escaped, only web links linked.
    assert!(
        claim.contains("&lt;img src=x onerror=alert(1)&gt; Agents merge code"),
        "{claim}"
    );
    assert!(claim.contains(r#"href="https://a.example/1""#), "{claim}");
    assert!(!claim.contains("javascript:"), "{claim}");
    assert!(claim.contains("Evidence ledger"), "{claim}");
    assert!(
        claim.contains("Did not come true") || claim.contains("Did not"),
        "{claim}"
    );
    let zh_claim = http
        .get(format!("{claim_url}?lang=zh"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh_claim.contains("第 2 轮：25% 认同"), "{zh_claim}");

    // The stylesheet, with dark mode.
    let css = http.get(format!("{base}site.css")).send().await.unwrap();
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.text().await.unwrap().contains("prefers-color-scheme: dark"));

    // Unknown claims and paths under a good slug are 404s too.
    for path in [
        format!("s/{slug}/claims/no-such-claim"),
        format!("s/{slug}/nothing"),
        format!("s/{slug}/claims/{prediction}/x"),
    ] {
        assert_eq!(
            http.get(format!("{base}{path}")).send().await.unwrap().status(),
            404,
            "{path}"
        );
    }

    // The claim's page is what Discord links to.
    assert_eq!(
        app.claim_page_url(GUILD, &prediction).await.unwrap().as_deref(),
        Some(claim_url.as_str())
    );

    // Rotate: the old link dies at once, the new one works.
    let rotated = app.rotate_site(GUILD).await.unwrap();
    assert_ne!(rotated.site.slug, slug);
    assert_eq!(http.get(&link.url).send().await.unwrap().status(), 404);
    assert_eq!(http.get(&claim_url).send().await.unwrap().status(), 404);
    assert_eq!(http.get(&rotated.url).send().await.unwrap().status(), 200);

    // Indexing, when moderators choose it: no robots header or meta.
    let indexed = app.enable_site(GUILD, true, Utc::now()).await.unwrap();
    assert_eq!(indexed.site.slug, rotated.site.slug, "enabling again keeps the link");
    let response = http.get(&indexed.url).send().await.unwrap();
    assert!(response.headers().get("x-robots-tag").is_none());
    assert!(!response.text().await.unwrap().contains("noindex"));

    // Disable: gone, like any unknown path; the Discord link goes too.
    assert!(app.disable_site(GUILD).await.unwrap());
    assert_eq!(http.get(&rotated.url).send().await.unwrap().status(), 404);
    assert_eq!(app.claim_page_url(GUILD, &prediction).await.unwrap(), None);
    assert!(!app.disable_site(GUILD).await.unwrap());
}

#[tokio::test]
async fn the_leaderboard_shows_only_members_who_chose_it_by_name() {
    let (app, _store, base, _) = site().await;
    let link = app.enable_site(GUILD, false, Utc::now()).await.unwrap();
    let board = format!("{base}s/{}/leaderboard", link.site.slug);
    let server = format!("{base}s/{}", link.site.slug);
    let http = client();
    // The server page links to the leaderboard while someone is on it, read fresh on each request.
    let links_to_board = || async {
        let page = http.get(&server).send().await.unwrap().text().await.unwrap();
        page.contains(&format!("s/{}/leaderboard\"", link.site.slug))
    };
    let page = http.get(&board).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("No member has chosen to appear here yet."), "{page}");
    assert!(!links_to_board().await);
    app.show_on_site(GUILD, UserId(500), "<i>Ann</i>", Utc::now())
        .await
        .unwrap();
    assert!(links_to_board().await);
    let page = http.get(&board).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ann"), "{page}");
    assert!(!page.contains("<i>"), "names are plain text: {page}");
    assert!(!page.contains("500"), "never a user id: {page}");
    assert!(!page.contains("501"), "members who did not choose are not listed");
    app.hide_from_site(GUILD, UserId(500)).await.unwrap();
    let page = http.get(&board).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("Ann"), "{page}");
    assert!(!links_to_board().await);
}

#[tokio::test]
async fn the_site_refuses_to_enable_when_this_bot_serves_none() {
    let config = Config::from_lookup(|_| None).unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let store = Store::in_memory().await.unwrap();
    store.ensure_guild(GUILD, Lang::En, &[], Utc::now()).await.unwrap();
    let app = App::new(config, claims, FeedCatalog::default(), store).unwrap();
    let err = app.enable_site(GUILD, false, Utc::now()).await.unwrap_err();
    assert!(format!("{err:?}").contains("web-not-served"), "{err:?}");
}

/// Waits for `url` to answer (the bot binds its site as it starts); its status and body.
async fn get_when_up(url: &str) -> (u16, String) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Ok(response) = client().get(url).send().await {
            let status = response.status().as_u16();
            return (status, response.text().await.unwrap());
        }
        assert!(tokio::time::Instant::now() < deadline, "{url} never answered");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The link a `/digest web` answer gives.
fn link_in(text: &str, base: &str) -> String {
    let start = text.find(base).unwrap_or_else(|| panic!("no link to {base} in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == ')')
        .next()
        .unwrap()
        .to_string()
}

/// The moderators' and members' commands for the site, through the real bot and the fake
/// Discord: enable answers with a link that works, members choose to appear on the leaderboard
/// and leave it, rotate kills the old link, disable kills the new one, and a member who is not
/// a moderator cannot turn the site on.
#[tokio::test]
async fn digest_web_and_me_web_through_discord() {
    use claim_digest::render::discord::limit_violations;
    use serde_json::json;
    use support::bot::{channel_resolved, content, setup_options, start_bot_with, subcommand};
    use support::fake_discord::{At, FakeDiscord, Member, ALICE, BOB, MOD};

    const WAIT: std::time::Duration = std::time::Duration::from_secs(20);
    let feeds = support::FeedServer::default();
    feeds.put("f.xml", "application/rss+xml", support::rss("F", &[]));
    let feed_addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let web_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let base = format!("http://{web_addr}/");
    let dir = tempfile::tempdir().unwrap();
    let database_url = support::bot::fresh_database(dir.path()).await;
    let bot = start_bot_with(
        &fake,
        dir,
        &format!("http://{feed_addr}/feeds/f.xml"),
        &database_url,
        &[("WEB_ADDR", &web_addr.to_string()), ("PUBLIC_URL", &base)],
    )
    .await;
    fake.wait_identified(WAIT).await;
    let at = |member: Member| At {
        guild: 7401,
        channel: 7402,
        member,
        locale: "en-US",
    };
    let ask = |member: Member, name: &str, options: serde_json::Value| {
        let id = fake.slash(at(member), name, options, channel_resolved(7402));
        let fake = &fake;
        async move {
            let answer = fake.answer(id, WAIT).await;
            assert_eq!(limit_violations(&answer), Vec::<String>::new(), "{answer}");
            if let Some(mentions) = answer.get("allowed_mentions") {
                assert_eq!(mentions["parse"], json!([]), "{answer}");
            }
            answer
        }
    };
    let web = |sub: &str| json!([{"type": 2, "name": "web", "options": [{"type": 1, "name": sub, "options": []}]}]);
    // A choice parameter is the index of the choice: show, hide.
    let me_web = |choice: u8| json!([{"name": "web", "type": 4, "value": choice}]);

    // A post time hours away, so that no catch-up post goes out before `/digest now`.
    let later = (Utc::now() + chrono::Duration::hours(3)).format("%H:%M").to_string();
    ask(MOD, "digest", setup_options(7402, &later, "UTC", "en")).await;

    let refused = ask(ALICE, "digest", web("enable")).await;
    assert!(
        !content(&refused).contains(&base),
        "a member is not given a link: {refused}"
    );

    let enabled = ask(MOD, "digest", web("enable")).await;
    assert_eq!(enabled["flags"], 64, "the link is for the moderator's eyes: {enabled}");
    let first = link_in(&content(&enabled), &base);
    let slug = first.trim_start_matches(&format!("{base}s/")).to_string();
    assert!(slug.len() >= 22, "at least 128 random bits: {slug}");
    assert_eq!(get_when_up(&first).await.0, 200, "{first}");

    // Alice and Bob vote on today's post; only Alice chooses to appear.
    let now = content(&ask(MOD, "digest", subcommand("now", json!([]))).await);
    assert!(now.contains("Posted"), "{now}");
    let (message, post) = fake.posted(&now);
    for member in [ALICE, BOB] {
        let id = fake.click(at(member), message.clone(), &format!("vote:{post}:agree"));
        fake.answer(id, WAIT).await;
    }
    let shown = ask(ALICE, "me", me_web(0)).await;
    assert!(content(&shown).contains("alice"), "{shown}");
    let (_, board) = get_when_up(&format!("{first}/leaderboard")).await;
    assert!(board.contains("alice"), "Alice chose to appear");
    assert!(!board.contains("bob"), "Bob did not");
    assert!(!board.contains(&ALICE.id.to_string()), "no user ids on the site");

    ask(ALICE, "me", me_web(1)).await;
    let (_, board) = get_when_up(&format!("{first}/leaderboard")).await;
    assert!(!board.contains("alice"), "Alice left the leaderboard at once");

    let rotated = ask(MOD, "digest", web("rotate")).await;
    let second = link_in(&content(&rotated), &base);
    assert_ne!(second, first);
    assert_eq!(get_when_up(&first).await.0, 404, "the old link is dead");
    assert_eq!(get_when_up(&second).await.0, 200, "the new one works");

    ask(MOD, "digest", web("disable")).await;
    assert_eq!(get_when_up(&second).await.0, 404, "off at once");

    #[cfg(target_os = "linux")]
    pages_yield_to_the_bot(
        bot.child.id().expect("the bot is running"),
        database_url.starts_with("sqlite"),
    );
}

/// The pages run on threads nicer than the bot's, and so do the SQLite connections they read
/// through, while the bot's own connections keep its priority (Linux: the value is per thread).
#[cfg(target_os = "linux")]
fn pages_yield_to_the_bot(pid: u32, sqlite: bool) {
    let nice_of = |stat: &str| -> Option<i32> {
        // Field 19; the name before it, in parentheses, may hold spaces.
        stat.rsplit_once(')')?.1.split_whitespace().nth(16)?.parse().ok()
    };
    let bot = nice_of(&std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap()).expect("the bot's niceness");
    let threads: Vec<(String, i32)> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(|task| {
            let dir = task.ok()?.path();
            let name = std::fs::read_to_string(dir.join("comm")).ok()?.trim().to_string();
            Some((name, nice_of(&std::fs::read_to_string(dir.join("stat")).ok()?)?))
        })
        .collect();
    let pages = (bot + 10).min(19);
    let named = |prefix: &'static str| -> Vec<i32> {
        threads
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|&(_, n)| n)
            .collect()
    };
    let pages_threads = named("tally-pages");
    assert!(pages_threads.len() >= 3, "a thread and two workers: {threads:?}");
    assert!(pages_threads.iter().all(|&n| n == pages), "{threads:?}");
    assert!(
        named("tokio-runtime").iter().all(|&n| n == bot),
        "the bot's own threads: {threads:?}"
    );
    if sqlite {
        // sqlx names each connection's thread sqlx-sqlite-worker-N (cut to 15 characters).
        let connections = named("sqlx-sqlite");
        assert!(connections.contains(&pages), "the pages' connections: {threads:?}");
        assert!(connections.contains(&bot), "the bot's connections: {threads:?}");
    }
}

/// Each client gets its burst, then 429 with Retry-After; a client behind the loopback proxy is
/// told apart by the address the proxy forwards, and is not held back by the first.
#[tokio::test]
async fn each_client_is_rate_limited_on_its_own() {
    // One request every ten seconds on average: no token comes back while the test runs.
    let (app, _store, base, _) = site_limited_to("0.1").await;
    let link = app.enable_site(GUILD, false, Utc::now()).await.unwrap();
    let http = client();
    // The least burst is 10.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(http.get(&link.url).send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [[200; 10].as_slice(), &[429, 429]].concat(), "{statuses:?}");
    let refused = http.get(&link.url).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(
        refused.headers()["x-content-type-options"],
        "nosniff",
        "refusals carry the headers too"
    );
    let behind_proxy = http
        .get(&link.url)
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(behind_proxy.status().as_u16(), 200, "another client has its own bucket");
    let unknown = http.get(format!("{base}s/no-such-site")).send().await.unwrap();
    assert_eq!(unknown.status().as_u16(), 429, "the limit holds for every path");
}

/// The value of the `<meta>` tag with `key` (`property` or `name`) in `page`, as written.
fn meta<'a>(page: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!(r#"="{key}" content=""#);
    let start = page.find(&pattern)? + pattern.len();
    let len = page[start..].find('"')?;
    Some(&page[start..start + len])
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(bytes).read_info().expect("a valid PNG");
    let info = reader.info();
    (info.width, info.height)
}

#[tokio::test]
async fn links_unfold_into_a_card_with_the_claims_chart_and_hostile_words_stay_text() {
    // The first prediction's English text, made hostile: claims and titles are not trusted here.
    let original = std::fs::read_to_string(support::repo_file("data/claims.toml")).unwrap();
    let plain = "Within a year there will be models close to AGI level in math, coding and reasoning that still write mediocre fiction.";
    assert!(original.contains(plain), "the claims file still has the prediction");
    let dir = tempfile::tempdir().unwrap();
    let claims_file = dir.path().join("claims.toml");
    let hostile = r#"<script>alert(1)</script> \"><img src=x> & more"#;
    std::fs::write(&claims_file, original.replace(plain, hostile)).unwrap();
    let (app, _store, base, prediction) = site_from(&claims_file, "1000").await;
    let link = app.enable_site(GUILD, false, Utc::now()).await.unwrap();
    let slug = link.site.slug.clone();
    let http = client();
    let claim_url = format!("{base}s/{slug}/claims/{prediction}");
    let chart_url = format!("{claim_url}/chart.png");

    // The claim page: absolute URLs from PUBLIC_URL, the chart as a large card, escaped words.
    let page = http.get(&claim_url).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("<script") && !page.contains("<img"), "{page}");
    let title = meta(&page, "og:title").expect("og:title");
    assert_eq!(
        title,
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x&gt; &amp; more"
    );
    assert_eq!(meta(&page, "twitter:title"), Some(title));
    assert_eq!(meta(&page, "og:type"), Some("article"));
    assert_eq!(meta(&page, "og:url"), Some(claim_url.as_str()));
    assert_eq!(meta(&page, "og:image"), Some(format!("{chart_url}?lang=en").as_str()));
    assert_eq!(meta(&page, "og:image:width"), Some("720"));
    assert_eq!(meta(&page, "og:image:height"), Some("400"));
    assert_eq!(meta(&page, "twitter:card"), Some("summary_large_image"));
    let description = meta(&page, "og:description").expect("og:description");
    assert!(
        description.contains("Round 2") && description.contains("Agree 1 (25%)"),
        "{description}"
    );
    assert!(meta(&page, "og:image:alt").unwrap().contains("&lt;script&gt;"));
    // The page's chart is titled with the claim's words, escaped too.
    assert!(page.contains(r#"<text class="chart-title""#), "{page}");
    assert!(page.contains("Agreement by round: &lt;script&gt;"), "{page}");

    // In Chinese: the card's words and picture follow the page's language.
    let zh = http
        .get(format!("{claim_url}?lang=zh"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(meta(&zh, "og:url"), Some(format!("{claim_url}?lang=zh").as_str()));
    assert_eq!(meta(&zh, "og:image"), Some(format!("{chart_url}?lang=zh").as_str()));
    assert_eq!(meta(&zh, "og:locale"), Some("zh_CN"));
    assert!(meta(&zh, "og:description").unwrap().contains("第 2 轮"), "{zh}");

    // The server page: its own address, and the newest claim's chart.
    let server = http.get(&link.url).send().await.unwrap().text().await.unwrap();
    assert_eq!(meta(&server, "og:type"), Some("website"));
    assert_eq!(meta(&server, "og:url"), Some(link.url.as_str()));
    assert_eq!(meta(&server, "og:image"), Some(format!("{chart_url}?lang=en").as_str()));
    assert!(
        meta(&server, "og:description").unwrap().contains("One claim"),
        "{server}"
    );
    assert!(!server.contains("<script"));

    // The chart: a PNG of the chart's size, with the site's headers and cheap revalidation.
    let response = http.get(&chart_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let h = response.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(h["x-robots-tag"], "noindex, nofollow");
    let etag = h["etag"].to_str().unwrap().to_string();
    let png = response.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(png_size(&png), (720, 400));
    let again = http
        .get(&chart_url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let head = http.head(&chart_url).send().await.unwrap();
    assert_eq!(
        (head.status().as_u16(), head.headers()["etag"].to_str().unwrap()),
        (200, etag.as_str())
    );
    assert!(head.bytes().await.unwrap().is_empty());
    assert_eq!(http.post(&chart_url).send().await.unwrap().status(), 405);
    let zh_png = http.get(format!("{chart_url}?lang=zh")).send().await.unwrap();
    let zh_tag = zh_png.headers()["etag"].to_str().unwrap().to_string();
    // The site is served from this process, so its charts use the fonts this process found.
    if claim_digest::render::fonts::loaded().has_cjk() {
        assert_ne!(zh_tag, etag, "the Chinese chart is another picture");
    } else {
        // `.ci/run` installs fonts-noto-cjk; a machine without one falls back as documented.
        // Straight to stderr, past the harness's capture, so that the narrower check is seen.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "NOTE links_unfold_into_a_card: no font with Chinese glyphs here, so the Chinese chart is checked to be the English one (install fonts-noto-cjk to check it is drawn in Chinese)"
        );
        assert_eq!(
            zh_tag, etag,
            "without a CJK font the Chinese chart is drawn in English, not boxes"
        );
    }
    assert_eq!(png_size(&zh_png.bytes().await.unwrap()), (720, 400));

    // Unknown slug, unknown claim, a claim never posted here, paths under the chart: 404.
    let posted_nowhere = "o3-on-trend";
    for path in [
        format!("s/{}/claims/{prediction}/chart.png", "A".repeat(22)),
        format!("s/{slug}/claims/no-such-claim/chart.png"),
        format!("s/{slug}/claims/{posted_nowhere}/chart.png"),
        format!("s/{slug}/claims/{prediction}/chart.png/x"),
    ] {
        assert_eq!(
            http.get(format!("{base}{path}")).send().await.unwrap().status(),
            404,
            "{path}"
        );
    }
    // Revoked: the picture goes with the page.
    assert!(app.disable_site(GUILD).await.unwrap());
    assert_eq!(http.get(&chart_url).send().await.unwrap().status(), 404);
}

/// Every link the server page gives, to the site's own pages, answers 200: due predictions this
/// server never posted have no page, so they are not linked.
#[tokio::test]
async fn every_link_on_the_server_page_works() {
    let (app, _store, base, _) = site().await;
    let link = app.enable_site(GUILD, false, Utc::now()).await.unwrap();
    let http = client();
    let page = http.get(&link.url).send().await.unwrap().text().await.unwrap();
    let hrefs: Vec<&str> = page
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let page_url = url::Url::parse(&link.url).unwrap();
    let mut checked = 0;
    for href in hrefs {
        let target = page_url.join(&href.replace("&amp;", "&")).unwrap();
        if !target.as_str().starts_with(&base) {
            continue;
        }
        let status = http.get(target.as_str()).send().await.unwrap().status();
        assert_eq!(status, 200, "{target} (from {href})");
        checked += 1;
    }
    assert!(
        checked >= 3,
        "the page links its claims, the stylesheet and the other language"
    );
}

/// Reads `stream` until the server closes it, for at most `within`: what it sent, or None when
/// it was still open then.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    use tokio::io::AsyncReadExt as _;
    let mut got = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut got)).await {
        // A reset is a close too.
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

/// A client that sends half a request's head, or goes quiet after an answer, loses its
/// connection once the head's time is up; past the cap, a connection waits for one to close.
#[tokio::test]
async fn slow_and_idle_clients_lose_their_connections_and_connections_are_capped() {
    use tokio::io::AsyncWriteExt as _;
    let limits = claim_digest::web::ConnectionLimits {
        header_read: Duration::from_millis(300),
        max_connections: 2,
    };
    let site = Site::new(GUILD, Lang::En, &support::repo_file("data/claims.toml"), "1000").await;
    let (_app, _store, base, _claims) = site.serve_with(limits);
    let addr = base.trim_start_matches("http://").trim_end_matches('/').to_string();
    let connect = || tokio::net::TcpStream::connect(addr.clone());

    let mut half = connect().await.unwrap();
    let started = Instant::now();
    half.write_all(b"GET /site.css HTTP/1.1\r\nHost: x\r\nAccept: ")
        .await
        .unwrap();
    let said = read_until_closed(&mut half, Duration::from_secs(5)).await;
    assert!(said.is_some(), "half a head holds its connection");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "closed before its time"
    );

    let mut idle = connect().await.unwrap();
    idle.write_all(b"GET /site.css HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let said = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    let said = said.expect("a kept-alive connection left idle is closed");
    assert!(said.starts_with("HTTP/1.1 200"), "answered first: {said}");

    // Two silent connections take both places; a third is answered once they are closed.
    let _silent = [connect().await.unwrap(), connect().await.unwrap()];
    let mut third = connect().await.unwrap();
    let started = Instant::now();
    third
        .write_all(b"GET /site.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let said = read_until_closed(&mut third, Duration::from_secs(5))
        .await
        .expect("answered");
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "answered at once, past the cap: {:?}",
        started.elapsed()
    );
}
