//! Measuring the ranking on a labeled set (`claims eval`): every claim is ranked over all the
//! items (dates ignored) and its top three are checked against the labels.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::claims::{Claim, ClaimSet};
use crate::news::NewsItem;
use crate::ranking::{DenseQuery, NewsIndex, RankOptions, RankedNews};
use crate::tokenize::ChineseTerms;

/// Precision is taken over this many items: what a daily post shows by default.
pub const TOP: usize = 3;

/// An item of a labeled set, with the claims it bears on.
#[derive(Debug, Clone)]
pub struct LabeledItem {
    pub item: NewsItem,
    pub relevant_to: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    pub no_keywords: bool,
    pub chinese: ChineseTerms,
}

/// Vectors to fuse meaning into the ranking, as the bot does with EMBEDDINGS_URL: each claim's
/// Chinese and English texts (by claim id) and the items (by identity).
#[derive(Debug, Clone, Default)]
pub struct DenseSet {
    pub claims: HashMap<String, (Vec<f32>, Vec<f32>)>,
    pub items: crate::ranking::ItemVectors,
}

/// What embedding the set cost, measured by whoever asked the model (the report only carries it).
#[derive(Debug, Clone, Serialize)]
pub struct EmbeddingsCost {
    pub model: String,
    /// What was put before each claim text and each item's text (empty: nothing).
    pub query_prefix: String,
    pub document_prefix: String,
    /// Items embedded (title and summary, one text each).
    pub items: usize,
    pub items_ms: f64,
    pub ms_per_item: f64,
    /// Claim texts embedded (two per claim).
    pub claim_texts: usize,
    pub claims_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShownItem {
    pub id: String,
    pub title: String,
    pub relevant: bool,
    pub score: f64,
    /// The item's place by meaning among all items, when embeddings are fused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dense_rank: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimEval {
    pub id: String,
    /// Relevant items among the first three shown, over three (fewer shown count as misses).
    pub precision_at_3: f64,
    /// How many items of the set bear on this claim.
    pub relevant_in_set: usize,
    pub shown: Vec<ShownItem>,
    /// With embeddings: whether meaning took part in this claim's ranking. It does not when the
    /// claim's two texts are no closer to each other than the median item is to them, since then
    /// the model's similarities say nothing about this claim (see `ranking::DENSE_MIN`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dense_used: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub items: usize,
    pub keywords: bool,
    pub chinese: &'static str,
    /// Over the claims that some item bears on.
    pub mean_precision_at_3: f64,
    pub claims: Vec<ClaimEval>,
    /// Labeled claims that were shown nothing.
    pub empty: Vec<String>,
    /// Claims of the file that no item is labeled for, and what they were shown anyway. The set
    /// does not say those are wrong (its labels cover only some claims): they are for reading.
    pub unlabeled_shown: Vec<ClaimEval>,
    /// Present when embeddings were fused: the model and what embedding cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embeddings: Option<EmbeddingsCost>,
}

/// Ranks every claim of `claims` over all `items` and scores the top three against the labels.
pub fn evaluate(claims: &ClaimSet, items: &[LabeledItem], options: EvalOptions) -> EvalReport {
    evaluate_with(claims, items, options, None)
}

/// As [`evaluate`], with meaning fused into each claim's ranking when `dense` is given: the same
/// ranking, with the same [`DenseQuery`], as the bot's daily post. A claim without vectors is
/// ranked by words alone.
pub fn evaluate_with(
    claims: &ClaimSet,
    items: &[LabeledItem],
    options: EvalOptions,
    dense: Option<&DenseSet>,
) -> EvalReport {
    let labels: HashMap<&str, BTreeSet<&str>> = items
        .iter()
        .map(|l| {
            (
                l.item.identity.as_str(),
                l.relevant_to.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let labeled: BTreeSet<&str> = items
        .iter()
        .flat_map(|l| l.relevant_to.iter().map(String::as_str))
        .collect();
    let index = NewsIndex::with_chinese(items.iter().map(|l| l.item.clone()).collect(), options.chinese);
    let query = |claim: &Claim| -> Option<DenseQuery> {
        let set = dense?;
        let (zh, en) = set.claims.get(claim.id.as_str())?;
        Some(DenseQuery {
            claim_zh: zh,
            claim_en: en,
            items: &set.items,
        })
    };
    let rank = |claim: &Claim| -> Vec<RankedNews> {
        index.rank(
            claim,
            &RankOptions {
                limit: TOP,
                no_keywords: options.no_keywords,
                dense: query(claim),
                ..Default::default()
            },
        )
    };
    let mut report = EvalReport {
        items: items.len(),
        keywords: !options.no_keywords,
        chinese: match options.chinese {
            ChineseTerms::Words => "words",
            ChineseTerms::Pairs => "pairs",
        },
        mean_precision_at_3: 0.0,
        claims: Vec::new(),
        empty: Vec::new(),
        unlabeled_shown: Vec::new(),
        embeddings: None,
    };
    for claim in claims.claims() {
        let ranked = rank(claim);
        let shown: Vec<ShownItem> = ranked
            .iter()
            .map(|r| ShownItem {
                id: r.item.identity.clone(),
                title: r.item.title.clone(),
                relevant: labels
                    .get(r.item.identity.as_str())
                    .is_some_and(|l| l.contains(claim.id.as_str())),
                score: r.score,
                dense_rank: r.why.dense_rank,
            })
            .collect();
        let hits = shown.iter().filter(|s| s.relevant).count();
        let eval = ClaimEval {
            id: claim.id.to_string(),
            precision_at_3: hits as f64 / TOP as f64,
            relevant_in_set: items
                .iter()
                .filter(|l| l.relevant_to.iter().any(|c| claim.id == c.as_str()))
                .count(),
            shown,
            dense_used: dense.map(|_| query(claim).is_some_and(|q| index.dense_applies(&q))),
        };
        if labeled.contains(claim.id.as_str()) {
            if eval.shown.is_empty() {
                report.empty.push(claim.id.to_string());
            }
            report.claims.push(eval);
        } else if !eval.shown.is_empty() {
            report.unlabeled_shown.push(eval);
        }
    }
    if !report.claims.is_empty() {
        report.mean_precision_at_3 =
            report.claims.iter().map(|c| c.precision_at_3).sum::<f64>() / report.claims.len() as f64;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    const CLAIMS: &str = r#"
[essay]
title = { zh = "测试", en = "Test" }
author = "A"
url = "https://example.com/essay"
published = "2024-12-25"

[[claims]]
id = "math"
section = { zh = "一", en = "One" }
text = { zh = "数学家会被 AI 超越：机器将证明新的定理。", en = "Mathematicians will be overtaken by AI: machines will prove new theorems." }
kind = "opinion"

[[claims]]
id = "robots"
section = { zh = "一", en = "One" }
text = { zh = "机器人的瓶颈在硬件。", en = "The bottleneck for robots is hardware." }
kind = "opinion"

[[claims]]
id = "volcanoes"
section = { zh = "一", en = "One" }
text = { zh = "火山喷发。", en = "Volcanic eruptions ground flights." }
kind = "opinion"
"#;

    fn labeled(n: u32, title: &str, relevant: &[&str]) -> LabeledItem {
        let at = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
        LabeledItem {
            item: NewsItem {
                identity: format!("i{n}"),
                story_key: Some(format!("example.com/{n}")),
                title: title.into(),
                url: Some(format!("https://example.com/{n}")),
                summary: String::new(),
                source: "eval".into(),
                published: Some(at),
                seen_at: at,
            },
            relevant_to: relevant.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn precision_per_claim_mean_and_empty_claims() {
        let claims = ClaimSet::parse(CLAIMS).unwrap();
        let items = vec![
            labeled(1, "Machines prove new theorems, mathematicians say", &["math"]),
            labeled(2, "Mathematicians overtaken: AI proves a theorem", &["math"]),
            labeled(3, "Theorem prover beats mathematicians at the olympiad", &["math"]),
            labeled(4, "Robots wait for better hardware", &["robots"]),
            labeled(5, "Markets rally", &[]),
            labeled(6, "Robot hardware bottleneck eases", &[]),
        ];
        let report = evaluate(&claims, &items, EvalOptions::default());
        let math = report.claims.iter().find(|c| c.id == "math").unwrap();
        assert_eq!(math.precision_at_3, 1.0);
        assert_eq!(math.relevant_in_set, 3);
        let robots = report.claims.iter().find(|c| c.id == "robots").unwrap();
        // Two shown, one of them unlabeled: one hit of three.
        assert!((robots.precision_at_3 - 1.0 / 3.0).abs() < 1e-9, "{robots:?}");
        assert!((report.mean_precision_at_3 - (1.0 + 1.0 / 3.0) / 2.0).abs() < 1e-9);
        assert!(report.empty.is_empty());
        // No item is labeled for volcanoes and none bears on it: not in the mean, shown nothing.
        assert!(report.claims.iter().all(|c| c.id != "volcanoes"));
        assert!(report.unlabeled_shown.is_empty());
        // Without keywords (these claims have none) the figures are the same.
        let bare = evaluate(
            &claims,
            &items,
            EvalOptions {
                no_keywords: true,
                ..Default::default()
            },
        );
        assert_eq!(bare.mean_precision_at_3, report.mean_precision_at_3);
    }
}
