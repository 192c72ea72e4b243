//! The digest as plain text for a terminal: what `preview` prints.

use std::fmt::Write as _;

use crate::domain::claims::Claim;
use crate::domain::digest::Digest;
use crate::domain::lang::Lang;

pub fn digest(d: &Digest, lang: Lang) -> String {
    let mut out = String::new();
    let (date_label, round_label, news_label, none_label, essay_label) = match lang {
        Lang::Zh => ("日期", "轮次", "相关新闻", "（窗口内没有与此论断相关的新闻）", "原文"),
        Lang::En => (
            "Date",
            "Round",
            "Related news",
            "(no news in the window bears on this claim)",
            "Essay",
        ),
    };
    let _ = writeln!(out, "{}", d.essay.title.get(lang));
    let _ = writeln!(out, "{date_label}: {}   {round_label}: {}", d.date, d.round);
    let _ = writeln!(out);
    out.push_str(&claim(&d.claim, lang));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", d.question().prompt(lang));
    for c in d.question().choices() {
        let _ = write!(out, "  [{} {}]", c.emoji(), c.label(lang));
    }
    let _ = writeln!(out);
    let _ = writeln!(out);
    let _ = writeln!(out, "{news_label}:");
    if d.news.is_empty() {
        let _ = writeln!(out, "  {none_label}");
    }
    for (i, n) in d.news.iter().enumerate() {
        let date = n
            .item
            .published
            .map(|p| p.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(out, "  {}. {}", i + 1, n.item.title);
        let _ = writeln!(out, "     {} · {} · score {:.2}", n.item.source, date, n.score);
        if let Some(url) = &n.item.url {
            let _ = writeln!(out, "     {url}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{essay_label}: {}", d.essay.url);
    out
}

/// Why each item was chosen (`preview --explain`): its share of the claim's weight, the
/// claim's terms it matched with what each added, and its dense rank when embeddings are on.
pub fn explain(news: &[crate::domain::ranking::RankedNews], lang: Lang) -> String {
    let mut out = String::new();
    let (title, share_label, terms_label, dense_label, none) = match lang {
        Lang::Zh => ("入选原因", "占论断权重", "匹配的词（权重）", "语义排名", "（无）"),
        Lang::En => ("Why these items", "share of the claim's weight", "matched terms (weight)", "dense rank", "(none)"),
    };
    let _ = writeln!(out, "{title}:");
    for (i, n) in news.iter().enumerate() {
        let terms: Vec<String> = n.why.matched.iter().map(|(t, w)| format!("{t} {w:.3}")).collect();
        let terms = if terms.is_empty() { none.to_string() } else { terms.join(", ") };
        let _ = writeln!(out, "  {}. {share_label} {:.3}; {terms_label}: {terms}", i + 1, n.why.share);
        if let Some(rank) = n.why.dense_rank {
            let similarity = n.why.dense_similarity.unwrap_or_default();
            let _ = writeln!(out, "     {dense_label} {rank} ({similarity:.2})");
        }
    }
    out
}

/// The source name shown for the items of `preview --sample`.
pub fn sample_source_name() -> String {
    "Sample news / 示例新闻".to_string()
}

/// One claim with its section, kind and deadline, both for `preview` and `claims show`.
pub fn claim(c: &Claim, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "[{}] {} · {}", c.id, c.section.get(lang), c.kind.label(lang));
    if let Some(deadline) = c.deadline {
        let label = match lang {
            Lang::Zh => "截止",
            Lang::En => "Deadline",
        };
        let _ = writeln!(out, "{label}: {deadline}");
    }
    let _ = writeln!(out, "{}", c.text.get(lang));
    let _ = writeln!(out, "{}", c.text.get(lang.other()));
    out
}
