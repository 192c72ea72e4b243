//! `claims eval` for a person: precision per claim, the mean, what was shown.

use std::fmt::Write as _;

use crate::render::i18n::{t, Locale};
use crate::services::relevance::{ClaimEval, EvalReport};

pub fn report(r: &EvalReport, locale: Locale) -> String {
    let mut out = String::new();
    let keywords = if r.keywords { "yes" } else { "no" };
    let chinese = if r.chinese == "pairs" { "pairs" } else { "words" };
    let _ = writeln!(
        out,
        "{}",
        t!(
            locale,
            "eval-header",
            items = r.items,
            keywords = keywords,
            chinese = chinese
        )
    );
    if let Some(e) = &r.embeddings {
        let used = r.claims.iter().filter(|c| c.dense_used == Some(true)).count();
        let _ = writeln!(
            out,
            "{}",
            t!(
                locale,
                "eval-embeddings",
                model = e.model.as_str(),
                used = used,
                claims = r.claims.len()
            )
        );
        if !e.query_prefix.is_empty() || !e.document_prefix.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                t!(
                    locale,
                    "eval-embeddings-prefixes",
                    query = format!("{:?}", e.query_prefix),
                    document = format!("{:?}", e.document_prefix)
                )
            );
        }
    }
    for c in &r.claims {
        claim_lines(&mut out, c, locale);
    }
    let _ = writeln!(out);
    let mean = format!("{:.2}", r.mean_precision_at_3);
    let _ = writeln!(out, "{}", t!(locale, "eval-mean", mean = mean, claims = r.claims.len()));
    let empty = if r.empty.is_empty() {
        t!(locale, "eval-none")
    } else {
        r.empty.join(", ")
    };
    let _ = writeln!(out, "{}", t!(locale, "eval-empty", ids = empty));
    if let Some(e) = &r.embeddings {
        let line = t!(
            locale,
            "eval-embeddings-cost",
            items = e.items,
            items_ms = format!("{:.0}", e.items_ms),
            per_item = format!("{:.2}", e.ms_per_item),
            texts = e.claim_texts,
            claims_ms = format!("{:.0}", e.claims_ms)
        );
        let _ = writeln!(out, "{line}");
    }
    if !r.unlabeled_shown.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", t!(locale, "eval-unlabeled"));
        for c in &r.unlabeled_shown {
            let _ = writeln!(out, "  {}", c.id);
            for s in &c.shown {
                let _ = writeln!(out, "      · {}", s.title);
            }
        }
    }
    out
}

fn claim_lines(out: &mut String, c: &ClaimEval, locale: Locale) {
    let line = t!(
        locale,
        "eval-claim",
        id = format!("{:<36}", c.id),
        precision = format!("{:.2}", c.precision_at_3),
        relevant = c.relevant_in_set
    );
    let _ = writeln!(out, "  {line}");
    for s in &c.shown {
        let mark = if s.relevant { "✓" } else { "✗" };
        let dense = match s.dense_rank {
            Some(rank) => format!("  {}", t!(locale, "eval-dense-rank", rank = rank)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "      {mark} {}{dense}",
            crate::domain::text::truncate_chars(&s.title, 90)
        );
    }
}
