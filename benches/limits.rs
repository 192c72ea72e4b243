//! Benchmarks against the limits in BENCHMARKS.md. Run all with `cargo bench --bench limits`,
//! or some: `cargo bench --bench limits -- ingest ranking votes fanout memory retention evidence pages`.
//! Figures are printed; nothing here asserts a time (machines are shared and noisy).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;

use claim_digest::config::Config;
use claim_digest::domain::claims::ClaimSet;
use claim_digest::domain::digest::NewsCount;
use claim_digest::domain::ids::{ChannelId, GuildId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::news::NewsItem;
use claim_digest::domain::ranking::{DenseQuery, ItemVectors, NewsIndex, RankOptions, TermStats};
use claim_digest::domain::tokenize::{ChineseTerms, Tokenizer};
use claim_digest::feeds::{FeedCatalog, FeedSource};
use claim_digest::services::App;
use claim_digest::store::{GuildUpdate, Store};
use support::bot::{channel_resolved, content, setup_options, start_bot, subcommand};
use support::fake_discord::{At, FakeDiscord, Member};
use support::FeedServer;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wants = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "machine: {} cores; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        Utc::now().format("%Y-%m-%d")
    );
    if wants("ingest") {
        runtime.block_on(ingest());
    }
    if wants("ranking") {
        ranking();
    }
    if wants("votes") {
        runtime.block_on(votes());
    }
    if wants("fanout") {
        runtime.block_on(fanout());
    }
    if wants("memory") {
        runtime.block_on(memory());
    }
    if wants("retention") {
        runtime.block_on(retention());
    }
    if wants("evidence") {
        runtime.block_on(evidence());
    }
    if wants("pages") {
        runtime.block_on(pages());
    }
}

fn corpus_dir() -> PathBuf {
    std::env::var("FEED_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| support::repo_file("../shared/testdata/feeds"))
}

fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.to_string_lossy();
            if path.is_dir() && !name.ends_with("_expected") && !name.ends_with("_manifests") {
                walk(&path, out);
            } else if [".xml", ".rss", ".atom", ".rdf", ".json"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&corpus_dir(), &mut out);
    out.sort();
    out
}

fn mb_per_s(bytes: usize, elapsed: Duration) -> f64 {
    bytes as f64 / 1_000_000.0 / elapsed.as_secs_f64()
}

fn bare_parse(docs: &[Vec<u8>]) -> Duration {
    // Some corpus documents make feed-rs panic; they are caught, and their messages would only
    // bury the figures.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    for doc in docs {
        let _ = std::panic::catch_unwind(|| feed_rs::parser::parse(doc.as_slice()));
    }
    let took = start.elapsed();
    std::panic::set_hook(hook);
    took
}

/// The ceiling: the best of three bare parses after a warm-up.
fn fastest_bare_parse(docs: &[Vec<u8>]) -> Duration {
    bare_parse(docs);
    (0..3).map(|_| bare_parse(docs)).min().unwrap()
}

async fn app_on_disk(dir: &Path) -> (App, Store) {
    let config = Config::from_lookup(|k| match k {
        "FEED_ALLOW_PRIVATE" => Some("true".into()),
        "FEED_MAX_ITEMS" => Some("1000".into()),
        // Every benchmark feed is on one local server: no per-host pacing.
        "FEED_HOST_RATE" => Some("0".into()),
        _ => None,
    })
    .unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("bench.db").display()))
        .await
        .unwrap();
    let app = App::new(config, claims, FeedCatalog::default(), store.clone()).unwrap();
    (app, store)
}

/// `docs` served by a local feed server, and the bot's services on a fresh database on disk.
struct Rig {
    app: App,
    store: Store,
    sources: Vec<FeedSource>,
    _dir: tempfile::TempDir,
}

async fn rig(docs: &[Vec<u8>]) -> Rig {
    let server = FeedServer::default();
    for (i, doc) in docs.iter().enumerate() {
        server.put(&format!("{i}.xml"), "application/xml", doc.clone());
    }
    let addr = server.start().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = app_on_disk(dir.path()).await;
    Rig {
        app,
        store,
        sources: (0..docs.len())
            .map(|i| FeedSource::parse(&format!("http://{addr}/feeds/{i}.xml")).unwrap())
            .collect(),
        _dir: dir,
    }
}

/// How long each step of [`end_to_end`] took, from its start.
struct Timeline {
    stored_by: Duration,
    read_by: Duration,
    indexed_by: Duration,
    items: usize,
}

/// Fetch from a local server, parse, clean, identify, deduplicate, store, and index.
async fn end_to_end(docs: &[Vec<u8>]) -> Timeline {
    let rig = rig(docs).await;
    let now = Utc::now();
    let start = Instant::now();
    let mut jobs = tokio::task::JoinSet::new();
    for source in rig.sources {
        let app = rig.app.clone();
        jobs.spawn(async move { app.ingest(&source, None, now).await.unwrap().feed });
    }
    let feeds = jobs.join_all().await;
    let stored_by = start.elapsed();
    let items = rig
        .store
        .items_between(
            &feeds,
            now - chrono::Duration::days(36500),
            now + chrono::Duration::days(1),
        )
        .await
        .unwrap();
    let read_by = start.elapsed();
    let stored = items.len();
    let index = NewsIndex::new(items);
    std::hint::black_box(index.len());
    Timeline {
        stored_by,
        read_by,
        indexed_by: start.elapsed(),
        items: stored,
    }
}

/// Only the fetches of `end_to_end`, through the bot's feed client (two requests at a time per
/// host): the part of the cost no parser or store can remove.
async fn fetch_alone(docs: &[Vec<u8>]) -> Duration {
    let rig = rig(docs).await;
    let start = Instant::now();
    let mut jobs = tokio::task::JoinSet::new();
    for source in rig.sources {
        let app = rig.app.clone();
        jobs.spawn(async move { app.feeds.fetch(&source, None).await.is_ok() });
    }
    let fetched = jobs.join_all().await.into_iter().filter(|ok| *ok).count();
    let took = start.elapsed();
    assert!(
        fetched * 10 >= docs.len() * 9,
        "only {fetched} of {} fetched",
        docs.len()
    );
    took
}

fn feedparser_rate(files: &[PathBuf]) -> Option<f64> {
    let list = files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let script = "import sys,time,feedparser\npaths=sys.stdin.read().split('\\n')\ndata=[open(p,'rb').read() for p in paths if p]\nt=time.perf_counter()\nfor d in data: feedparser.parse(d)\nprint(sum(map(len,data))/1e6/(time.perf_counter()-t))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    use std::io::Write as _;
    child.stdin.take()?.write_all(list.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// Feed specs named `Feed 0`, `Feed 1`, ... for the given URLs.
fn catalog(urls: impl IntoIterator<Item = String>) -> Vec<claim_digest::feeds::FeedSpec> {
    urls.into_iter()
        .enumerate()
        .map(|(i, url)| claim_digest::feeds::FeedSpec {
            name: format!("Feed {i}"),
            url,
            language: None,
        })
        .collect()
}

fn generated_docs(items: usize, per_doc: usize) -> Vec<Vec<u8>> {
    let words = [
        "agent",
        "browser",
        "mathematician",
        "theorem",
        "Nvidia",
        "inference",
        "robot",
        "o3",
        "OpenAI",
        "startup",
        "model",
        "benchmark",
        "数学家",
        "机器人",
        "芯片",
        "监管",
    ];
    // Published yesterday: inside the bot's news window whenever the bench runs.
    let published = (Utc::now() - chrono::Duration::days(1)).format("%a, %d %b %Y 10:00:00 GMT");
    (0..items.div_ceil(per_doc))
        .map(|d| {
            let mut doc = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Generated</title>");
            for i in 0..per_doc {
                let n = d * per_doc + i;
                let (a, b, c) = (words[n % 16], words[(n / 16) % 16], words[(n / 256) % 16]);
                doc.push_str(&format!(
                    "<item><guid>g{n}</guid><title>{a} {b} and {c}: story {n}</title><link>https://gen.example/{n}</link><description>&lt;p&gt;About {b} and {c}, item {n}.&lt;/p&gt;</description><pubDate>{published}</pubDate></item>"
                ));
            }
            doc.push_str("</channel></rss>");
            doc.into_bytes()
        })
        .collect()
}

async fn ingest() {
    println!("\n== 1. feed ingestion");
    let files = corpus_files();
    if files.is_empty() {
        println!(
            "corpus not found at {} (set FEED_CORPUS); skipped",
            corpus_dir().display()
        );
    } else {
        let docs: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
        let bytes: usize = docs.iter().map(Vec::len).sum();
        let bare = fastest_bare_parse(&docs);
        let run = end_to_end(&docs).await;
        let (ours, items) = (run.indexed_by, run.items);
        let fetching = fetch_alone(&docs).await;
        let bare_rate = mb_per_s(bytes, bare);
        let ours_rate = mb_per_s(bytes, ours);
        println!("corpus: {} documents, {:.1} MB", docs.len(), bytes as f64 / 1e6);
        println!("  feed-rs bare parse      {bare_rate:8.1} MB/s");
        println!(
            "  claim-digest end to end {ours_rate:8.1} MB/s  {:8.0} items/s  ({:.0}% of bare parse)",
            items as f64 / ours.as_secs_f64(),
            100.0 * ours_rate / bare_rate
        );
        println!(
            "    the fetches alone     {:8.1} MB/s  ({:.0}% of bare parse)",
            mb_per_s(bytes, fetching),
            100.0 * bare.as_secs_f64() / fetching.as_secs_f64()
        );
        print_feedparser_rate(&files);
    }
    let docs = generated_docs(100_000, 500);
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let bare = fastest_bare_parse(&docs);
    let run = end_to_end(&docs).await;
    let (ours, items) = (run.indexed_by, run.items);
    let fetching = fetch_alone(&docs).await;
    println!(
        "generated: 100,000 items in {} documents, {:.1} MB",
        docs.len(),
        bytes as f64 / 1e6
    );
    println!("  feed-rs bare parse      {:8.1} MB/s", mb_per_s(bytes, bare));
    println!(
        "  claim-digest end to end {:8.1} MB/s  {:8.0} items/s  ({:.0}% of bare parse; {items} stored)",
        mb_per_s(bytes, ours),
        items as f64 / ours.as_secs_f64(),
        100.0 * bare.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "    of which fetch, parse, clean and store {:.0} ms, read the window back {:.0} ms, index it {:.0} ms",
        run.stored_by.as_secs_f64() * 1e3,
        (run.read_by - run.stored_by).as_secs_f64() * 1e3,
        (run.indexed_by - run.read_by).as_secs_f64() * 1e3
    );
    println!(
        "    the fetches alone     {:8.1} MB/s  ({:.0}% of bare parse)",
        mb_per_s(bytes, fetching),
        100.0 * bare.as_secs_f64() / fetching.as_secs_f64()
    );
    // feedparser reads files: the generated documents are written to a scratch folder for it.
    let scratch = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = scratch.path().join(format!("{i}.xml"));
            std::fs::write(&path, doc).unwrap();
            path
        })
        .collect();
    print_feedparser_rate(&files);
}

fn print_feedparser_rate(files: &[PathBuf]) {
    match feedparser_rate(files) {
        Some(rate) => println!("  Python feedparser       {rate:8.1} MB/s"),
        None => println!("  Python feedparser       not installed (pip install feedparser)"),
    }
}

fn ranking() {
    println!("\n== 2. ranking: every claim against 50,000 stored items");
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let docs = generated_docs(50_000, 50_000);
    let feed = claim_digest::feeds::parse_feed(&docs[0], "https://gen.example/feed", None, Utc::now(), 50_000).unwrap();
    let items: Vec<NewsItem> = feed.items;
    // Word counts as the bot keeps them: over the stored news (here, the same items).
    let start = Instant::now();
    let mut stats = TermStats::default();
    let mut tokenizer = Tokenizer::new(ChineseTerms::default());
    for item in &items {
        stats.add_with(&mut tokenizer, &item.title, &item.summary);
    }
    println!(
        "  term statistics, 50,000 items  {:8.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let mut builds = Vec::new();
    let mut ranks = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let index = NewsIndex::new(items.clone());
        builds.push(start.elapsed());
        let start = Instant::now();
        for claim in claims.claims() {
            let options = RankOptions {
                limit: 5,
                stats: Some(&stats),
                ..Default::default()
            };
            std::hint::black_box(index.rank(claim, &options));
        }
        ranks.push(start.elapsed());
    }
    builds.sort();
    ranks.sort();
    println!(
        "  index build (median of 5)      {:8.1} ms",
        builds[2].as_secs_f64() * 1000.0
    );
    println!(
        "  rank all {} claims (median)    {:8.1} ms   target < 100 ms",
        claims.claims().len(),
        ranks[2].as_secs_f64() * 1000.0
    );

    // With meaning fused in (EMBEDDINGS_URL): every item and claim text a vector of 384 numbers,
    // as multilingual-e5-small makes, read from memory as the bot does after the embedder.
    const DIMS: usize = 384;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut vector = || -> Vec<f32> {
        (0..DIMS)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect()
    };
    let vectors: ItemVectors = items.iter().map(|i| (i.identity.clone(), vector().into())).collect();
    // Each claim's two texts near each other, as a translation is: meaning then takes part.
    let claim_vectors: Vec<(Vec<f32>, Vec<f32>)> = claims
        .claims()
        .iter()
        .map(|_| {
            let zh = vector();
            let en = zh.iter().zip(vector()).map(|(x, noise)| x + 0.1 * noise).collect();
            (zh, en)
        })
        .collect();
    let index = NewsIndex::new(items.clone());
    let mut fused = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        for (claim, (zh, en)) in claims.claims().iter().zip(&claim_vectors) {
            let options = RankOptions {
                limit: 5,
                stats: Some(&stats),
                dense: Some(DenseQuery {
                    claim_zh: zh,
                    claim_en: en,
                    items: &vectors,
                }),
                ..Default::default()
            };
            std::hint::black_box(index.rank(claim, &options));
        }
        fused.push(start.elapsed());
    }
    fused.sort();
    println!(
        "  the same, meaning fused ({DIMS} dims) {:8.1} ms   (words alone above: {:.1} ms)",
        fused[2].as_secs_f64() * 1000.0,
        ranks[2].as_secs_f64() * 1000.0
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn votes() {
    println!("\n== 3. votes through the real bot against the fake Discord");
    let feeds = FeedServer::default();
    feeds.put("f.xml", "application/rss+xml", support::rss("F", &[]));
    let addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let _bot = start_bot(&fake, &format!("http://{addr}/feeds/f.xml")).await;
    fake.wait_identified(Duration::from_secs(30)).await;
    let moderator = Member {
        id: 1,
        name: "mod",
        permissions: "32",
    };
    let at = At {
        guild: 5,
        channel: 55,
        member: moderator,
        locale: "en-US",
    };
    let id = fake.slash(
        at,
        "digest",
        setup_options(55, "23:59", "UTC", "en"),
        channel_resolved(55),
    );
    fake.answer(id, Duration::from_secs(30)).await;
    let id = fake.slash(at, "digest", subcommand("now", json!([])), json!({}));
    let posted = content(&fake.answer(id, Duration::from_secs(30)).await);
    let (message, post) = fake.posted(&posted);
    // The target rate, then twice it to show the headroom; new members each time.
    for (round, rate) in [2_000u64, 4_000].into_iter().enumerate() {
        offer_votes(&fake, &message, &post, rate, 10_000 + round as u64 * 100_000).await;
    }
}

/// Offers 4,000 clicks at `rate` per second and prints throughput and latency.
async fn offer_votes(fake: &FakeDiscord, message: &serde_json::Value, post: &str, rate: u64, first_member: u64) {
    const VOTES: u64 = 4000;
    let offered = offer(fake, VOTES, rate, |i| {
        let member = Member {
            id: first_member + i,
            name: "voter",
            permissions: "0",
        };
        let choice = ["agree", "disagree", "unsure"][(i % 3) as usize];
        fake.click(
            At {
                guild: 5,
                channel: 55,
                member,
                locale: "en-US",
            },
            message.clone(),
            &format!("vote:{post}:{choice}"),
        )
    })
    .await;
    println!(
        "  {VOTES} clicks offered at {rate}/s (the bench managed {:.0}/s); {} answered",
        offered.rate,
        offered.latencies.len()
    );
    println!(
        "  sustained {:8.0} votes/s   target 2,000",
        offered.latencies.len() as f64 / offered.took.as_secs_f64()
    );
    offered.print_latency("target p99 < 250 ms");
}

/// What offering a burst of interactions measured.
struct Offered {
    /// Each answered interaction's time to its callback, sorted.
    latencies: Vec<Duration>,
    /// The rate the bench managed to offer.
    rate: f64,
    /// From the first offer to the last answer.
    took: Duration,
}

impl Offered {
    fn print_latency(&self, target: &str) {
        if !self.latencies.is_empty() {
            println!(
                "  latency p50 {:6.1} ms   p99 {:6.1} ms   {target}",
                percentile(&self.latencies, 0.5).as_secs_f64() * 1e3,
                percentile(&self.latencies, 0.99).as_secs_f64() * 1e3
            );
        }
    }
}

/// Offers `count` interactions at `rate` per second (`send(i)` dispatches the i-th and returns
/// its id) and waits up to a minute for their answers.
async fn offer(fake: &FakeDiscord, count: u64, rate: u64, mut send: impl FnMut(u64) -> u64) -> Offered {
    let mut sent = Vec::with_capacity(count as usize);
    let start = Instant::now();
    for i in 0..count {
        // Paced at the offered rate.
        let due = start + Duration::from_micros(i * 1_000_000 / rate);
        tokio::time::sleep_until(due.into()).await;
        let id = send(i);
        sent.push((id, Instant::now()));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut latencies: Vec<Duration>;
    loop {
        let answered = fake.callback_times();
        latencies = sent
            .iter()
            .filter_map(|(id, at)| {
                answered
                    .get(&format!("/api/v10/interactions/{id}/token-{id}/callback"))
                    .map(|t| t.duration_since(*at))
            })
            .collect();
        if latencies.len() == sent.len() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    latencies.sort();
    let last_sent = sent.last().map_or(start, |s| s.1);
    Offered {
        rate: count as f64 / last_sent.duration_since(start).as_secs_f64().max(1e-9),
        took: (last_sent + *latencies.last().unwrap_or(&Duration::ZERO)).duration_since(start),
        latencies,
    }
}

/// The evidence ledger under load: a claim with 1,000 entries, and members opening a post's
/// Evidence panel, marking its stories and reading the ledger at 500 interactions a second.
async fn evidence() {
    println!("\n== 7. the evidence ledger through the real bot against the fake Discord");
    let feeds = FeedServer::default();
    let fresh = Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let news: Vec<(String, String, String, String)> = (0..5)
        .map(|i| {
            (
                format!("n{i}"),
                format!("OpenAI o3 reasoning model and test-time compute scaling, report {i}"),
                format!("https://stories.example/{i}"),
                fresh.clone(),
            )
        })
        .collect();
    let items: Vec<(&str, &str, &str, &str)> = news
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    feeds.put("f.xml", "application/rss+xml", support::rss("F", &items));
    let addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake, &format!("http://{addr}/feeds/f.xml")).await;
    fake.wait_identified(Duration::from_secs(30)).await;
    let moderator = Member {
        id: 1,
        name: "mod",
        permissions: "32",
    };
    let at = |member: Member| At {
        guild: 5,
        channel: 55,
        member,
        locale: "en-US",
    };
    let id = fake.slash(
        at(moderator),
        "digest",
        setup_options(55, "23:59", "UTC", "en"),
        channel_resolved(55),
    );
    fake.answer(id, Duration::from_secs(30)).await;
    let fetched = Instant::now();
    while feeds.hits("f.xml") == 0 && fetched.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let id = fake.slash(at(moderator), "digest", subcommand("now", json!([])), json!({}));
    let posted = content(&fake.answer(id, Duration::from_secs(30)).await);
    let (message, post) = fake.posted(&posted);

    // 1,000 stories brought by members, straight into the bot's database.
    let store = Store::open(&bot.database_url).await.unwrap();
    let claim = claim_digest::domain::ids::ClaimId::new("o3-on-trend");
    let seeded = Instant::now();
    for i in 0..1000u64 {
        let story = format!("ledger.example/{i}");
        let url = format!("https://{story}");
        let title = format!("Ledger story {i} on o3 and test-time compute");
        let new = claim_digest::store::NewEvidence {
            guild: GuildId(5),
            claim: &claim,
            story: &story,
            title: &title,
            url: &url,
            source: "ledger.example",
            by: claim_digest::domain::ids::UserId(100 + i % 50),
            stance: if i % 3 == 0 {
                claim_digest::domain::evidence::Stance::Contradicts
            } else {
                claim_digest::domain::evidence::Stance::Supports
            },
        };
        store.add_evidence(&new, Utc::now()).await.unwrap();
    }
    store.close().await;
    println!(
        "  seeded 1,000 ledger entries in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    // The panel's mark buttons, read from one opening of it.
    let open = fake.click(at(moderator), message.clone(), &format!("evidence:{post}"));
    let panel = fake.answer(open, Duration::from_secs(30)).await;
    let marks: Vec<String> = panel["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .filter(|id| !id.ends_with(":offtopic"))
        .collect();
    println!("  the post's panel holds {} stories", marks.len() / 2);
    if marks.is_empty() {
        println!("  skipped: the post showed no news, so it has no panel");
        return;
    }
    const INTERACTIONS: u64 = 3000;
    let offered = offer(&fake, INTERACTIONS, 500, |i| {
        let member = Member {
            id: 50_000 + i,
            name: "member",
            permissions: "0",
        };
        match i % 3 {
            0 => fake.click(at(member), message.clone(), &format!("evidence:{post}")),
            1 => fake.click(at(member), message.clone(), &marks[(i as usize / 3) % marks.len()]),
            _ => fake.slash(
                at(member),
                "evidence",
                subcommand("list", json!([{"name": "claim", "type": 3, "value": "o3-on-trend"}])),
                json!({}),
            ),
        }
    })
    .await;
    println!(
        "  {INTERACTIONS} interactions offered at 500/s (the bench managed {:.0}/s): panels, marks and ledger pages in turn; {} answered",
        offered.rate,
        offered.latencies.len()
    );
    offered.print_latency("target p99 < 250 ms");
}

/// A database with `guilds` servers set up to post at `post_at`, using `catalog`: every server
/// when `every_server_uses_feeds`, else only the first (feeds shared by all servers are fetched once).
async fn configured_bot_dir(
    guilds: u64,
    catalog: &[claim_digest::feeds::FeedSpec],
    every_server_uses_feeds: bool,
    post_at: chrono::NaiveTime,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("bot.db").display()))
        .await
        .unwrap();
    for g in 0..guilds {
        let guild = GuildId(1_000_000 + g);
        let defaults = if g == 0 || every_server_uses_feeds {
            catalog
        } else {
            &[]
        };
        store.ensure_guild(guild, Lang::En, defaults, Utc::now()).await.unwrap();
        let update = GuildUpdate {
            channel: ChannelId(2_000_000 + g),
            post_time: post_at,
            timezone: chrono_tz::Tz::UTC,
            language: Lang::En,
            news_count: NewsCount::default(),
            thread: false,
            moderator_role: None,
            ping_role: None,
            post_days: None,
            recap_day: None,
        };
        store.setup_guild(guild, &update).await.unwrap();
    }
    store.close().await;
    dir
}

async fn fanout() {
    println!("\n== 4. fan-out: 2,000 servers due at the same minute");
    // Every server reads ten feeds with 300 recent items each: composing a digest is real work.
    let feeds = FeedServer::default();
    for (i, doc) in generated_docs(3_000, 300).into_iter().enumerate() {
        feeds.put(&format!("f{i}.xml"), "application/rss+xml", doc);
    }
    let addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    fake.enforce_global_limit();
    let due = (Utc::now() + chrono::Duration::minutes(1)).time();
    let due = chrono::NaiveTime::from_hms_opt(chrono::Timelike::hour(&due), chrono::Timelike::minute(&due), 0).unwrap();
    let urls = (0..10).map(|i| format!("http://{addr}/feeds/f{i}.xml"));
    let dir = configured_bot_dir(2000, &catalog(urls), true, due).await;
    let database = support::sqlite_url(&dir.path().join("bot.db"));
    // The production tick: the poster must wake at the minute by itself, not on a fast poll.
    let env = [("SCHEDULER_TICK_SECS", "30")];
    let mut bot =
        support::bot::start_bot_with(&fake, dir, &format!("http://{addr}/feeds/f.xml"), &database, &env).await;
    let due_at = Utc::now().date_naive().and_time(due).and_utc();
    let wait = (due_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    let start = Instant::now();
    let deadline = start + Duration::from_secs(300);
    let created = |fake: &FakeDiscord| {
        fake.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
            .count()
    };
    loop {
        let delivered = fake.message_count();
        if delivered >= 2000 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let elapsed = start.elapsed();
    let attempts = created(&fake);
    let late_429 = fake.rate_limited_after(start + Duration::from_secs(1));
    println!(
        "  delivered {} posts in {:.1} s (floor 40 s at 50 requests/s)",
        fake.message_count(),
        elapsed.as_secs_f64()
    );
    println!("  {attempts} create attempts; {late_429} answered 429 after the first second");
    let with_news = (0..2000u64)
        .filter(|g| {
            fake.messages_in(2_000_000 + g)
                .iter()
                .any(|m| m.to_string().contains("gen.example"))
        })
        .count();
    println!("  {with_news} of the posts carry related news");
    // Lateness against the minute: the first create request (the fan-out's start), and each
    // delivered post as the bot's own histogram measured it.
    let mut creates: Vec<Instant> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .map(|r| r.at)
        .collect();
    creates.sort();
    if let Some(first) = creates.first() {
        println!(
            "  first post {:.2} s after the minute (target < 2 s)",
            first.saturating_duration_since(start).as_secs_f64()
        );
    }
    if let Some((200, text)) = bot.get("/metrics").await {
        let sample = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let count = sample("claim_digest_post_lateness_seconds_count");
        let sum = sample("claim_digest_post_lateness_seconds_sum");
        let within_2s = sample("claim_digest_post_lateness_seconds_bucket{le=\"2.0\"}");
        println!(
            "  lateness histogram: {count} posts, mean {:.1} s, {within_2s} within 2 s of the minute",
            if count > 0.0 { sum / count } else { 0.0 }
        );
    }
    let _ = bot.child.start_kill();
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn memory() {
    println!("\n== 5. memory and start");
    let feeds = FeedServer::default();
    feeds.put(
        "f.xml",
        "application/rss+xml",
        support::rss(
            "F",
            &[(
                "1",
                "Agent news",
                "https://x.example/1",
                "Fri, 27 Nov 2026 10:00:00 GMT",
            )],
        ),
    );
    let addr = feeds.start().await;
    let feed_url = format!("http://{addr}/feeds/f.xml");
    for (guilds, feed_count, label, target) in [
        (1u64, 1u64, "1 server", "30 MB"),
        (10_000, 1_000, "10,000 servers, 1,000 feeds", "150 MB"),
    ] {
        let fake = FakeDiscord::start().await;
        let later = chrono::NaiveTime::from_hms_opt((chrono::Timelike::hour(&Utc::now()) + 12) % 24, 0, 0).unwrap();
        let urls = (0..feed_count).map(|i| format!("{feed_url}?n={i}"));
        let dir = configured_bot_dir(guilds, &catalog(urls), false, later).await;
        let started = Instant::now();
        let database = support::sqlite_url(&dir.path().join("bot.db"));
        let mut bot = support::bot::start_bot_with(&fake, dir, &feed_url, &database, &[]).await;
        fake.wait_request("ready", Duration::from_secs(120), |r| r.method == "PUT")
            .await;
        let ready = started.elapsed();
        // Let the first poll and poster passes run.
        tokio::time::sleep(Duration::from_secs(8)).await;
        let kib = rss_kib(bot.pid());
        println!(
            "  {label:28} resident {:6.1} MB (target {target}); start to READY handled {:5.0} ms",
            kib as f64 / 1024.0,
            ready.as_secs_f64() * 1e3
        );
        let _ = bot.child.start_kill();
    }
}

/// News items of one simulated day for one feed, with the lengths real feeds have (a title of
/// about 80 characters, a link, a summary of about 280).
fn simulated_items(feed: usize, day: i64, per_day: usize, at: chrono::DateTime<Utc>) -> Vec<NewsItem> {
    (0..per_day)
        .map(|i| {
            let n = format!("{feed}-{day}-{i}");
            NewsItem {
                identity: format!("guid:{feed}:{n}"),
                story_key: Some(format!("news{feed}.example/{day}/{i}")),
                title: format!("Story {n}: a headline of the length real feeds carry, about eighty characters"),
                url: Some(format!("https://news{feed}.example/{day}/{i}?ref=feed")),
                summary: "A summary of the kind feeds carry after their markup is removed: two or three sentences \
                          about what happened, who said it and why it matters, cut to the length the bot keeps. \
                          Most feeds give about this much; some give none, a few give whole articles."
                    .into(),
                source: format!("Feed {feed}"),
                published: Some(at + chrono::Duration::minutes(i as i64 * 7)),
                seen_at: at + chrono::Duration::minutes(i as i64 * 7 + 3),
            }
        })
        .collect()
}

/// The database's size on disk: the file and its write-ahead log.
fn database_bytes(db: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// How many of the lock holds went over the target (50 ms) and over half of it: the second
/// count shows a change in the rare slow batches long before the first does.
fn count_over(holds: &[Duration]) -> (usize, usize) {
    let over = |ms| holds.iter().filter(|h| **h > Duration::from_millis(ms)).count();
    (over(50), over(25))
}

/// The time all cores have spent idle waiting on the disk since boot, in Linux's 10 ms ticks
/// (`/proc/stat`, the `iowait` column), or `None` where there is no such file. A pass whose
/// slow batch came with disk waits was held up reading or writing, not computing.
fn disk_wait_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    stat.lines().next()?.split_whitespace().nth(5)?.parse().ok()
}

/// A thread that does nothing but sleep a millisecond at a time and write 4 KiB into a small
/// file beside the database (no fsync), noting each time it woke, or its write returned, more
/// than [`StallProbe::LATE`] late. When the shared machine pauses the bench's threads, or the
/// kernel holds writes to the disk back, the probe is held up too: a long prune batch that
/// overlaps one of its stalls is the machine's, not the statement's.
struct StallProbe {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Stalls>,
}

/// The probe's stalls, each as (since, how long).
#[derive(Default)]
struct Stalls {
    woke_late: Vec<(Instant, Duration)>,
    slow_writes: Vec<(Instant, Duration)>,
}

impl StallProbe {
    const LATE: Duration = Duration::from_millis(20);

    fn start(dir: &Path) -> Self {
        use std::os::unix::fs::FileExt as _;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let file = std::fs::File::create(dir.join("stall-probe")).unwrap();
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut stalls = Stalls::default();
                let page = [7u8; 4096];
                let mut n = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let slept = Instant::now();
                    std::thread::sleep(Duration::from_millis(1));
                    let late = slept.elapsed().saturating_sub(Duration::from_millis(1));
                    if late > Self::LATE {
                        stalls.woke_late.push((slept, late));
                    }
                    // The same 256 pages over and over, as SQLite's log is rewritten from its start.
                    let wrote = Instant::now();
                    file.write_all_at(&page, (n % 256) * 4096).unwrap();
                    n += 1;
                    let took = wrote.elapsed();
                    if took > Self::LATE {
                        stalls.slow_writes.push((wrote, took));
                    }
                }
                stalls
            })
        };
        StallProbe { stop, thread }
    }

    fn stop(self) -> Stalls {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().expect("the stall probe ran")
    }
}

impl Stalls {
    /// "woke late never; writes slow 2 times, longest 61 ms".
    fn describe(&self) -> String {
        let one = |stalls: &[(Instant, Duration)]| match stalls.iter().map(|(_, late)| *late).max() {
            Some(longest) => format!("{} times, longest {:.0} ms", stalls.len(), longest.as_secs_f64() * 1e3),
            None => "never".to_string(),
        };
        format!(
            "woke over {} ms late {}; a write took over {} ms {}",
            StallProbe::LATE.as_millis(),
            one(&self.woke_late),
            StallProbe::LATE.as_millis(),
            one(&self.slow_writes)
        )
    }

    /// How many of `windows` overlap one of the stalls, of either kind.
    fn overlapping(&self, windows: &[(Instant, Duration)]) -> usize {
        let all: Vec<(Instant, Duration)> = self.woke_late.iter().chain(&self.slow_writes).copied().collect();
        overlapping(windows, &all)
    }
}

/// How many of `windows` (since, how long) overlap one of the probe's `stalls`.
fn overlapping(windows: &[(Instant, Duration)], stalls: &[(Instant, Duration)]) -> usize {
    windows
        .iter()
        .filter(|(at, len)| {
            stalls
                .iter()
                .any(|(since, late)| *since < *at + *len && *at < *since + *late + Duration::from_millis(1))
        })
        .count()
}

async fn retention() {
    println!("\n== 6. retention: a simulated year of news");
    // The year is 1,000 feeds at 20 items a day (7.3 million items); RETENTION_FEEDS
    // scales it (default 100 feeds, 730,000 items, so the run takes under a few minutes here).
    let feeds: usize = std::env::var("RETENTION_FEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    const PER_DAY: usize = 20;
    const DAYS: i64 = 365;
    const KEEP_DAYS: i64 = 90;
    use claim_digest::services::maintenance::{PRUNE_BATCH_MAX, PRUNE_HOLD};
    println!(
        "{feeds} feeds x {PER_DAY} items a day x {DAYS} days = {} items; retention {KEEP_DAYS} days, batches paced to {} ms (at most {PRUNE_BATCH_MAX} items); one post a day shows 3 items",
        feeds * PER_DAY * DAYS as usize,
        PRUNE_HOLD.as_millis()
    );
    let start = Utc::now() - chrono::Duration::days(DAYS);
    let mut dirs = Vec::new();
    for pruning in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("year.db");
        let store = Store::open(&format!("sqlite://{}", db.display())).await.unwrap();
        let guild = GuildId(1);
        let specs: Vec<claim_digest::feeds::FeedSpec> = (0..feeds)
            .map(|f| claim_digest::feeds::FeedSpec {
                name: format!("Feed {f}"),
                url: format!("https://news{f}.example/feed"),
                language: None,
            })
            .collect();
        store.ensure_guild(guild, Lang::En, &specs[..1], start).await.unwrap();
        let mut ids = Vec::new();
        for spec in &specs {
            ids.push(store.upsert_feed(&spec.url).await.unwrap().id);
        }
        let (mut longest, mut batches, mut pruned) = (Duration::ZERO, 0usize, 0usize);
        let mut holds: Vec<Duration> = Vec::new();
        let mut long_passes: Vec<(Instant, Duration)> = Vec::new();
        let probe = StallProbe::start(dir.path());
        let began = Instant::now();
        for day in 0..DAYS {
            let at = start + chrono::Duration::days(day);
            for (f, id) in ids.iter().enumerate() {
                store
                    .insert_items(*id, &simulated_items(f, day, PER_DAY, at))
                    .await
                    .unwrap();
            }
            // The day's post shows three of feed 0's items: those are kept for good.
            let new = claim_digest::store::NewPost {
                guild,
                local_date: at.date_naive(),
                claim_id: format!("c{day}").into(),
                round: 1,
                question: claim_digest::domain::votes::Question::Stance,
                channel: ChannelId(2),
                nonce: format!("n{day}"),
            };
            let claim_digest::store::Reservation::Reserved(post) = store.reserve_post(&new, at).await.unwrap() else {
                panic!("day {day} reserved twice")
            };
            let shown: Vec<NewsItem> = simulated_items(0, day, 3, at);
            store.record_post_items(post.id, &shown).await.unwrap();
            if pruning {
                let pass = Instant::now();
                let waited_before = disk_wait_ticks();
                let outcome = store
                    .prune_items_paced(at - chrono::Duration::days(KEEP_DAYS), PRUNE_HOLD, PRUNE_BATCH_MAX)
                    .await
                    .unwrap();
                if outcome.longest_hold > Duration::from_millis(50) {
                    long_passes.push((pass, pass.elapsed()));
                    let held: Vec<String> = outcome
                        .holds
                        .iter()
                        .map(|h| format!("{:.1}", h.as_secs_f64() * 1e3))
                        .collect();
                    let waited = match (waited_before, disk_wait_ticks()) {
                        (Some(before), Some(after)) => format!("{} ms", (after - before) * 10),
                        _ => "unknown".to_string(),
                    };
                    println!(
                        "  day {day}: a batch held the lock over 50 ms; the pass's batches held (ms): {}; the machine's cores waited on the disk {waited} during the pass",
                        held.join(" ")
                    );
                }
                longest = longest.max(outcome.longest_hold);
                holds.extend(&outcome.holds);
                batches += outcome.batches;
                pruned += outcome.deleted;
            }
        }
        let simulated = began.elapsed();
        let stalls = probe.stop();
        let items = store.count_all_items().await.unwrap();
        store.close().await;
        let bytes = database_bytes(&db);
        if pruning {
            holds.sort();
            let (over, half) = count_over(&holds);
            println!(
                "with retention:    {items:>9} items, {:>7.1} MiB on disk; {pruned} pruned in {batches} batches (daily passes); lock per batch p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {over} over 50 ms ({half} over 25 ms); simulated in {:.0} s",
                bytes as f64 / 1048576.0,
                percentile(&holds, 0.50).as_secs_f64() * 1e3,
                percentile(&holds, 0.99).as_secs_f64() * 1e3,
                longest.as_secs_f64() * 1e3,
                simulated.as_secs_f64()
            );
            println!(
                "  the reference (a thread that sleeps 1 ms and writes 4 KiB, over and over): {}; passes with a batch over 50 ms: {}, of them during such a stall: {}",
                stalls.describe(),
                long_passes.len(),
                stalls.overlapping(&long_passes)
            );
        } else {
            println!(
                "without retention: {items:>9} items, {:>7.1} MiB on disk; simulated in {:.0} s",
                bytes as f64 / 1048576.0,
                simulated.as_secs_f64()
            );
        }
        dirs.push((dir, db));
    }

    // Retention turned on after a year without it: the first pass deletes nine months of news
    // at once, in batches, while a member votes every few milliseconds. The vote's wait is what
    // a batch's lock costs a person.
    let (_dir, db) = &dirs[0];
    let store = Store::open(&format!("sqlite://{}", db.display())).await.unwrap();
    let post = store
        .post_on(GuildId(1), (start + chrono::Duration::days(DAYS - 1)).date_naive())
        .await
        .unwrap()
        .unwrap()
        .id;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let voter = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            let mut waits = Vec::new();
            let mut member = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                member += 1;
                let began = Instant::now();
                store
                    .cast_vote(
                        post,
                        claim_digest::domain::ids::UserId(member),
                        claim_digest::domain::votes::Choice::Agree,
                        claim_digest::store::VoteSource::Button,
                        Utc::now(),
                    )
                    .await
                    .unwrap();
                waits.push(began.elapsed());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            waits
        })
    };
    let probe = StallProbe::start(db.parent().expect("the database is in a folder"));
    let began = Instant::now();
    let outcome = store
        .prune_items_paced(
            Utc::now() - chrono::Duration::days(KEEP_DAYS),
            PRUNE_HOLD,
            PRUNE_BATCH_MAX,
        )
        .await
        .unwrap();
    let took = began.elapsed();
    let stalls = probe.stop();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut waits = voter.await.unwrap();
    waits.sort();
    if waits.is_empty() {
        waits.push(Duration::ZERO);
    }
    let mut holds = outcome.holds.clone();
    holds.sort();
    let (over, half) = count_over(&holds);
    println!(
        "catching up (retention turned on after a year): {} items pruned in {} batches over {:.1} s; lock per batch p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {over} over 50 ms ({half} over 25 ms); {} votes meanwhile, p99 {:.1} ms, max {:.1} ms",
        outcome.deleted,
        outcome.batches,
        took.as_secs_f64(),
        percentile(&holds, 0.50).as_secs_f64() * 1e3,
        percentile(&holds, 0.99).as_secs_f64() * 1e3,
        outcome.longest_hold.as_secs_f64() * 1e3,
        waits.len(),
        percentile(&waits, 0.99).as_secs_f64() * 1e3,
        waits.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    println!("  the reference meanwhile: {}", stalls.describe());
    store.close().await;
    println!(
        "after catching up, the same file: {:.1} MiB (freed pages are reused by new items; VACUUM returns them to the disk)",
        database_bytes(db) as f64 / 1048576.0
    );
}

/// A server's history for the page benchmark: every claim (50) asked in 20 rounds, 100 of the
/// server's 1,000 voters on each post, 1,000 ledger entries, 300 members on the leaderboard.
/// Returns the site's slug and the claims' ids.
async fn seed_history(database_url: &str, guild: GuildId) -> (String, Vec<String>) {
    use claim_digest::domain::votes::{Choice, Question};
    use claim_digest::store::{NewPost, Reservation, VoteSource};
    let store = Store::open(database_url).await.unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let ids: Vec<String> = claims.claims().iter().map(|c| c.id.to_string()).collect();
    let now = Utc::now();
    store.ensure_guild(guild, Lang::En, &[], now).await.unwrap();
    let update = GuildUpdate {
        channel: ChannelId(55),
        post_time: chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap(),
        timezone: chrono_tz::Tz::UTC,
        language: Lang::En,
        news_count: NewsCount::default(),
        thread: false,
        moderator_role: None,
        ping_role: None,
        post_days: None,
        recap_day: None,
    };
    store.setup_guild(guild, &update).await.unwrap();
    let first_day = now.date_naive() - chrono::Duration::days(1 + 20 * ids.len() as i64);
    let mut day = 0i64;
    for round in 1..=20u32 {
        for (c, claim) in ids.iter().enumerate() {
            let new = NewPost {
                guild,
                local_date: first_day + chrono::Duration::days(day),
                claim_id: claim.as_str().into(),
                round,
                question: Question::Stance,
                channel: ChannelId(55),
                nonce: format!("seed-{day}"),
            };
            day += 1;
            let Reservation::Reserved(post) = store.reserve_post(&new, now).await.unwrap() else {
                panic!("a seeded day is free")
            };
            store
                .mark_post_sent(
                    post.id,
                    claim_digest::domain::ids::MessageId(9_000_000 + day as u64),
                    now,
                )
                .await
                .unwrap();
            // Opinion drifts with the rounds, differently per claim, so shifts and splits vary.
            for v in 0..100u64 {
                let voter = (day as u64 * 37 + v * 10) % 1000;
                let choice = match (v + round as u64 * (c as u64 % 5)) % 7 {
                    0..=2 => Choice::Agree,
                    3..=5 => Choice::Disagree,
                    _ => Choice::Unsure,
                };
                store
                    .cast_vote(
                        post.id,
                        claim_digest::domain::ids::UserId(10_000 + voter),
                        choice,
                        VoteSource::Button,
                        now,
                    )
                    .await
                    .unwrap();
            }
        }
    }
    for i in 0..1000usize {
        let claim = claim_digest::domain::ids::ClaimId::new(ids[i % ids.len()].as_str());
        let story = format!("pages.example/{i}");
        let url = format!("https://{story}");
        let title = format!("Story {i} on <{}> & what it means", ids[i % ids.len()]);
        let new = claim_digest::store::NewEvidence {
            guild,
            claim: &claim,
            story: &story,
            title: &title,
            url: &url,
            source: "pages.example",
            by: claim_digest::domain::ids::UserId(10_000 + (i as u64 % 1000)),
            stance: if i % 3 == 0 {
                claim_digest::domain::evidence::Stance::Contradicts
            } else {
                claim_digest::domain::evidence::Stance::Supports
            },
        };
        store.add_evidence(&new, now).await.unwrap();
    }
    for voter in 0..300u64 {
        store
            .show_on_site(
                guild,
                claim_digest::domain::ids::UserId(10_000 + voter * 3),
                &format!("member {voter}"),
                now,
            )
            .await
            .unwrap();
    }
    let slug = claim_digest::services::web::new_slug().unwrap();
    store.enable_site(guild, &slug, false, now).await.unwrap();
    store.close().await;
    (slug, ids)
}

/// Requests `paths` in turn from `base` at `rate` a second for `count` requests; each one's time
/// to its whole body, sorted, per path kind (the first word after the slug), and the failures.
async fn load_pages(
    base: &str,
    paths: &[(String, &'static str)],
    count: usize,
    rate: u64,
) -> (std::collections::BTreeMap<&'static str, Vec<Duration>>, usize) {
    let client = reqwest::Client::new();
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let due = start + Duration::from_micros(i as u64 * 1_000_000 / rate);
        tokio::time::sleep_until(due.into()).await;
        let (path, kind) = &paths[i % paths.len()];
        let (client, url, kind) = (client.clone(), format!("{base}{path}"), *kind);
        tasks.push(tokio::spawn(async move {
            let asked = Instant::now();
            let ok = match client.get(&url).send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            };
            (kind, ok, asked.elapsed())
        }));
    }
    let mut times: std::collections::BTreeMap<&'static str, Vec<Duration>> = Default::default();
    let mut failed = 0;
    for task in tasks {
        let (kind, ok, took) = task.await.unwrap();
        if ok {
            times.entry(kind).or_default().push(took);
        } else {
            failed += 1;
        }
    }
    for v in times.values_mut() {
        v.sort();
    }
    (times, failed)
}

/// [`load_pages`] from a thread of its own, as much nicer than the rest of the bench as the bot's
/// pages are than the bot (`web::lower_this_threads_priority`): the visitors it
/// stands for are on other machines, and at normal priority its requests would take the cores
/// from the fake Discord and from the bot's votes, which is not what serving pages costs the bot.
async fn load_pages_as_visitors(
    base: &str,
    paths: &[(String, &'static str)],
    count: usize,
    rate: u64,
) -> (std::collections::BTreeMap<&'static str, Vec<Duration>>, usize) {
    let (base, paths) = (base.to_string(), paths.to_vec());
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        claim_digest::web::lower_this_threads_priority();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = done.send(runtime.block_on(load_pages(&base, &paths, count, rate)));
    });
    result.await.expect("the visitors' thread ended early")
}

/// The public tally page under load, served by the real bot: a server with 50 claims in 20 rounds,
/// 1,000 voters and 1,000 ledger entries; pages at 200 a second, and members' votes measured
/// alone and while the pages are loaded, in the same run.
async fn pages() {
    println!("\n== 8. the public tally pages, served by the real bot, and votes meanwhile");
    let feeds = FeedServer::default();
    feeds.put("f.xml", "application/rss+xml", support::rss("F", &[]));
    let addr = feeds.start().await;
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = support::bot::fresh_database(dir.path()).await;
    let guild = GuildId(5);
    let seeded = Instant::now();
    let (slug, claims) = seed_history(&database_url, guild).await;
    println!(
        "  seeded 1,000 posts, 100,000 votes, 1,000 ledger entries in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let web_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let base = format!("http://{web_addr}/");
    let _bot = support::bot::start_bot_with(
        &fake,
        dir,
        &format!("http://{addr}/feeds/f.xml"),
        &database_url,
        &[
            ("WEB_ADDR", &web_addr.to_string()),
            ("PUBLIC_URL", &base),
            ("WEB_RATE_LIMIT", "100000"),
        ],
    )
    .await;
    fake.wait_identified(Duration::from_secs(30)).await;
    let moderator = Member {
        id: 1,
        name: "mod",
        permissions: "32",
    };
    let at = |member: Member| At {
        guild: guild.0,
        channel: 55,
        member,
        locale: "en-US",
    };
    let id = fake.slash(at(moderator), "digest", subcommand("now", json!([])), json!({}));
    let posted = content(&fake.answer(id, Duration::from_secs(30)).await);
    let (message, post) = fake.posted(&posted);

    // The three kinds in turn, so that each gets a third of the load and enough samples for a p99; the claim
    // pages go round all fifty claims.
    let paths: Vec<(String, &str)> = claims
        .iter()
        .flat_map(|c| {
            [
                (format!("s/{slug}"), "server"),
                (format!("s/{slug}/leaderboard"), "leaderboard"),
                (format!("s/{slug}/claims/{c}"), "claim"),
            ]
        })
        .collect();
    // Warm up: the first request of each kind opens connections and fills caches.
    let (_, failed) = load_pages(&base, &paths, paths.len(), 200).await;
    if failed > 0 {
        println!("  skipped: {failed} of the warm-up's page requests failed (is the site on?)");
        return;
    }
    let (fake_ref, message_ref, post_ref) = (&fake, &message, &post);
    let vote = |first: u64| {
        move |i: u64| {
            let member = Member {
                id: first + i,
                name: "voter",
                permissions: "0",
            };
            fake_ref.click(
                at(member),
                message_ref.clone(),
                &format!("vote:{post_ref}:{}", ["agree", "disagree", "unsure"][(i % 3) as usize]),
            )
        }
    };
    const VOTES: u64 = 2000;
    let alone = offer(&fake, VOTES, 200, vote(100_000)).await;
    println!(
        "  votes alone: {VOTES} clicks at 200/s, {} answered",
        alone.latencies.len()
    );
    alone.print_latency("(the reference)");

    const PAGES: usize = 2000;
    let loaded = load_pages_as_visitors(&base, &paths, PAGES, 200);
    let voted = offer(&fake, VOTES, 200, vote(200_000));
    let ((times, failed), voted) = tokio::join!(loaded, voted);
    println!("  {PAGES} pages at 200/s while members voted; {failed} failed");
    for (kind, t) in &times {
        println!(
            "  {kind:12} {:5} served   p50 {:6.2} ms   p99 {:6.2} ms   target p99 < 20 ms",
            t.len(),
            percentile(t, 0.5).as_secs_f64() * 1e3,
            percentile(t, 0.99).as_secs_f64() * 1e3
        );
    }
    println!(
        "  votes meanwhile: {VOTES} clicks at 200/s, {} answered",
        voted.latencies.len()
    );
    voted.print_latency("target: as alone");
    // Alone once more, so that a drift of the shared machine during the run shows beside the comparison.
    let after = offer(&fake, VOTES, 200, vote(300_000)).await;
    println!(
        "  votes alone again: {VOTES} clicks at 200/s, {} answered",
        after.latencies.len()
    );
    after.print_latency("(the reference, after)");
}
