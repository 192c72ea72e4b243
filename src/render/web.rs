//! The public tally pages as HTML (maud: checked when compiled, every spliced value escaped),
//! their stylesheet, and the SVG drawings in them. No script anywhere; colours and layout live in
//! the served stylesheet, so the pages need no inline style under the site's CSP. Every word
//! comes from the Fluent files (`locales/*/web.ftl`).

use maud::{html, Markup, DOCTYPE};

use crate::domain::claims::{Claim, Essay, Outcome};
use crate::domain::lang::Lang;
use crate::domain::site::{ClaimLine, ClaimPage, DueLine, LeaderboardPage, Scorecard, ServerPage};
use crate::domain::stats::Highlights;
use crate::domain::votes::{Choice, Question, Tally};
use crate::render::i18n::{t, Locale};
use crate::render::words;

/// The site's stylesheet, served at `/site.css`: light and dark from `prefers-color-scheme`,
/// one column on a phone.
pub const STYLESHEET: &str = include_str!("web.css");

/// Where a page sits under the site's base, so that its links are relative and work behind a
/// reverse proxy that serves the site under a path of its own.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub slug: &'a str,
    /// From this page to the site's base: `../` for `s/{slug}`, `../../../` for a claim.
    pub root: &'static str,
}

impl Place<'_> {
    fn server(&self) -> String {
        format!("{}s/{}", self.root, self.slug)
    }

    fn claim(&self, id: &str) -> String {
        format!("{}s/{}/claims/{id}", self.root, self.slug)
    }

    fn leaderboard(&self) -> String {
        format!("{}s/{}/leaderboard", self.root, self.slug)
    }

    fn stylesheet(&self) -> String {
        format!("{}site.css", self.root)
    }
}

/// The language tag of a page in `lang`.
fn html_lang(lang: Lang) -> &'static str {
    lang.pick("zh-CN", "en")
}

fn choice_class(choice: Choice) -> &'static str {
    match choice {
        Choice::Agree | Choice::Yes => "c-yes",
        Choice::Disagree | Choice::No => "c-no",
        Choice::Unsure | Choice::Early => "c-unsure",
    }
}

/// The frame every page shares: head (robots, viewport, stylesheet), the language switch.
fn layout(lang: Lang, indexable: bool, place: Place<'_>, title: &str, essay: &Essay, body: Markup) -> String {
    let locale = Locale::of(lang);
    let other = lang.other();
    let page = html! {
        (DOCTYPE)
        html lang=(html_lang(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                @if !indexable {
                    meta name="robots" content="noindex, nofollow";
                }
                title { (title) }
                link rel="stylesheet" href=(place.stylesheet());
            }
            body {
                header {
                    nav {
                        a href=(place.server()) { (essay.title.get(lang)) }
                        " "
                        a href={ "?lang=" (other.code()) } lang=(html_lang(other)) hreflang=(html_lang(other)) {
                            (t!(Locale::of(other), "web-language-name"))
                        }
                    }
                }
                main { (body) }
                footer {
                    p {
                        (t!(locale, "web-essay-by", author = essay.author.as_str()))
                        " "
                        a href=(essay.url) rel="noreferrer noopener" { (t!(locale, "web-read-essay")) }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// A split as a bar (SVG, coloured by the stylesheet) with its shares in words beside it.
fn split_bar(tally: &Tally, question: Question, locale: Locale) -> Markup {
    let choices = question.choices();
    let shares = tally.percentages(&choices);
    let mut segments = Vec::new();
    let mut x = 0u32;
    for (choice, share) in choices.iter().zip(shares) {
        if share > 0 {
            segments.push((*choice, x, share));
        }
        x += share;
    }
    html! {
        div.split {
            svg.bar viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
                @if tally.voters() == 0 {
                    rect.c-empty x="0" y="0" width="100" height="8" {}
                }
                @for (choice, at, width) in &segments {
                    rect class=(choice_class(*choice)) x=(at) y="0" width=(width) height="8" {}
                }
            }
            span.split-text { (words::tally_summary(tally, question, locale)) }
        }
    }
}

fn claim_link(place: Place<'_>, claim: &Claim, lang: Lang) -> Markup {
    html! { a href=(place.claim(claim.id.as_str())) { (claim.text.get(lang)) } }
}

fn highlight_item(
    label: String,
    claim: Option<&ClaimLine>,
    place: Place<'_>,
    lang: Lang,
    extra: Option<String>,
) -> Markup {
    html! {
        @if let Some(line) = claim {
            li {
                strong { (label) } " "
                (claim_link(place, &line.claim, lang))
                @if let Some(extra) = extra { " (" (extra) ")" }
            }
        }
    }
}

fn highlights(page: &ServerPage, place: Place<'_>, locale: Locale) -> Markup {
    let lang = page.lang;
    let find = |id: &Option<crate::domain::ids::ClaimId>| {
        id.as_ref()
            .and_then(|id| page.claims.iter().find(|c| c.claim.id == *id))
    };
    let Highlights {
        most_agreed,
        most_disputed,
        ..
    } = &page.highlights;
    let shift = page
        .biggest_shift
        .as_ref()
        .and_then(|(id, points)| find(&Some(id.clone())).map(|c| (c, *points)));
    html! {
        ul.highlights {
            (highlight_item(t!(locale, "web-most-agreed"), find(most_agreed), place, lang, None))
            (highlight_item(t!(locale, "web-most-disputed"), find(most_disputed), place, lang, None))
            @if let Some((line, points)) = shift {
                (highlight_item(t!(locale, "web-biggest-shift"), Some(line), place, lang,
                    Some(t!(locale, "web-points", points = format!("{points:+.0}")))))
            }
        }
    }
}

fn scorecard(card: &Scorecard, locale: Locale) -> Markup {
    let rows = [
        (t!(locale, "web-score-predictions"), card.predictions.to_string()),
        (t!(locale, "web-score-due"), card.due.to_string()),
        (t!(locale, "web-score-came-true"), card.came_true.to_string()),
        (t!(locale, "web-score-did-not"), card.did_not.to_string()),
        (t!(locale, "web-score-unclear"), card.unclear.to_string()),
        (t!(locale, "web-score-awaiting"), card.awaiting.to_string()),
        (
            t!(locale, "web-score-members-right"),
            t!(
                locale,
                "web-of",
                part = card.members_right.0,
                whole = card.members_right.1
            ),
        ),
    ];
    html! {
        table.scorecard {
            caption { (t!(locale, "web-scorecard")) }
            tbody {
                @for (label, value) in &rows {
                    tr { th scope="row" { (label) } td.num { (value) } }
                }
            }
        }
    }
}

fn due_table(due: &[DueLine], place: Place<'_>, lang: Lang, locale: Locale) -> Markup {
    html! {
        @if due.is_empty() {
            p { (t!(locale, "web-none-due")) }
        } @else {
            div.scroll {
                table.due {
                    thead {
                        tr {
                            th scope="col" { (t!(locale, "web-col-claim")) }
                            th scope="col" { (t!(locale, "web-col-deadline")) }
                            th scope="col" { (t!(locale, "web-col-verdict")) }
                            th scope="col" { (t!(locale, "web-col-resolution")) }
                        }
                    }
                    tbody {
                        @for line in due {
                            tr {
                                td { (claim_link(place, &line.claim, lang)) }
                                td { @if let Some(d) = line.claim.deadline { time datetime=(d) { (d) } } }
                                td { (split_bar(&line.verdict, Question::Verdict, locale)) }
                                td {
                                    @match &line.resolution {
                                        Some(r) => {
                                            strong { (words::outcome(locale, r.outcome)) }
                                            @if !r.note.is_empty() { p.note { (r.note) } }
                                        }
                                        None => { (t!(locale, "web-unresolved")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The server page.
pub fn server_page(page: &ServerPage, lang: Lang, place: Place<'_>) -> String {
    let locale = Locale::of(lang);
    let page = &ServerPage { lang, ..page.clone() };
    let title = t!(locale, "web-server-title", essay = page.essay.title.get(lang));
    let body = html! {
        h1 { (title) }
        @if page.claims.is_empty() {
            p { (t!(locale, "web-no-claims")) }
        } @else {
            section {
                h2 { (t!(locale, "web-highlights")) }
                (highlights(page, place, locale))
            }
            section {
                h2 { (t!(locale, "web-claims")) }
                div.scroll {
                    table.claims {
                        thead {
                            tr {
                                th scope="col" { (t!(locale, "web-col-claim")) }
                                th scope="col" { (t!(locale, "web-col-rounds")) }
                                th scope="col" { (t!(locale, "web-col-votes")) }
                                th scope="col" { (t!(locale, "web-col-split")) }
                            }
                        }
                        tbody {
                            @for line in &page.claims {
                                tr {
                                    td {
                                        (claim_link(place, &line.claim, lang))
                                        br;
                                        small { (line.claim.section.get(lang)) " · " (words::kind(locale, line.claim.kind)) }
                                    }
                                    td.num { (line.rounds) }
                                    td.num { (line.total.voters()) }
                                    td { (split_bar(&line.total, Question::Stance, locale)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t!(locale, "web-due")) }
            (due_table(&page.due, place, lang, locale))
        }
        section {
            h2 { (t!(locale, "web-scorecard")) }
            (scorecard(&page.scorecard, locale))
        }
        @if page.has_leaderboard {
            p { a href=(place.leaderboard()) { (t!(locale, "web-leaderboard")) } }
        }
    };
    layout(lang, page.indexable, place, &title, &page.essay, body)
}

/// The agreement share by round as a line chart, drawn for the page (SVG, no script), with a
/// title and a description that say in words what it shows.
pub fn agreement_svg(points: &[(u32, f64)], resolved: Option<Outcome>, locale: Locale) -> Markup {
    let (w, h, left, right, top, bottom) = (640.0, 240.0, 44.0, 16.0, 16.0, 32.0);
    let rounds = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + (w - left - right) * (i as f64) / rounds;
    let y = |share: f64| top + (h - top - bottom) * (1.0 - share / 100.0);
    let line: String = points
        .iter()
        .enumerate()
        .map(|(i, (_, s))| format!("{:.1},{:.1}", x(i), y(*s)))
        .collect::<Vec<_>>()
        .join(" ");
    let mut described = points
        .iter()
        .map(|(round, share)| t!(locale, "web-chart-point", round = *round, share = format!("{share:.0}")))
        .collect::<Vec<_>>()
        .join("; ");
    // A resolved prediction's chart says so, in the picture and in its text alternative.
    let resolved = resolved.map(|o| t!(locale, "web-chart-resolved", outcome = words::outcome(locale, o)));
    if let Some(r) = &resolved {
        described.push_str("; ");
        described.push_str(r);
    }
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby="chart-title chart-desc" {
                title id="chart-title" { (t!(locale, "web-chart-title")) }
                desc id="chart-desc" { (described) }
                @for pct in [0.0, 50.0, 100.0] {
                    line.grid x1=(left) x2=(w - right) y1=(y(pct)) y2=(y(pct)) {}
                    text.axis x=(left - 6.0) y=(y(pct) + 4.0) text-anchor="end" { (format!("{pct:.0}%")) }
                }
                @if points.len() > 1 {
                    polyline.series points=(line) {}
                }
                @if let Some(r) = &resolved {
                    text.resolved x=(w - right) y=(top + 12.0) text-anchor="end" { (r) }
                }
                @for (i, (round, share)) in points.iter().enumerate() {
                    circle.series-dot cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*share))) r="4" {}
                    text.axis x=(format!("{:.1}", x(i))) y=(h - 10.0) text-anchor="middle" { (round) }
                }
            }
            figcaption { (t!(locale, "web-chart-caption")) }
        }
    }
}

fn rounds_table(page: &ClaimPage, locale: Locale) -> Markup {
    html! {
        div.scroll {
            table.rounds {
                caption { (t!(locale, "web-rounds")) }
                thead {
                    tr {
                        th scope="col" { (t!(locale, "web-col-round")) }
                        th scope="col" { (t!(locale, "web-col-date")) }
                        th scope="col" { (t!(locale, "web-col-votes")) }
                        th scope="col" { (t!(locale, "web-col-split")) }
                    }
                }
                tbody {
                    @for line in &page.rounds {
                        tr {
                            th scope="row" { (line.round.round) }
                            td { time datetime=(line.round.date) { (line.round.date) } }
                            td.num { (line.round.tally.voters()) }
                            td { (split_bar(&line.round.tally, line.question, locale)) }
                        }
                    }
                }
            }
        }
    }
}

/// A claim's page.
pub fn claim_page(page: &ClaimPage, lang: Lang, place: Place<'_>) -> String {
    let locale = Locale::of(lang);
    let claim = &page.claim;
    let other = lang.other();
    let agreement = page.agreement_by_round();
    let body = html! {
        p.kicker { (claim.section.get(lang)) " · " (words::kind(locale, claim.kind))
            @if let Some(d) = claim.deadline { " · " (t!(locale, "web-deadline", date = d.to_string())) } }
        h1 { (claim.text.get(lang)) }
        p.other lang=(html_lang(other)) { (claim.text.get(other)) }
        @if !agreement.is_empty() {
            section {
                h2 { (t!(locale, "web-chart-title")) }
                (agreement_svg(&agreement, page.resolution.as_ref().map(|r| r.outcome), locale))
            }
        }
        section { (rounds_table(page, locale)) }
        @if page.is_prediction() {
            section {
                h2 { (t!(locale, "web-verdict")) }
                (split_bar(&page.verdict, Question::Verdict, locale))
                @match &page.resolution {
                    Some(r) => {
                        p.resolution { strong { (t!(locale, "web-col-resolution")) ": " } (words::outcome(locale, r.outcome))
                            " · " time datetime=(r.resolved_at.to_rfc3339()) { (r.resolved_at.date_naive()) } }
                        @if !r.note.is_empty() { blockquote.note { (r.note) } }
                    }
                    None => { p { (t!(locale, "web-unresolved")) } }
                }
            }
        }
        section.ledger {
            h2 { (t!(locale, "web-ledger")) }
            @if page.evidence.is_empty() {
                p { (t!(locale, "web-ledger-empty")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t!(locale, "web-ledger-story")) }
                        th scope="col" { (t!(locale, "stance-supports")) }
                        th scope="col" { (t!(locale, "stance-contradicts")) }
                        th scope="col" { (t!(locale, "web-ledger-added")) }
                    } }
                    tbody {
                        @for e in &page.evidence {
                            tr {
                                td {
                                    @match e.url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
                                        Some(url) => { a href=(url) rel="nofollow noopener" { (e.title) } }
                                        None => { (e.title) }
                                    }
                                    " — " (e.source)
                                }
                                td { (e.supports) }
                                td { (e.contradicts) }
                                td { time datetime=(e.added_at.to_rfc3339()) { (e.added_at.date_naive()) } }
                            }
                        }
                    }
                }
            }
        }
        p { a href=(place.server()) { (t!(locale, "web-back")) } }
    };
    layout(lang, page.indexable, place, claim.text.get(lang), &page.essay, body)
}

/// The leaderboard page: members who chose to appear, by name.
pub fn leaderboard_page(page: &LeaderboardPage, lang: Lang, place: Place<'_>) -> String {
    let locale = Locale::of(lang);
    let title = t!(locale, "web-leaderboard");
    let body = html! {
        h1 { (title) }
        p { (t!(locale, "web-leaderboard-who")) }
        @if page.members.is_empty() {
            p { (t!(locale, "web-leaderboard-empty")) }
        } @else {
            div.scroll {
                table.leaders {
                    thead {
                        tr {
                            th scope="col" { "#" }
                            th scope="col" { (t!(locale, "web-col-member")) }
                            th scope="col" { (t!(locale, "web-col-votes")) }
                            th scope="col" { (t!(locale, "web-col-streak")) }
                            th scope="col" { (t!(locale, "web-col-longest")) }
                        }
                    }
                    tbody {
                        @for (i, m) in page.members.iter().enumerate() {
                            tr {
                                th scope="row" { (i + 1) }
                                td { (m.name) }
                                td.num { (m.votes) }
                                td.num { (m.current_streak) }
                                td.num { (m.longest_streak) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(lang, page.indexable, place, &title, &page.essay, body)
}

/// The page every unknown path, unknown slug and revoked slug gets, alike.
pub fn not_found_page() -> String {
    let locale = Locale::fallback();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (t!(locale, "web-not-found")) }
            }
            body { h1 { (t!(locale, "web-not-found")) } }
        }
    }
    .into_string()
}

/// Plain text for statuses that carry no page (405, 429).
pub fn status_text(status: u16) -> String {
    let locale = Locale::fallback();
    match status {
        405 => t!(locale, "web-method-not-allowed"),
        429 => t!(locale, "web-too-many-requests"),
        _ => t!(locale, "web-not-found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::claims::ClaimKind;
    use crate::domain::lang::Localized;

    #[test]
    fn hostile_text_is_escaped_and_the_bar_adds_up() {
        let claim = Claim {
            id: "c1".into(),
            section: Localized {
                zh: "节".into(),
                en: "<b>section</b>".into(),
            },
            text: Localized {
                zh: "中文".into(),
                en: "<script>alert(1)</script>".into(),
            },
            kind: ClaimKind::Opinion,
            deadline: None,
            keywords: Default::default(),
            suggested_by: None,
        };
        let html = claim_link(Place { slug: "s", root: "../" }, &claim, Lang::En).into_string();
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        let bar = split_bar(
            &Tally::from_counts([(Choice::Agree, 3), (Choice::Disagree, 1)]),
            Question::Stance,
            Locale::of(Lang::En),
        )
        .into_string();
        assert!(bar.contains(r#"class="c-yes" x="0" y="0" width="75""#), "{bar}");
        assert!(bar.contains(r#"class="c-no" x="75" y="0" width="25""#), "{bar}");
    }
}
