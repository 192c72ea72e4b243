//! The public tally pages in a real browser: headless Chromium loads the server page, a claim
//! page and the leaderboard, in both languages and in dark mode. The DOM it built must hold the
//! numbers the store holds, and its screenshots must be pictures (not blank), dark in dark mode
//! and light without it.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it; `CHROMIUM` names another binary). Without
//! one the test says why and passes, except under CI (`CI=true`), where a missing browser would
//! hide a regression and so fails. `BROWSER_TEST_SHOTS=DIR` keeps the screenshots to look at.

use crate::support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use html5gum::{Token, Tokenizer};

use crate::support::site::{Seed, Site};
use claim_digest::domain::claims::{ClaimSet, Outcome, Resolution};
use claim_digest::domain::evidence::Stance;
use claim_digest::domain::ids::{ClaimId, GuildId, PostId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::stats::RoundTally;
use claim_digest::domain::votes::{Choice, Question, Tally};
use claim_digest::message::{Arg, Message};
use claim_digest::render::i18n::Locale;
use claim_digest::services::App;
use claim_digest::store::{NewEvidence, NewMark, Store};

const GUILD: GuildId = GuildId(42);
/// An opinion asked twice, a prediction past its deadline (asked, then asked whether it came
/// true, then resolved) and an opinion asked once.
const OPINION: &str = "o3-on-trend";
const PREDICTION: &str = "agents-arrive-2025";
const ASKED_ONCE: &str = "clear-reward-wins";
/// On the leaderboard by choice; the other chose it and then hid again.
const SHOWN: (UserId, &str) = (UserId(500), "Ann Lovelace");
const HIDDEN: (UserId, &str) = (UserId(501), "Bob Hidden");
const LEDGER: [(&str, &str); 2] = [
    ("agents.example/pr", "Agents open pull requests unattended"),
    ("bench.example/stall", "A coding benchmark stalls for a year"),
];
const NOTE: &str = "Agents shipped in several products during 2025.";

/// How long one Chromium run may take before it is killed, so that CI can never hang on it.
const RUN_LIMIT: Duration = Duration::from_secs(30);
/// The viewport of every screenshot: a desktop window, tall enough for a page's first tables.
const WINDOW: &str = "--window-size=1024,1280";
/// What makes `prefers-color-scheme: dark` match in headless Chromium: the dark native theme,
/// and Blink's own preference (0 is dark). Each works alone in Chromium 148; both, in case a
/// version drops one. The screenshots' background is checked, so flags that stopped working
/// fail the test rather than pass it.
const DARK_MODE: [&str; 2] = ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"];

#[tokio::test]
async fn chromium_shows_the_stored_numbers_in_both_languages_and_both_themes() {
    let chromium = match find_chromium() {
        Ok(chromium) => chromium,
        Err(why) => {
            assert!(!in_ci(), "CI is set, so the browser test may not skip: {why}");
            claim_digest::store::testing::say_skipped(&format!("tests/browser.rs (the real-browser test): {why}"));
            return;
        }
    };
    eprintln!("browser test: using {}", chromium.display());
    let (app, store, base, claims) = site().await;
    let link = app.enable_site(GUILD, false, Utc::now()).await.unwrap();
    let server_url = link.url.clone();
    let claim_url = format!("{base}s/{}/claims/{PREDICTION}", link.site.slug);
    let opinion_url = format!("{base}s/{}/claims/{OPINION}", link.site.slug);
    let board_url = format!("{base}s/{}/leaderboard", link.site.slug);
    // BROWSER_TEST_SHOTS keeps the screenshots in a folder of one's choice, to look at them.
    let shots = tempfile::tempdir().unwrap();
    let shots_dir = std::env::var_os("BROWSER_TEST_SHOTS").map_or_else(|| shots.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&shots_dir).unwrap();
    let browser = Browser {
        program: chromium,
        shots: shots_dir,
        runs: Default::default(),
    };
    let rounds = store.round_tallies(GUILD).await.unwrap();
    let rounds_of = |claim: &str| -> Vec<_> {
        rounds
            .iter()
            .filter(|(c, _)| c.as_str() == claim)
            .map(|(_, r)| r.clone())
            .collect()
    };
    let questions: HashMap<PostId, Question> = store
        .posts(GUILD)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id, p.question))
        .collect();
    assert_eq!(rounds_of(OPINION).len(), 2, "the store holds what was seeded");
    assert_eq!(rounds_of(PREDICTION).len(), 2);
    assert_eq!(rounds_of(ASKED_ONCE).len(), 1);

    // The server page: in the server's language (Chinese) unless the reader asks for English.
    for (url, lang) in [
        (server_url.clone(), Lang::Zh),
        (format!("{server_url}?lang=en"), Lang::En),
    ] {
        let view = browser.load(&url, Theme::Light).await;
        view.picture.assert_drawn(&url);
        view.picture.assert_theme(Theme::Light, &url);
        let dom = &view.dom;
        dom.assert_lang(lang);
        let claims_table = dom.table("claims");
        for id in [OPINION, PREDICTION, ASKED_ONCE] {
            let claim = claims.get(id).unwrap();
            let row = claims_table
                .row_with(claim.text.get(lang))
                .unwrap_or_else(|| panic!("{id} is listed on {url}: {claims_table:?}"));
            let by_round = rounds_of(id);
            let total = Tally::from_counts(
                by_round
                    .iter()
                    .flat_map(|r| Question::Stance.choices().into_iter().map(|c| (c, r.tally.count(c)))),
            );
            assert_eq!(row[1], by_round.len().to_string(), "{id}'s rounds on {url}");
            assert_eq!(row[2], total.voters().to_string(), "{id}'s votes on {url}");
            assert_split(&row[3], &total, Question::Stance, lang, &url);
        }
        let due = dom.table("due");
        let due_row = due.row_with(claims.get(PREDICTION).unwrap().text.get(lang)).unwrap();
        let verdict = verdict_of(&rounds_of(PREDICTION));
        assert_split(&due_row[2], &verdict, Question::Verdict, lang, &url);
        assert!(due_row[3].contains(&outcome_word(Outcome::Yes, lang)), "{due_row:?}");
        assert!(due_row[3].contains(NOTE), "{due_row:?}");
        let came_true = dom
            .table("scorecard")
            .row_with(&words(lang, "web-score-came-true", vec![]))
            .unwrap();
        assert_eq!(
            came_true[1], "1",
            "one resolution in the store came true: {came_true:?}"
        );
        for id in ["web-claims", "web-due", "web-scorecard", "web-leaderboard"] {
            let heading = words(lang, id, vec![]);
            assert!(dom.text.contains(&heading), "{heading} on {url}: {}", dom.text);
        }
    }

    // A claim's page in both languages: each round's counts and shares, the chart's words,
    // the verdict, the resolution and the ledger as the store holds them.
    let ledger = store.ledger(GUILD, Some(&ClaimId::new(PREDICTION))).await.unwrap();
    assert_eq!(ledger.len(), LEDGER.len());
    for (url, lang) in [
        (format!("{claim_url}?lang=zh"), Lang::Zh),
        (format!("{claim_url}?lang=en"), Lang::En),
    ] {
        let view = browser.load(&url, Theme::Light).await;
        view.picture.assert_drawn(&url);
        view.picture.assert_theme(Theme::Light, &url);
        let dom = &view.dom;
        dom.assert_lang(lang);
        let claim = claims.get(PREDICTION).unwrap();
        assert!(dom.text.contains(claim.text.get(lang)), "{}", dom.text);
        assert!(
            dom.text.contains(claim.text.get(lang.other())),
            "the text in the other language too"
        );
        assert_rounds(dom, &rounds_of(PREDICTION), &questions, lang, &url);
        let first = &rounds_of(PREDICTION)[0];
        let agree = first.tally.percentages(&Question::Stance.choices())[0];
        // One round asked for a stance (the second asked whether it came true): a sentence
        // stands in for a line chart of one point.
        let point = words(
            lang,
            "web-chart-once",
            vec![("round", first.round.into()), ("share", agree.into())],
        );
        assert!(dom.text.contains(&point), "the agreement so far: {point}");
        let verdict = verdict_of(&rounds_of(PREDICTION));
        for (choice, share) in Question::Verdict
            .choices()
            .into_iter()
            .zip(verdict.percentages(&Question::Verdict.choices()))
        {
            let words = format!("{} {} ({share}%)", choice_word(choice, lang), verdict.count(choice));
            assert!(dom.text.contains(&words), "the verdict: {words} on {url}");
        }
        assert!(dom.text.contains(NOTE), "the resolution's note");
        let table = dom.table_headed(&words(lang, "web-ledger-story", vec![]));
        for entry in &ledger {
            let row = table
                .row_with(&entry.title)
                .unwrap_or_else(|| panic!("{} in {table:?}", entry.title));
            assert_eq!(row[1], entry.supports.to_string(), "{row:?}");
            assert_eq!(row[2], entry.contradicts.to_string(), "{row:?}");
        }
        for id in ["web-rounds", "web-ledger", "web-verdict", "web-back"] {
            let heading = words(lang, id, vec![]);
            assert!(dom.text.contains(&heading), "{heading} on {url}: {}", dom.text);
        }
    }

    // Dark mode: the same pages, the stylesheet's dark colours.
    for (url, lang) in [
        (format!("{server_url}?lang=en"), Lang::En),
        (format!("{opinion_url}?lang=zh"), Lang::Zh),
    ] {
        let view = browser.load(&url, Theme::Dark).await;
        view.picture.assert_drawn(&url);
        view.picture.assert_theme(Theme::Dark, &url);
        view.dom.assert_lang(lang);
        if url.contains(OPINION) {
            assert_rounds(&view.dom, &rounds_of(OPINION), &questions, lang, &url);
            // Two rounds: the line chart, whose text alternative names each round's share.
            for round in rounds_of(OPINION) {
                let agree = round.tally.percentages(&Question::Stance.choices())[0];
                let point = words(
                    lang,
                    "web-chart-point",
                    vec![("round", round.round.into()), ("share", agree.into())],
                );
                assert!(view.dom.text.contains(&point), "the chart's text alternative: {point}");
            }
        }
    }

    // The leaderboard: the member who chose to appear, by name and votes; not the one who hid.
    let today = Utc::now().date_naive();
    let standing = app
        .leaderboard(GUILD, today)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.user == SHOWN.0)
        .unwrap();
    let view = browser.load(&format!("{board_url}?lang=en"), Theme::Light).await;
    view.picture.assert_drawn(&board_url);
    view.picture.assert_theme(Theme::Light, &board_url);
    let leaders = view.dom.table("leaders");
    let row = leaders.row_with(SHOWN.1).unwrap_or_else(|| panic!("{leaders:?}"));
    assert_eq!(row[2], standing.votes.to_string(), "{row:?}");
    assert_eq!(row[3], standing.current_streak.to_string(), "{row:?}");
    assert_eq!(row[4], standing.longest_streak.to_string(), "{row:?}");
    assert_eq!(leaders.rows.len(), 2, "a header and one member: {leaders:?}");
    assert!(!view.dom.text.contains(HIDDEN.1), "{}", view.dom.text);
    assert!(!view.dom.text.contains(&SHOWN.0 .0.to_string()), "never a user id");
}

/// A post the seeded server sent: claim, round, date, question and the votes on it in order.
type SeededPost = (&'static str, u32, (i32, u32, u32), Question, &'static [Choice]);

/// A site with a Chinese server that posted three claims, votes in two rounds, a resolution,
/// a ledger with marks, and two members who chose the leaderboard (one of them hid again).
async fn site() -> (App, Store, String, ClaimSet) {
    let site = Site::new(GUILD, Lang::Zh, &support::repo_file("data/claims.toml"), "1000").await;
    use Choice::*;
    let posts: [SeededPost; 5] = [
        (PREDICTION, 1, (2025, 6, 2), Question::Stance, &[Agree, Agree, Disagree]),
        (
            OPINION,
            1,
            (2026, 1, 5),
            Question::Stance,
            &[Agree, Agree, Agree, Disagree, Disagree, Unsure],
        ),
        (
            OPINION,
            2,
            (2026, 1, 12),
            Question::Stance,
            &[Agree, Disagree, Disagree, Disagree, Disagree],
        ),
        (
            PREDICTION,
            2,
            (2026, 1, 19),
            Question::Verdict,
            &[Yes, Yes, Yes, No, Early],
        ),
        (ASKED_ONCE, 1, (2026, 1, 26), Question::Stance, &[Agree, Unsure]),
    ];
    for (message, (claim, round, (y, m, d), question, votes)) in (101..).zip(posts) {
        let seed = Seed {
            claim,
            round,
            date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            question,
            message,
        };
        // Member 500 + i casts the i-th vote: the shown member votes on every post.
        let votes: Vec<(UserId, Choice)> = (500..).map(UserId).zip(votes.iter().copied()).collect();
        site.post(seed, &votes).await;
    }
    let (store, app, now) = (&site.store, &site.app, site.now);
    store
        .resolve_claim(
            GUILD,
            &Resolution {
                claim_id: PREDICTION.into(),
                outcome: Outcome::Yes,
                note: NOTE.into(),
                resolved_by: UserId(9),
                resolved_at: now,
            },
        )
        .await
        .unwrap();
    let claim = ClaimId::new(PREDICTION);
    // The first story: brought by one member, marked by two more (one disagrees); the second:
    // brought as contradicting.
    let marks: [&[(u64, Stance)]; 2] = [
        &[
            (500, Stance::Supports),
            (501, Stance::Supports),
            (502, Stance::Contradicts),
        ],
        &[(503, Stance::Contradicts)],
    ];
    for ((story, title), marks) in LEDGER.into_iter().zip(marks) {
        let (first, more) = marks.split_first().unwrap();
        let new = NewEvidence {
            guild: GUILD,
            claim: &claim,
            story,
            title,
            url: &format!("https://{story}"),
            source: story.split('/').next().unwrap(),
            by: UserId(first.0),
            stance: first.1,
        };
        let (entry, _) = store.add_evidence(&new, now).await.unwrap();
        for (user, stance) in more {
            let mark = NewMark {
                guild: GUILD,
                entry: entry.id,
                user: UserId(*user),
                post: None,
                stance: *stance,
                moderator: false,
                off_topic_min: 3,
            };
            store.mark_evidence(mark, now).await.unwrap();
        }
    }
    app.show_on_site(GUILD, SHOWN.0, SHOWN.1, now).await.unwrap();
    app.show_on_site(GUILD, HIDDEN.0, HIDDEN.1, now).await.unwrap();
    app.hide_from_site(GUILD, HIDDEN.0).await.unwrap();
    site.serve()
}

/// A prediction's verdict votes over all its rounds, as the pages add them up.
fn verdict_of(rounds: &[RoundTally]) -> Tally {
    Tally::from_counts(
        rounds
            .iter()
            .flat_map(|r| Question::Verdict.choices().into_iter().map(|c| (c, r.tally.count(c)))),
    )
}

/// The rounds table shows each round the store holds: its number, date, votes and shares.
fn assert_rounds(dom: &Dom, rounds: &[RoundTally], questions: &HashMap<PostId, Question>, lang: Lang, url: &str) {
    let table = dom.table("rounds");
    assert_eq!(table.rows.len(), rounds.len() + 1, "a header and each round: {table:?}");
    for (row, round) in table.rows[1..].iter().zip(rounds) {
        assert_eq!(row[0], round.round.to_string(), "{row:?}");
        assert_eq!(row[1], round.date.to_string(), "{row:?}");
        assert_eq!(row[2], round.tally.voters().to_string(), "{row:?}");
        assert_split(&row[3], &round.tally, questions[&round.post], lang, url);
    }
}

/// A split's words hold each choice's count and share, in the page's language.
fn assert_split(text: &str, tally: &Tally, question: Question, lang: Lang, url: &str) {
    let choices = question.choices();
    for (choice, share) in choices.into_iter().zip(tally.percentages(&choices)) {
        let words = format!("{} {} ({share}%)", choice_word(choice, lang), tally.count(choice));
        assert!(text.contains(&words), "{words:?} in {text:?} on {url}");
    }
}

/// A message of `locales/`, in `lang`: the words the pages are expected to show, from the same
/// files, so that a change of wording does not break this test while a page that shows the other
/// language, or no words at all, does.
fn words(lang: Lang, id: &'static str, args: Vec<(&'static str, Arg)>) -> String {
    Locale::of(lang).text(&Message::new(id, args))
}

fn choice_word(choice: Choice, lang: Lang) -> String {
    claim_digest::render::words::choice_label(Locale::of(lang), choice)
}

fn outcome_word(outcome: Outcome, lang: Lang) -> String {
    claim_digest::render::words::outcome(Locale::of(lang), outcome)
}

/// CI sets `CI` (usually to `true`; `.ci/run` does too), as the store tests also read it.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

/// `CHROMIUM` if set, else Debian's /usr/bin/chromium, else `chromium` or `chromium-browser` on
/// PATH; or why there is none.
fn find_chromium() -> Result<PathBuf, String> {
    if let Some(named) = std::env::var_os("CHROMIUM").filter(|v| !v.is_empty()) {
        let named = PathBuf::from(named);
        return if named.is_file() {
            Ok(named)
        } else {
            Err(format!("CHROMIUM={} is not a file", named.display()))
        };
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Ok(debian);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser"]
        .into_iter()
        .find_map(|name| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
        .ok_or_else(|| {
            "no Chromium: not at /usr/bin/chromium, no `chromium` or `chromium-browser` on PATH, and \
             CHROMIUM is unset (install Debian's `chromium` package; .ci/run does)"
                .to_string()
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Theme {
    Light,
    Dark,
}

/// Headless Chromium as a subprocess, one run per page: the DOM after load and a screenshot.
struct Browser {
    program: PathBuf,
    /// Where the screenshots go, named by run.
    shots: PathBuf,
    /// Runs so far, to name the next screenshot.
    runs: std::sync::atomic::AtomicU32,
}

/// What one run of the browser saw.
struct View {
    dom: Dom,
    picture: Picture,
}

impl Browser {
    async fn load(&self, url: &str, theme: Theme) -> View {
        let started = std::time::Instant::now();
        // A fresh profile each run: nothing cached or remembered from an earlier page.
        let profile = tempfile::tempdir().unwrap();
        let run = self.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let shot = self.shots.join(format!("{run:02}-{theme:?}.png"));
        let mut command = tokio::process::Command::new(&self.program);
        command
            // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
            .args(["--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage"])
            .args([
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
            ])
            .args(["--disable-sync", "--hide-scrollbars", "--mute-audio", WINDOW])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--screenshot={}", shot.display()))
            .arg("--dump-dom");
        if theme == Theme::Dark {
            command.args(DARK_MODE);
        }
        command
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            // Its own process group, so that a hung run's helper processes can be killed with it.
            .process_group(0);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.program.display()));
        let group = child.id().expect("a running child has an id");
        let output = match tokio::time::timeout(RUN_LIMIT, child.wait_with_output()).await {
            Ok(output) => output.unwrap(),
            Err(_) => {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", "--", &format!("-{group}")])
                    .status();
                panic!("Chromium took over {RUN_LIMIT:?} on {url}; killed it");
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "Chromium failed on {url}: {}\n{stderr}",
            output.status
        );
        // The DOM, then (or before) Chromium's line about the screenshot it wrote.
        let html = stdout
            .find("<html")
            .zip(stdout.rfind("</html>"))
            .map(|(start, end)| &stdout[start..end + "</html>".len()])
            .unwrap_or_else(|| panic!("no DOM from Chromium on {url}: {stdout}\n{stderr}"));
        let ran = started.elapsed();
        let picture = Picture::read(&shot).unwrap_or_else(|e| panic!("the screenshot of {url}: {e}\n{stderr}"));
        eprintln!(
            "browser test: {url} ({theme:?}): Chromium {ran:?}, the screenshot read in {:?}",
            started.elapsed() - ran
        );
        View {
            dom: Dom::parse(html),
            picture,
        }
    }
}

/// The parts of a dumped DOM the checks read: the root's `lang`, the text, and the tables'
/// cells as text.
#[derive(Debug)]
struct Dom {
    lang: Option<String>,
    /// Every text node, separated by spaces.
    text: String,
    tables: Vec<Table>,
}

#[derive(Debug)]
struct Table {
    class: String,
    /// Each row's cells (header cells too), their text with whitespace collapsed.
    rows: Vec<Vec<String>>,
}

impl Table {
    /// The first row one of whose cells holds `text`.
    fn row_with(&self, text: &str) -> Option<&Vec<String>> {
        self.rows.iter().find(|row| row.iter().any(|cell| cell.contains(text)))
    }
}

impl Dom {
    fn parse(html: &str) -> Dom {
        let mut dom = Dom {
            lang: None,
            text: String::new(),
            tables: Vec::new(),
        };
        let mut in_cell = false;
        let attribute = |tag: &html5gum::StartTag<()>, name: &str| {
            tag.attributes
                .get(name.as_bytes())
                .map(|v| String::from_utf8_lossy(v).into_owned())
        };
        for token in Tokenizer::new(html).flatten() {
            match token {
                Token::StartTag(tag) => match tag.name.as_slice() {
                    b"html" => dom.lang = attribute(&tag, "lang"),
                    b"table" => dom.tables.push(Table {
                        class: attribute(&tag, "class").unwrap_or_default(),
                        rows: Vec::new(),
                    }),
                    b"tr" => {
                        if let Some(table) = dom.tables.last_mut() {
                            table.rows.push(Vec::new());
                        }
                    }
                    b"td" | b"th" => {
                        if let Some(row) = dom.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                            row.push(String::new());
                            in_cell = true;
                        }
                    }
                    _ => {}
                },
                Token::EndTag(tag) if matches!(tag.name.as_slice(), b"td" | b"th" | b"tr" | b"table") => {
                    in_cell = false;
                }
                Token::String(text) => {
                    let text = String::from_utf8_lossy(&text);
                    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if words.is_empty() {
                        continue;
                    }
                    if !dom.text.is_empty() {
                        dom.text.push(' ');
                    }
                    dom.text.push_str(&words);
                    let cell = dom
                        .tables
                        .last_mut()
                        .and_then(|t| t.rows.last_mut())
                        .and_then(|r| r.last_mut());
                    if let (true, Some(cell)) = (in_cell, cell) {
                        if !cell.is_empty() {
                            cell.push(' ');
                        }
                        cell.push_str(&words);
                    }
                }
                _ => {}
            }
        }
        dom
    }

    fn assert_lang(&self, lang: Lang) {
        let tag = self.lang.as_deref().unwrap_or("");
        let expected = lang.pick("zh", "en");
        assert!(
            tag == expected || tag.starts_with(&format!("{expected}-")),
            "<html lang={tag:?}>, wanted {expected}"
        );
    }

    fn table(&self, class: &str) -> &Table {
        self.tables
            .iter()
            .find(|t| t.class.split_whitespace().any(|c| c == class))
            .unwrap_or_else(|| panic!("no table.{class} in the DOM: {:?}", self.tables))
    }

    /// The first table whose header holds `heading` (for tables without a class of their own).
    fn table_headed(&self, heading: &str) -> &Table {
        self.tables
            .iter()
            .find(|t| t.rows.first().is_some_and(|header| header.iter().any(|c| c == heading)))
            .unwrap_or_else(|| panic!("no table headed {heading:?}: {:?}", self.tables))
    }
}

/// A screenshot, decoded: its size and its colours with how many pixels have each, most
/// frequent first.
struct Picture {
    width: u32,
    height: u32,
    colours: Vec<([u8; 3], usize)>,
}

impl Picture {
    fn read(path: &Path) -> Result<Picture, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
        let mut buffer = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut buffer).map_err(|e| e.to_string())?;
        let channels = match frame.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => return Err(format!("unexpected colour type {other:?}")),
        };
        // A count for every possible colour (zeroed lazily by the allocator, so only the pages
        // of colours that occur are touched): much faster than a map in an unoptimised build.
        let mut counts = vec![0usize; 1 << 24];
        let mut seen = Vec::new();
        for pixel in buffer[..frame.buffer_size()].chunks_exact(channels) {
            let index = usize::from(pixel[0]) << 16 | usize::from(pixel[1]) << 8 | usize::from(pixel[2]);
            if counts[index] == 0 {
                seen.push(index);
            }
            counts[index] += 1;
        }
        let mut colours: Vec<([u8; 3], usize)> = seen
            .into_iter()
            .map(|i| ([(i >> 16) as u8, (i >> 8) as u8, i as u8], counts[i]))
            .collect();
        colours.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        Ok(Picture {
            width: frame.width,
            height: frame.height,
            colours,
        })
    }

    fn pixels(&self) -> usize {
        (self.width * self.height) as usize
    }

    /// Not blank: text and bars drawn (many colours, from anti-aliasing and the bars' hues), and
    /// enough pixels far from the background in brightness to be words.
    fn assert_drawn(&self, url: &str) {
        assert!(
            self.width >= 800 && self.height >= 800,
            "{}x{}",
            self.width,
            self.height
        );
        let (background, _) = self.colours[0];
        let contrasted: usize = self
            .colours
            .iter()
            .filter(|(colour, _)| (luminance(*colour) - luminance(background)).abs() > 0.35)
            .map(|(_, count)| count)
            .sum();
        let share = contrasted as f64 / self.pixels() as f64;
        assert!(
            self.colours.len() >= 64,
            "the screenshot of {url} has only {} colours",
            self.colours.len()
        );
        assert!(
            share > 0.005,
            "the screenshot of {url} is nearly blank: {:.2}% of pixels stand out from {background:?}",
            share * 100.0
        );
    }

    /// The most frequent colour (the page's background or its cards') is dark in dark mode and
    /// light otherwise.
    fn assert_theme(&self, theme: Theme, url: &str) {
        let (background, count) = self.colours[0];
        let share = count as f64 / self.pixels() as f64;
        let light = luminance(background);
        match theme {
            Theme::Dark => assert!(
                light < 0.2,
                "{url} in dark mode: background {background:?} ({light:.2})"
            ),
            Theme::Light => assert!(
                light > 0.8,
                "{url} in light mode: background {background:?} ({light:.2})"
            ),
        }
        assert!(share > 0.3, "{url}: the background covers only {:.0}%", share * 100.0);
    }
}

/// Relative luminance in 0..=1 (Rec. 709 weights on the sRGB values; exact enough here).
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    (0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b)) / 255.0
}
