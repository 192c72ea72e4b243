//! The digest as plain text for a terminal: what `preview` prints.

use std::fmt::Write as _;

use crate::domain::claims::Claim;
use crate::domain::digest::Digest;
use crate::domain::records::FeedFailure;
use crate::message::reasons;
use crate::render::i18n::{t, Locale};
use crate::render::words;

pub fn digest(d: &Digest, locale: Locale) -> String {
    let lang = locale.lang();
    let mut out = String::new();
    let _ = writeln!(out, "{}", d.essay.title.get(lang));
    let _ = writeln!(
        out,
        "{}",
        t!(
            locale,
            "terminal-date-round",
            date = d.date.to_string(),
            round = d.round
        )
    );
    let _ = writeln!(out);
    out.push_str(&claim(&d.claim, locale));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", words::prompt(locale, d.question()));
    for c in d.question().choices() {
        let _ = write!(out, "  [{} {}]", c.emoji(), words::choice_label(locale, c));
    }
    let _ = writeln!(out);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", t!(locale, "terminal-related-news"));
    if d.news.is_empty() {
        let _ = writeln!(out, "  {}", t!(locale, "terminal-no-news"));
    }
    for (i, n) in d.news.iter().enumerate() {
        let date = n
            .item
            .published
            .map(|p| p.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(out, "  {}. {}", i + 1, n.item.title);
        let meta = t!(
            locale,
            "terminal-news-meta",
            source = n.item.source.as_str(),
            date = date,
            score = format!("{:.2}", n.score)
        );
        let _ = writeln!(out, "     {meta}");
        if let Some(url) = &n.item.url {
            let _ = writeln!(out, "     {url}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", t!(locale, "terminal-essay", url = d.essay.url.as_str()));
    out
}

/// Why each item was chosen (`preview --explain`): its share of the claim's weight, the
/// claim's terms it matched with what each added, and its dense rank when embeddings are on.
pub fn explain(news: &[crate::domain::ranking::RankedNews], locale: Locale) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", t!(locale, "terminal-explain-title"));
    for (i, n) in news.iter().enumerate() {
        let terms: Vec<String> = n.why.matched.iter().map(|(t, w)| format!("{t} {w:.3}")).collect();
        let terms = if terms.is_empty() {
            t!(locale, "terminal-explain-none")
        } else {
            terms.join(", ")
        };
        let line = t!(
            locale,
            "terminal-explain-line",
            rank = i + 1,
            share = format!("{:.3}", n.why.share),
            terms = terms
        );
        let _ = writeln!(out, "  {line}");
        if let Some(rank) = n.why.dense_rank {
            let similarity = format!("{:.2}", n.why.dense_similarity.unwrap_or_default());
            let dense = t!(locale, "terminal-explain-dense", rank = rank, similarity = similarity);
            let _ = writeln!(out, "     {dense}");
        }
    }
    out
}

/// `preview`'s one line for a feed it could not read.
pub fn feed_unreachable(url: &str, why: &FeedFailure, locale: Locale) -> String {
    t!(
        locale,
        "terminal-feed-unreachable",
        url = url,
        why = locale.text(&reasons::feed_failure(why))
    )
}

/// The source name shown for the items of `preview --sample`, in both languages: the sample is
/// the same whichever language the preview is in.
pub fn sample_source_name() -> String {
    format!(
        "{} / {}",
        t!(Locale::of(crate::domain::lang::Lang::En), "terminal-sample-source"),
        t!(Locale::of(crate::domain::lang::Lang::Zh), "terminal-sample-source")
    )
}

/// One claim with its section, kind and deadline, both for `preview` and `claims show`.
pub fn claim(c: &Claim, locale: Locale) -> String {
    let lang = locale.lang();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "[{}] {} · {}",
        c.id,
        words::section(locale, &c.section),
        words::kind(locale, c.kind)
    );
    if let Some(deadline) = c.deadline {
        let _ = writeln!(
            out,
            "{}",
            t!(locale, "terminal-deadline", deadline = deadline.to_string())
        );
    }
    let _ = writeln!(out, "{}", c.text.get(lang));
    let _ = writeln!(out, "{}", c.text.get(lang.other()));
    out
}

/// `claims check` on a valid file: the count, then each section with its number of claims.
pub fn claims_valid(path: &std::path::Path, set: &crate::domain::claims::ClaimSet, locale: Locale) -> String {
    let parts = crate::domain::claims::sections(set, locale.lang());
    let mut out = t!(
        locale,
        "terminal-claims-valid",
        path = path.display().to_string(),
        count = set.claims().len(),
        sections = parts.len()
    );
    out.push('\n');
    for (section, n) in parts {
        let _ = writeln!(out, "  {n:>3}  {section}");
    }
    out
}

/// `claims check` on a file with problems: how many, then each as the validator wrote it.
pub fn claims_invalid(path: &std::path::Path, problems: &[impl std::fmt::Display], locale: Locale) -> String {
    let mut out = t!(
        locale,
        "terminal-claims-invalid",
        path = path.display().to_string(),
        count = problems.len()
    );
    out.push('\n');
    for problem in problems {
        let _ = writeln!(out, "  {problem}");
    }
    out
}

/// `claims show` of an id that is not in the file, with the ids that contain it.
pub fn no_such_claim(id: &str, near: &[&str], locale: Locale) -> String {
    if near.is_empty() {
        t!(locale, "terminal-no-such-claim", id = id)
    } else {
        t!(locale, "terminal-no-such-claim-near", id = id, near = near.join(", "))
    }
}
