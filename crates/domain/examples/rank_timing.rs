//! The ranking's cost without building the bot: every claim of `data/claims.toml` ranked over
//! 50,000 generated items, a third of them Chinese, with stored-news statistics.
//! `cargo run --release -p claim-digest-domain --example rank_timing`

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use claim_digest_domain::claims::ClaimSet;
use claim_digest_domain::news::NewsItem;
use claim_digest_domain::ranking::{NewsIndex, RankOptions, TermStats};
use claim_digest_domain::tokenize::{ChineseTerms, Tokenizer};

const EN: &[&str] = &[
    "agent",
    "browser",
    "theorem",
    "Nvidia",
    "inference",
    "chip",
    "robot",
    "hardware",
    "data",
    "center",
    "model",
    "open",
    "weights",
    "hiring",
    "engineers",
    "tutor",
    "students",
    "regulation",
    "government",
    "misuse",
    "attack",
    "reward",
    "writing",
    "markets",
    "weather",
    "phone",
    "launch",
    "startup",
    "funding",
    "cloud",
    "gigawatt",
    "olympiad",
    "proof",
    "frontend",
    "design",
    "coding",
    "Copilot",
    "safety",
    "policy",
    "research",
];
const ZH: &[&str] = &[
    "智能体",
    "浏览器",
    "定理",
    "英伟达",
    "推理",
    "芯片",
    "机器人",
    "硬件",
    "数据中心",
    "模型",
    "开源",
    "招聘",
    "工程师",
    "导师",
    "学生",
    "监管",
    "政府",
    "滥用",
    "攻击",
    "奖励",
    "写作",
    "市场",
    "天气",
    "手机",
    "发布",
    "融资",
    "算力",
    "奥数",
    "证明",
    "前端",
    "设计",
    "编程",
    "安全",
    "研究",
];

fn main() {
    let claims = ClaimSet::load(Path::new("data/claims.toml")).expect("run from the repository root");
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    let items: Vec<NewsItem> = (0..50_000u64)
        .map(|n| {
            let pick = |words: &[&'static str], k: u64| {
                words[((n * 7919 + k * 104_729) / (k + 1) % words.len() as u64) as usize]
            };
            let (title, summary) = if n % 3 == 0 {
                (
                    format!("{}{}：{}的新进展 {n}", pick(ZH, 1), pick(ZH, 2), pick(ZH, 3)),
                    format!("报道称，{}与{}正在改变{}。", pick(ZH, 4), pick(ZH, 5), pick(ZH, 6)),
                )
            } else {
                (
                    format!("{} {} and the {} story {n}", pick(EN, 1), pick(EN, 2), pick(EN, 3)),
                    format!(
                        "A report on {} and {}, with {} in view.",
                        pick(EN, 4),
                        pick(EN, 5),
                        pick(EN, 6)
                    ),
                )
            };
            NewsItem {
                identity: format!("id-{n}"),
                story_key: Some(format!("gen.example/{n}")),
                title,
                url: Some(format!("https://gen.example/{n}")),
                summary,
                source: "Generated".into(),
                published: Some(at),
                seen_at: at,
            }
        })
        .collect();
    let start = Instant::now();
    let mut stats = TermStats::default();
    let mut tokenizer = Tokenizer::new(ChineseTerms::default());
    for item in &items {
        stats.add_with(&mut tokenizer, &item.title, &item.summary);
    }
    let counting = start.elapsed();
    let (mut builds, mut ranks): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
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
        "term statistics over 50,000 items   {:8.1} ms ({:.0} items/s)",
        ms(counting),
        50_000.0 / counting.as_secs_f64()
    );
    println!("index build (median of 5)           {:8.1} ms", ms(builds[2]));
    println!(
        "rank all {} claims (median of 5)    {:8.1} ms   target < 100 ms",
        claims.claims().len(),
        ms(ranks[2])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
