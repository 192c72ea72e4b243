//! Reading a labeled set for `claims eval`: items in the format of
//! `testdata/relevance/items.jsonl`, each listing the claims it bears on. The measuring itself is
//! `domain::eval`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use crate::config::EmbeddingsConfig;
use crate::domain::claims::ClaimSet;
pub use crate::domain::eval::{
    evaluate, evaluate_with, ClaimEval, DenseSet, EmbeddingsCost, EvalOptions, EvalReport, LabeledItem, ShownItem, TOP,
};
use crate::domain::news::{story_key, NewsItem};
use crate::services::embeddings::Embeddings;

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
/// silently skipped would report a figure for another set. For the same reason an item id given
/// twice, and labels naming claims that `claims` does not hold (a typo, or a set made for another
/// claims file), are errors rather than an overwritten item or a label that counts for nothing.
pub fn load_labeled(dir: &Path, claims: &ClaimSet) -> anyhow::Result<Vec<LabeledItem>> {
    let path = dir.join("items.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_labeled(&text, &path, claims)
}

fn parse_labeled(text: &str, path: &Path, claims: &ClaimSet) -> anyhow::Result<Vec<LabeledItem>> {
    let mut items = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawItem =
            serde_json::from_str(line).with_context(|| format!("{}: line {n}: not a labeled item", path.display()))?;
        if let Some(first) = first_line.insert(raw.id.clone(), n) {
            anyhow::bail!(
                "{}: line {n}: item id `{}` already given on line {first}",
                path.display(),
                raw.id
            );
        }
        for label in raw.relevant_to.iter().filter(|c| claims.get(c).is_none()) {
            unknown.push(format!("line {n}: `{label}`"));
        }
        let published = match raw.published.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(
                // The date's ten characters, not bytes: a slice by bytes panics inside a wide one.
                NaiveDate::parse_from_str(p.char_indices().nth(10).map_or(p, |(end, _)| &p[..end]), "%Y-%m-%d")
                    .map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
                    .with_context(|| format!("{}: line {n}: `published` is not a date", path.display()))?,
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
    if !unknown.is_empty() {
        anyhow::bail!(
            "{}: labels name claims not in the claims file: {}",
            path.display(),
            unknown.join(", ")
        );
    }
    if items.is_empty() {
        anyhow::bail!("{}: no items", path.display());
    }
    Ok(items)
}

/// [`evaluate`] with meaning fused in, as the daily post ranks with EMBEDDINGS_URL: every item and
/// every claim's two texts are embedded by the configured server first (timed: the cost), then
/// ranked. Unlike the bot, a failing server is an error here, not a fall-back to words: a
/// measurement that silently lost its embeddings would report lexical figures as fused ones.
pub async fn evaluate_fused(
    claims: &ClaimSet,
    items: &[LabeledItem],
    options: EvalOptions,
    config: EmbeddingsConfig,
) -> anyhow::Result<EvalReport> {
    let embeddings = Embeddings::new(config)?;
    let news: Vec<NewsItem> = items.iter().map(|l| l.item.clone()).collect();
    let started = std::time::Instant::now();
    let mut dense = DenseSet::default();
    for claim in claims.claims() {
        let pair = embeddings
            .claim_vectors(claim)
            .await
            .with_context(|| format!("embedding claim {}", claim.id))?;
        dense.claims.insert(claim.id.to_string(), pair);
    }
    let claims_ms = started.elapsed().as_secs_f64() * 1000.0;
    let dims = dense.claims.values().next().map_or(0, |(zh, _)| zh.len());
    let started = std::time::Instant::now();
    let window = embeddings
        .item_vectors(&news, dims)
        .await
        .context("embedding the set's items")?;
    let items_ms = started.elapsed().as_secs_f64() * 1000.0;
    let embedded = window.embedded;
    dense.items = window.vectors;
    let mut report = evaluate_with(claims, items, options, Some(&dense));
    let (query_prefix, document_prefix) = embeddings.prefixes();
    report.embeddings = Some(EmbeddingsCost {
        model: embeddings.model().to_string(),
        query_prefix: query_prefix.to_string(),
        document_prefix: document_prefix.to_string(),
        items: embedded,
        items_ms,
        ms_per_item: if embedded == 0 { 0.0 } else { items_ms / embedded as f64 },
        claim_texts: 2 * dense.claims.len(),
        claims_ms,
    });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIMS: &str = r#"
[essay]
title = { zh = "测试", en = "Test" }
author = "A"
url = "https://example.com/essay"
published = "2024-12-25"

[[claims]]
id = "math"
section = { zh = "一", en = "One" }
text = { zh = "机器将证明新的定理。", en = "Machines will prove new theorems." }
kind = "opinion"
"#;

    fn parse(text: &str) -> anyhow::Result<Vec<LabeledItem>> {
        parse_labeled(text, Path::new("set/items.jsonl"), &ClaimSet::parse(CLAIMS).unwrap())
    }

    #[test]
    fn a_date_written_in_chinese_is_an_error_not_a_panic() {
        let err = parse(r#"{"id":"a","title":"t","published":"2024年12月01日"}"#).unwrap_err();
        assert!(
            format!("{err:#}").contains("line 1: `published` is not a date"),
            "{err:#}"
        );
        // A wide character right after the date's ten is cut off as before.
        let items = parse(r#"{"id":"a","title":"t","published":"2024-12-01年"}"#).unwrap();
        assert_eq!(
            items[0].item.published,
            Some(Utc.with_ymd_and_hms(2024, 12, 1, 0, 0, 0).unwrap())
        );
    }

    #[test]
    fn an_item_id_given_twice_names_both_lines() {
        let text = "{\"id\":\"a\",\"title\":\"t\"}\n\n{\"id\":\"a\",\"title\":\"u\"}";
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("line 3: item id `a` already given on line 1"), "{err}");
    }

    #[test]
    fn labels_naming_unknown_claims_are_listed() {
        let text = [
            r#"{"id":"a","title":"t","relevant_to":["math","maths"]}"#,
            r#"{"id":"b","title":"t","relevant_to":["robots"]}"#,
        ]
        .join("\n");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("line 1: `maths`, line 2: `robots`"), "{err}");
        assert!(!err.contains("`math`"), "{err}");
        assert_eq!(
            parse(r#"{"id":"a","title":"t","relevant_to":["math"]}"#).unwrap().len(),
            1
        );
    }
}
