//! The ranking measured on a labeled set without building the bot:
//! `cargo run -p claim-digest-domain --example eval -- DIR [CLAIMS_FILE] [-v]`.
//! Prints mean precision@3 with and without keywords, for jieba words and character pairs.

use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use claim_digest_domain::claims::ClaimSet;
use claim_digest_domain::eval::{evaluate, EvalOptions, LabeledItem};
use claim_digest_domain::news::{story_key, NewsItem};
use claim_digest_domain::tokenize::ChineseTerms;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let args: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let dir = Path::new(args.first().expect("DIR"));
    let claims_file = args.get(1).map_or("data/claims.toml", |s| s.as_str());
    let set = ClaimSet::load(Path::new(claims_file)).expect("claims");
    let text = std::fs::read_to_string(dir.join("items.jsonl")).expect("items.jsonl");
    let items: Vec<LabeledItem> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let published = NaiveDate::parse_from_str(&s("published"), "%Y-%m-%d")
                .ok()
                .map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)));
            let url = s("url");
            LabeledItem {
                item: NewsItem {
                    identity: s("id"),
                    story_key: story_key(&url),
                    title: s("title"),
                    url: Some(url),
                    summary: s("summary"),
                    source: "eval".into(),
                    published,
                    seen_at: published.unwrap_or_else(Utc::now),
                },
                relevant_to: v["relevant_to"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    for chinese in [ChineseTerms::Words, ChineseTerms::Pairs] {
        for no_keywords in [false, true] {
            let r = evaluate(&set, &items, EvalOptions { no_keywords, chinese });
            println!(
                "{:?} keywords={} mean P@3 {:.3} empty {:?}",
                chinese, !no_keywords, r.mean_precision_at_3, r.empty
            );
            if verbose {
                for c in &r.claims {
                    println!("  {:.2} {}", c.precision_at_3, c.id);
                    for s in &c.shown {
                        println!(
                            "      {} {:.3} {}",
                            if s.relevant { "+" } else { "-" },
                            s.score,
                            s.title
                        );
                    }
                }
            }
        }
    }
}
