//! `claims eval` for a person: precision per claim, the mean, what was shown.

use std::fmt::Write as _;

use crate::domain::lang::Lang;
use crate::services::relevance::{ClaimEval, EvalReport};

pub fn report(r: &EvalReport, lang: Lang) -> String {
    let mut out = String::new();
    let zh = lang == Lang::Zh;
    let keywords = match (zh, r.keywords) {
        (true, true) => "含关键词",
        (true, false) => "不含关键词",
        (false, true) => "with keywords",
        (false, false) => "without keywords",
    };
    let chinese = match (zh, r.chinese) {
        (true, "pairs") => "中文按字对切分",
        (true, _) => "中文按词切分",
        (false, "pairs") => "Chinese as character pairs",
        (false, _) => "Chinese as words",
    };
    if zh {
        let _ = writeln!(out, "{} 条新闻，{keywords}，{chinese}", r.items);
    } else {
        let _ = writeln!(out, "{} items, {keywords}, {chinese}", r.items);
    }
    for c in &r.claims {
        claim_lines(&mut out, c, zh);
    }
    let _ = writeln!(out);
    if zh {
        let _ = writeln!(
            out,
            "平均前三准确率（precision@3）：{:.2}（{} 条论断）",
            r.mean_precision_at_3,
            r.claims.len()
        );
        let _ = writeln!(out, "没有任何新闻的论断：{}", list_or_none(&r.empty, "无"));
    } else {
        let _ = writeln!(
            out,
            "mean precision@3: {:.2} over {} claims",
            r.mean_precision_at_3,
            r.claims.len()
        );
        let _ = writeln!(out, "claims shown nothing: {}", list_or_none(&r.empty, "none"));
    }
    if !r.unlabeled_shown.is_empty() {
        let _ = writeln!(out);
        if zh {
            let _ = writeln!(out, "数据集中没有相关新闻、却仍被配上新闻的论断（仅供查看，不计入平均）：");
        } else {
            let _ = writeln!(
                out,
                "claims no item is labeled for, and what they were shown (for reading; not in the mean):"
            );
        }
        for c in &r.unlabeled_shown {
            let _ = writeln!(out, "  {}", c.id);
            for s in &c.shown {
                let _ = writeln!(out, "      · {}", s.title);
            }
        }
    }
    out
}

fn claim_lines(out: &mut String, c: &ClaimEval, zh: bool) {
    if zh {
        let _ = writeln!(
            out,
            "  {:<36} {:.2}  （数据集中相关 {} 条）",
            c.id, c.precision_at_3, c.relevant_in_set
        );
    } else {
        let _ = writeln!(
            out,
            "  {:<36} {:.2}  ({} relevant in the set)",
            c.id, c.precision_at_3, c.relevant_in_set
        );
    }
    for s in &c.shown {
        let mark = if s.relevant { "✓" } else { "✗" };
        let _ = writeln!(out, "      {mark} {}", crate::domain::text::truncate_chars(&s.title, 90));
    }
}

fn list_or_none(ids: &[String], none: &str) -> String {
    if ids.is_empty() {
        none.to_string()
    } else {
        ids.join(", ")
    }
}
