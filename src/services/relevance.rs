//! Reading a labeled set for `claims eval`: items in the format of
//! `testdata/relevance/items.jsonl`, each listing the claims it bears on. The measuring itself is
//! `domain::eval`.

use std::path::Path;

use anyhow::Context as _;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;

pub use crate::domain::eval::{evaluate, ClaimEval, EvalOptions, EvalReport, LabeledItem, ShownItem, TOP};
use crate::domain::news::{story_key, NewsItem};

/// One line of `items.jsonl`; fields other than these are ignored.
#[derive(Deserialize)]
struct RawItem {
    id: String,
    title: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    relevant_to: Vec<String>,
}

/// Reads `DIR/items.jsonl`. A bad line is an error naming the line: a set measured with lines
/// silently skipped would report a figure for another set.
pub fn load_labeled(dir: &Path) -> anyhow::Result<Vec<LabeledItem>> {
    let path = dir.join("items.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawItem = serde_json::from_str(line)
            .with_context(|| format!("{}: line {}: not a labeled item", path.display(), n + 1))?;
        let published = match raw.published.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(
                NaiveDate::parse_from_str(&p[..p.len().min(10)], "%Y-%m-%d")
                    .map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
                    .with_context(|| format!("{}: line {}: `published` is not a date", path.display(), n + 1))?,
            ),
        };
        let story = raw.url.as_deref().and_then(story_key);
        items.push(LabeledItem {
            item: NewsItem {
                identity: raw.id,
                story_key: story,
                title: crate::domain::text::plain_text(&raw.title),
                url: raw.url,
                summary: crate::domain::text::plain_text(&raw.summary),
                source: "eval".into(),
                published,
                seen_at: published.unwrap_or_else(Utc::now),
            },
            relevant_to: raw.relevant_to,
        });
    }
    if items.is_empty() {
        anyhow::bail!("{}: no items", path.display());
    }
    Ok(items)
}
