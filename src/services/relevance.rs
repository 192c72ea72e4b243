//! Reading a labeled set for `claims eval`: items in the format of
//! `testdata/relevance/items.jsonl`, each listing the claims it bears on. The measuring itself is
//! `domain::eval`.

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
