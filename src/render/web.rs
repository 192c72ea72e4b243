//! The public tally pages as HTML (maud: checked when compiled, every spliced value escaped),
//! their stylesheet, and the SVG drawings in them. No script anywhere; colours and layout live in
//! the served stylesheet, so the pages need no inline style under the site's CSP. Every word
//! comes from the Fluent files (`locales/*/web.ftl`).

use maud::{html, Markup, DOCTYPE};
use url::Url;

use crate::domain::claims::{Claim, Essay, Outcome};
use crate::domain::lang::Lang;
use crate::domain::site::{ClaimLine, ClaimPage, DueLine, LeaderboardPage, Scorecard, ServerPage};
use crate::domain::stats::{Highlights, RoundTally};
use crate::domain::votes::{Choice, Question, Tally};
use crate::render::chart::{self, ChartInput};
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
    /// The site's absolute address (PUBLIC_URL), for link previews, which need absolute URLs;
    /// none: the page has no preview tags.
    pub base: Option<&'a Url>,
}

impl Place<'_> {
    /// The absolute address of `path` (under the site's base), in `lang`.
    fn absolute(&self, path: &str, lang: Option<Lang>) -> Option<String> {
        let mut url = self.base?.join(path).ok()?;
        if let Some(lang) = lang {
            url.query_pairs_mut().append_pair("lang", lang.code());
        }
        Some(url.into())
    }

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

/// What a link to a page unfolds into where it is pasted (Open Graph, read by Discord, and
/// Twitter's card tags): every URL absolute, every value escaped like any attribute.
struct Preview {
    title: String,
    description: String,
    /// `website` or `article`.
    kind: &'static str,
    url: String,
    image: Option<PreviewImage>,
}

struct PreviewImage {
    url: String,
    alt: String,
    /// Given when known: a card can be laid out before the picture arrives.
    size: Option<(u32, u32)>,
}

/// The Open Graph locale of a page in `lang`.
fn og_locale(lang: Lang) -> &'static str {
    lang.pick("zh_CN", "en_US")
}

fn preview_tags(preview: &Preview, lang: Lang, essay: &Essay) -> Markup {
    html! {
        meta property="og:type" content=(preview.kind);
        meta property="og:site_name" content=(essay.title.get(lang));
        meta property="og:locale" content=(og_locale(lang));
        meta property="og:title" content=(preview.title);
        meta property="og:description" content=(preview.description);
        meta property="og:url" content=(preview.url);
        @if let Some(image) = &preview.image {
            meta property="og:image" content=(image.url);
            meta property="og:image:type" content="image/png";
            @if let Some((w, h)) = image.size {
                meta property="og:image:width" content=(w);
                meta property="og:image:height" content=(h);
            }
            meta property="og:image:alt" content=(image.alt);
            meta name="twitter:card" content="summary_large_image";
            meta name="twitter:image:alt" content=(image.alt);
        } @else {
            meta name="twitter:card" content="summary";
        }
        meta name="twitter:title" content=(preview.title);
        meta name="twitter:description" content=(preview.description);
    }
}

/// The frame every page shares: head (robots, viewport, stylesheet, link preview), the
/// language switch.
fn layout(
    lang: Lang,
    indexable: bool,
    place: Place<'_>,
    title: &str,
    essay: &Essay,
    preview: Option<Preview>,
    body: Markup,
) -> String {
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
                @if let Some(preview) = &preview {
                    (preview_tags(preview, lang, essay))
                }
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

/// What a table's column holds: numbers are right-aligned, their header with them.
#[derive(Clone, Copy, PartialEq)]
enum Column {
    Text,
    Number,
}
use Column::{Number, Text};

/// A table's header row: each column's heading and what it holds.
fn header_row(columns: &[(String, Column)]) -> Markup {
    html! {
        thead {
            tr {
                @for (heading, column) in columns {
                    th scope="col" class=[(*column == Number).then_some("num")] { (heading) }
                }
            }
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

/// Due predictions; those this server posted link to their page, the others (no page: never
/// asked here) are plain text.
fn due_table(due: &[DueLine], posted: &[ClaimLine], place: Place<'_>, lang: Lang, locale: Locale) -> Markup {
    html! {
        @if due.is_empty() {
            p { (t!(locale, "web-none-due")) }
        } @else {
            div.scroll {
                table.due {
                    (header_row(&[
                        (t!(locale, "web-col-claim"), Text),
                        (t!(locale, "web-col-deadline"), Text),
                        (t!(locale, "web-col-verdict"), Text),
                        (t!(locale, "web-col-resolution"), Text),
                    ]))
                    tbody {
                        @for line in due {
                            tr {
                                td {
                                    @if posted.iter().any(|p| p.claim.id == line.claim.id) {
                                        (claim_link(place, &line.claim, lang))
                                    } @else {
                                        (line.claim.text.get(lang))
                                    }
                                }
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
    let asked = (lang != page.lang).then_some(lang);
    let page = &ServerPage { lang, ..page.clone() };
    let title = t!(locale, "web-server-title", essay = page.essay.title.get(lang));
    // The card shows the chart of the claim posted last.
    let newest = page.claims.iter().max_by_key(|line| line.first_posted);
    let preview = place.absolute(&format!("s/{}", place.slug), asked).map(|url| Preview {
        title: title.clone(),
        description: t!(
            locale,
            "web-preview-server",
            claims = page.claims.len(),
            essay = page.essay.title.get(lang)
        ),
        kind: "website",
        url,
        image: newest.and_then(|line| {
            Some(PreviewImage {
                url: place.absolute(&chart_path(place.slug, line.claim.id.as_str()), Some(lang))?,
                alt: t!(locale, "web-preview-image", claim = line.claim.text.get(lang)),
                size: None,
            })
        }),
    });
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
                        (header_row(&[
                            (t!(locale, "web-col-claim"), Text),
                            (t!(locale, "web-col-rounds"), Number),
                            (t!(locale, "web-col-votes"), Number),
                            (t!(locale, "web-col-split"), Text),
                        ]))
                        tbody {
                            @for line in &page.claims {
                                tr {
                                    td {
                                        (claim_link(place, &line.claim, lang))
                                        br;
                                        small { (words::section(locale, &line.claim.section)) " · " (words::kind(locale, line.claim.kind)) }
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
            (due_table(&page.due, &page.claims, place, lang, locale))
        }
        section {
            h2 { (t!(locale, "web-scorecard")) }
            (scorecard(&page.scorecard, locale))
        }
        @if page.has_leaderboard {
            p { a href=(place.leaderboard()) { (t!(locale, "web-leaderboard")) } }
        }
    };
    layout(lang, page.indexable, place, &title, &page.essay, preview, body)
}

/// The path of a claim's chart (PNG), under the site's base.
pub fn chart_path(slug: &str, claim: &str) -> String {
    format!("s/{slug}/claims/{claim}/chart.png")
}

/// The rounds a claim's chart draws: those asked the latest round's question (a split is
/// drawn in one question's choices), oldest first.
fn chart_rounds(page: &ClaimPage) -> (Question, Vec<RoundTally>) {
    let question = page.rounds.last().map_or(Question::Stance, |r| r.question);
    let rounds = page
        .rounds
        .iter()
        .filter(|r| r.question == question)
        .map(|r| r.round.clone())
        .collect();
    (question, rounds)
}

/// Everything a claim page's chart is drawn from: two equal ones draw the same picture, so a
/// chart drawn once serves every visitor until one of them changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOf {
    claim: crate::domain::lang::Localized,
    rounds: Vec<RoundTally>,
    question: Question,
    resolution: Option<crate::domain::claims::Outcome>,
    lang: Lang,
}

impl ChartOf {
    pub fn lang(&self) -> Lang {
        self.lang
    }

    #[cfg(test)]
    pub fn for_test(claim: crate::domain::lang::Localized, rounds: Vec<RoundTally>, lang: Lang) -> ChartOf {
        ChartOf {
            claim,
            rounds,
            question: Question::Stance,
            resolution: None,
            lang,
        }
    }
}

/// What the chart of `page` shows in `lang`: the rounds the page shows that asked the latest
/// round's question.
pub fn chart_of(page: &ClaimPage, lang: Lang) -> ChartOf {
    let (question, rounds) = chart_rounds(page);
    ChartOf {
        claim: page.claim.text.clone(),
        rounds,
        question,
        resolution: page.resolution.as_ref().map(|r| r.outcome),
        lang,
    }
}

/// A claim's chart as a PNG, for its link preview: the tally chart of `/tally`.
pub fn claim_chart_png(chart: &ChartOf) -> anyhow::Result<Vec<u8>> {
    chart::tally_chart(&ChartInput {
        claim: &chart.claim,
        rounds: &chart.rounds,
        question: chart.question,
        resolution: chart.resolution,
        locale: Locale::of(chart.lang),
    })
}

/// How many columns of the chart's title fit: a Chinese character takes two.
const SVG_TITLE_COLUMNS: usize = 72;

/// The agreement share by round as a line chart, drawn for the page (SVG, no script), with a
/// title and a description that say in words what it shows.
pub fn agreement_svg(claim: &str, points: &[(u32, f64)], resolved: Option<Outcome>, locale: Locale) -> Markup {
    let resolved = resolved.map(|o| t!(locale, "web-chart-resolved", outcome = words::outcome(locale, o)));
    let title = words::shorten_to_columns(claim, SVG_TITLE_COLUMNS);
    // One point is no movement: said in a sentence, not drawn as an axis to a round that never happened.
    if let [(round, share)] = points {
        return html! {
            figure.chart.chart-once {
                figcaption {
                    strong.chart-title { (title) }
                    " "
                    (t!(locale, "web-chart-once", round = *round, share = format!("{share:.0}")))
                    @if let Some(r) = &resolved { " " (r) }
                }
            }
        };
    }
    let (w, h, left, right, top, bottom) = (640.0, 264.0, 44.0, 16.0, 40.0, 32.0);
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
    if let Some(r) = &resolved {
        described.push_str("; ");
        described.push_str(r);
    }
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby="chart-title chart-desc" {
                title id="chart-title" { (t!(locale, "web-chart-title-of", claim = claim)) }
                desc id="chart-desc" { (described) }
                text.chart-title x=(left) y="18" { (title) }
                @for pct in [0.0, 50.0, 100.0] {
                    line.grid x1=(left) x2=(w - right) y1=(y(pct)) y2=(y(pct)) {}
                    text.axis x=(left - 6.0) y=(y(pct) + 4.0) text-anchor="end" { (format!("{pct:.0}%")) }
                }
                @if points.len() > 1 {
                    polyline.series points=(line) {}
                }
                @if let Some(r) = &resolved {
                    text.resolved x=(w - right) y=(top - 4.0) text-anchor="end" { (r) }
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
                (header_row(&[
                    (t!(locale, "web-col-round"), Text),
                    (t!(locale, "web-col-date"), Text),
                    (t!(locale, "web-col-votes"), Number),
                    (t!(locale, "web-col-split"), Text),
                ]))
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
    let preview = place
        .absolute(
            &format!("s/{}/claims/{}", place.slug, claim.id.as_str()),
            (lang != page.lang).then_some(lang),
        )
        .map(|url| Preview {
            title: claim.text.get(lang).to_string(),
            description: claim_description(page, locale),
            kind: "article",
            url,
            image: place
                .absolute(&chart_path(place.slug, claim.id.as_str()), Some(lang))
                .map(|url| PreviewImage {
                    url,
                    alt: t!(locale, "web-preview-image", claim = claim.text.get(lang)),
                    size: Some(chart::size(chart_rounds(page).1.len())),
                }),
        });
    let body = html! {
        p.kicker { (words::section(locale, &claim.section)) " · " (words::kind(locale, claim.kind))
            @if let Some(d) = claim.deadline { " · " (t!(locale, "web-deadline", date = d.to_string())) } }
        h1 { (claim.text.get(lang)) }
        p.other lang=(html_lang(other)) { (claim.text.get(other)) }
        @if !agreement.is_empty() {
            section {
                h2 { (t!(locale, "web-chart-title")) }
                (agreement_svg(claim.text.get(lang), &agreement, page.resolution.as_ref().map(|r| r.outcome), locale))
            }
        }
        section { (rounds_table(page, locale)) }
        @if page.is_prediction() {
            section {
                h2 { (t!(locale, "web-verdict")) }
                (split_bar(&page.verdict, Question::Verdict, locale))
                @match &page.resolution {
                    Some(r) => {
                        p.resolution { strong { (t!(locale, "web-resolution-label")) } " " (words::outcome(locale, r.outcome))
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
                    (header_row(&[
                        (t!(locale, "web-ledger-story"), Text),
                        (t!(locale, "stance-supports"), Number),
                        (t!(locale, "stance-contradicts"), Number),
                        (t!(locale, "web-ledger-added"), Text),
                    ]))
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
                                td.num { (e.supports) }
                                td.num { (e.contradicts) }
                                td { time datetime=(e.added_at.to_rfc3339()) { (e.added_at.date_naive()) } }
                            }
                        }
                    }
                }
            }
        }
        p { a href=(place.server()) { (t!(locale, "web-back")) } }
    };
    layout(
        lang,
        page.indexable,
        place,
        claim.text.get(lang),
        &page.essay,
        preview,
        body,
    )
}

/// A claim's card text: its section and kind, and the latest round's split.
fn claim_description(page: &ClaimPage, locale: Locale) -> String {
    let claim = &page.claim;
    let section = words::section(locale, &claim.section);
    match page.rounds.last() {
        Some(latest) => t!(
            locale,
            "web-preview-claim",
            section = section,
            kind = words::kind(locale, claim.kind),
            round = latest.round.round,
            split = words::tally_summary(&latest.round.tally, latest.question, locale)
        ),
        // A page exists only for a claim with a round; this is for completeness.
        None => section.to_string(),
    }
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
                    (header_row(&[
                        (t!(locale, "web-col-rank"), Number),
                        (t!(locale, "web-col-member"), Text),
                        (t!(locale, "web-col-votes"), Number),
                        (t!(locale, "web-col-streak"), Number),
                        (t!(locale, "web-col-longest"), Number),
                    ]))
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
    layout(lang, page.indexable, place, &title, &page.essay, None, body)
}

/// The page every unknown path, unknown slug and revoked slug gets, alike.
pub fn not_found_page() -> String {
    // The address may be anyone's, so the page cannot know its reader's language: both.
    let [en, zh] = [Lang::En, Lang::Zh].map(Locale::of);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (t!(en, "web-not-found")) " · " (t!(zh, "web-not-found")) }
            }
            body {
                h1 { (t!(en, "web-not-found")) }
                p lang="zh-CN" { (t!(zh, "web-not-found")) }
            }
        }
    }
    .into_string()
}

/// The plain-text body of an answer that is not a page (405, 429), in both languages.
pub fn status_text(status: u16) -> String {
    let text = |locale: Locale| match status {
        405 => t!(locale, "web-method-not-allowed"),
        429 => t!(locale, "web-too-many-requests"),
        _ => t!(locale, "web-not-found"),
    };
    format!("{}\n{}\n", text(Locale::of(Lang::En)), text(Locale::of(Lang::Zh)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::claims::ClaimKind;
    use crate::domain::lang::Localized;

    #[test]
    fn answers_that_are_not_pages_speak_both_languages() {
        let page = not_found_page();
        assert!(page.contains("<h1>Not found</h1>") && page.contains("未找到"), "{page}");
        let text = status_text(429);
        assert!(
            text.contains("Too many requests") && text.contains("请求过多"),
            "{text}"
        );
        assert!(status_text(405).contains("只允许 GET 和 HEAD"));
    }

    #[test]
    fn hostile_text_is_escaped_and_the_bar_adds_up() {
        let claim = Claim {
            id: "c1".into(),
            section: crate::domain::claims::Section::Essay(Localized {
                zh: "节".into(),
                en: "<b>section</b>".into(),
            }),
            text: Localized {
                zh: "中文".into(),
                en: "<script>alert(1)</script>".into(),
            },
            kind: ClaimKind::Opinion,
            deadline: None,
            keywords: Default::default(),
            suggested_by: None,
        };
        let html = claim_link(
            Place {
                slug: "s",
                root: "../",
                base: None,
            },
            &claim,
            Lang::En,
        )
        .into_string();
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

    #[test]
    fn one_round_is_a_sentence_and_more_are_a_line_titled_with_the_claim() {
        let en = Locale::of(Lang::En);
        let once = agreement_svg("Agents <code>", &[(1, 75.0)], None, en).into_string();
        assert!(!once.contains("<svg"), "no axis to a round that never happened: {once}");
        assert!(
            once.contains("Agents &lt;code&gt;") && once.contains("75% in round 1"),
            "{once}"
        );
        let zh = agreement_svg("智能体", &[(2, 40.0)], Some(Outcome::Yes), Locale::of(Lang::Zh)).into_string();
        assert!(zh.contains("第 2 轮 40%") && zh.contains("已有结果"), "{zh}");
        let long = "智能体".repeat(30);
        let line = agreement_svg(&long, &[(1, 75.0), (2, 25.0)], None, en).into_string();
        assert!(line.contains("<polyline"), "{line}");
        assert!(
            line.contains(&format!("Agreement by round: {long}")),
            "the text alternative has it all"
        );
        let shown = words::shorten_to_columns(&long, SVG_TITLE_COLUMNS);
        assert!(
            shown.ends_with('…')
                && line.contains(&format!(r#"<text class="chart-title" x="44" y="18">{shown}</text>"#)),
            "{line}"
        );
    }
}
