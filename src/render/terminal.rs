//! The digest as plain text for a terminal: what `preview` prints.

use std::fmt::Write as _;

use crate::domain::claims::Claim;
use crate::domain::digest::Digest;
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

/// One claim with its section, kind and deadline, both for `preview` and `claims show`.
pub fn claim(c: &Claim, locale: Locale) -> String {
    let lang = locale.lang();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "[{}] {} · {}",
        c.id,
        c.section.get(lang),
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
