//! The essay and its claims, loaded from a TOML data file (CLAIMS_FILE) and validated.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::ids::ClaimId;
use super::lang::{Lang, Localized};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimKind {
    Prediction,
    Opinion,
}

impl ClaimKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Prediction => "prediction",
            ClaimKind::Opinion => "opinion",
        }
    }
}

/// What a moderator records once a prediction's deadline has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It came true.
    Yes,
    /// It did not come true.
    No,
    /// The evidence does not settle it.
    Unclear,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Yes, Outcome::No, Outcome::Unclear];

    /// The stored form (the schema's CHECK allows exactly these).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Yes => "yes",
            Outcome::No => "no",
            Outcome::Unclear => "unclear",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets a test or a caller compare with the stored form directly.
impl PartialEq<&str> for Outcome {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::str::FromStr for Outcome {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| format!("unknown outcome `{s}`"))
    }
}

/// A server's ruling on one prediction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub claim_id: ClaimId,
    pub outcome: Outcome,
    pub note: String,
    pub resolved_by: crate::ids::UserId,
    pub resolved_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Essay {
    pub title: Localized,
    pub author: String,
    pub url: String,
    pub translation_url: Option<String>,
    pub published: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Keywords {
    pub en: Vec<String>,
    pub zh: Vec<String>,
}

/// Where a claim sits: under a heading of the essay (in both languages, from the claims file),
/// or among a server's approved suggestions, whose heading is words the renderers own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Section {
    Essay(Localized),
    Suggested,
}

impl Section {
    /// The essay's heading in `lang`; `None` for members' suggestions.
    pub fn essay_heading(&self, lang: Lang) -> Option<&str> {
        match self {
            Section::Essay(heading) => Some(heading.get(lang)),
            Section::Suggested => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub id: ClaimId,
    pub section: Section,
    pub text: Localized,
    pub kind: ClaimKind,
    pub deadline: Option<NaiveDate>,
    pub keywords: Keywords,
    /// For a member's suggestion approved in one server: the member's display name when they
    /// filed it (shown as credit, never as a mention). `None` for the essay's own claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_by: Option<String>,
}

impl Claim {
    /// A prediction whose deadline is before `today` is asked as "did it come true?".
    pub fn is_due(&self, today: NaiveDate) -> bool {
        self.kind == ClaimKind::Prediction && self.deadline.is_some_and(|d| d < today)
    }
}

/// A validated essay with its claims in essay order.
#[derive(Debug, Clone)]
pub struct ClaimSet {
    pub essay: Essay,
    claims: Vec<Claim>,
}

impl ClaimSet {
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    pub fn get(&self, id: &str) -> Option<&Claim> {
        self.claims.iter().find(|c| c.id == id)
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.claims.iter().position(|c| c.id == id)
    }

    /// Up to `limit` claim ids that contain `part`: what to suggest after a mistyped id.
    pub fn ids_containing(&self, part: &str, limit: usize) -> Vec<&str> {
        self.claims
            .iter()
            .map(|c| c.id.as_str())
            .filter(|id| id.contains(part))
            .take(limit)
            .collect()
    }

    /// One server's set: the essay's claims in essay order, then `suggested` (that server's
    /// approved suggestions, in approval order). The rotation walks the set in this order, so
    /// within each round the essay's claims come first and the suggestions after them.
    pub fn with_suggested(&self, suggested: Vec<Claim>) -> ClaimSet {
        let mut claims = self.claims.clone();
        claims.extend(suggested.into_iter().filter(|c| self.get(&c.id).is_none()));
        ClaimSet {
            essay: self.essay.clone(),
            claims,
        }
    }

    pub fn load(path: &Path) -> Result<ClaimSet, ClaimFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| ClaimFileError {
            problems: vec![Problem::file(format!("cannot read {}: {e}", path.display()))],
        })?;
        ClaimSet::parse(&text)
    }

    /// Parses and validates; every problem found is reported, each naming its claim and field.
    pub fn parse(text: &str) -> Result<ClaimSet, ClaimFileError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ClaimFileError {
            problems: vec![Problem::file(format!("not valid TOML: {}", e.message().trim()))],
        })?;
        let mut problems = Vec::new();
        let essay = validate_essay(raw.essay, &mut problems);
        if raw.claims.is_empty() {
            problems.push(Problem::file("no [[claims]] entries".into()));
        }
        let mut seen = HashSet::new();
        let mut claims = Vec::with_capacity(raw.claims.len());
        for (index, raw_claim) in raw.claims.into_iter().enumerate() {
            if let Some(claim) = validate_claim(index, raw_claim, &mut seen, &mut problems) {
                claims.push(claim);
            }
        }
        match (essay, problems.is_empty()) {
            (Some(essay), true) => Ok(ClaimSet { essay, claims }),
            _ => Err(ClaimFileError { problems }),
        }
    }
}

/// One thing wrong with a claims file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `essay`, a claim id, `claims[3]` when the id itself is missing, or `file`.
    pub place: String,
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    fn file(message: String) -> Problem {
        Problem {
            place: "file".into(),
            field: None,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {}: {}", self.place, field, self.message),
            None => write!(f, "{}: {}", self.place, self.message),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFileError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ClaimFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ClaimFileError {}

// The file is read into all-optional shapes first, so that a missing field becomes a named
// problem in our report rather than serde stopping at the first one.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    essay: Option<RawEssay>,
    #[serde(default)]
    claims: Vec<RawClaim>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEssay {
    title: Option<RawLocalized>,
    author: Option<String>,
    url: Option<String>,
    translation_url: Option<String>,
    published: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    id: Option<String>,
    section: Option<RawLocalized>,
    text: Option<RawLocalized>,
    kind: Option<String>,
    deadline: Option<String>,
    keywords: Option<RawKeywords>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalized {
    zh: Option<String>,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeywords {
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    zh: Vec<String>,
}

struct Reporter<'a> {
    place: String,
    problems: &'a mut Vec<Problem>,
}

impl Reporter<'_> {
    fn report(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            place: self.place.clone(),
            field: Some(field.to_string()),
            message: message.into(),
        });
    }

    fn required_text(&mut self, field: &str, value: Option<String>) -> Option<String> {
        match value.map(|v| v.trim().to_string()) {
            // Claims files come from communities, and their text reaches terminals and Discord:
            // a control character (a terminal escape, a line break in a title) is refused.
            Some(v) if v.chars().any(char::is_control) => {
                self.report(
                    field,
                    "holds a control character (a line break, tab or terminal escape)",
                );
                None
            }
            Some(v) if !v.is_empty() => Some(v),
            Some(_) => {
                self.report(field, "is empty");
                None
            }
            None => {
                self.report(field, "is missing");
                None
            }
        }
    }

    fn localized(&mut self, field: &str, value: Option<RawLocalized>) -> Option<Localized> {
        let Some(raw) = value else {
            self.report(field, "is missing (needs zh and en)");
            return None;
        };
        let zh = self.required_text(&format!("{field}.zh"), raw.zh);
        let en = self.required_text(&format!("{field}.en"), raw.en);
        Some(Localized { zh: zh?, en: en? })
    }

    fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.report(field, format!("`{}` is not a date (YYYY-MM-DD)", value.escape_debug()));
                None
            }
        }
    }

    fn http_url(&mut self, field: &str, value: &str) {
        match url::Url::parse(value) {
            // Discord takes at most 512 characters in a link button, where the essay's link goes.
            Ok(u) if u.as_str().len() > 512 => self.report(field, "is longer than 512 characters"),
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => self.report(field, format!("`{}` is not an http(s) URL", value.escape_debug())),
        }
    }
}

fn validate_essay(raw: Option<RawEssay>, problems: &mut Vec<Problem>) -> Option<Essay> {
    let mut r = Reporter {
        place: "essay".into(),
        problems,
    };
    let Some(raw) = raw else {
        r.problems.push(Problem::file("the [essay] table is missing".into()));
        return None;
    };
    let title = r.localized("title", raw.title);
    let author = r.required_text("author", raw.author);
    let url = r.required_text("url", raw.url);
    if let Some(u) = &url {
        r.http_url("url", u);
    }
    if let Some(u) = &raw.translation_url {
        r.http_url("translation_url", u);
    }
    let published = r
        .required_text("published", raw.published)
        .and_then(|d| r.date("published", &d));
    Some(Essay {
        title: title?,
        author: author?,
        url: url?,
        translation_url: raw.translation_url,
        published: published?,
    })
}

fn validate_claim(
    index: usize,
    raw: RawClaim,
    seen: &mut HashSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<Claim> {
    let id = raw.id.as_deref().map(str::trim).unwrap_or_default().to_string();
    // The id names the claim in every message about it, so it is shown only once known to be a slug.
    let slug = id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let place = if id.is_empty() || !slug {
        format!("claims[{index}]")
    } else {
        id.clone()
    };
    let mut r = Reporter { place, problems };
    if id.is_empty() {
        r.report("id", "is missing or empty");
    } else if !slug || id.len() > 64 {
        r.report("id", "must be a slug of a-z, 0-9 and '-', at most 64 characters");
    } else if id.starts_with(crate::suggestions::ID_PREFIX) {
        r.report(
            "id",
            format!(
                "must not start with `{}`: those ids belong to members' suggestions",
                crate::suggestions::ID_PREFIX
            ),
        );
    } else if !seen.insert(id.clone()) {
        r.report("id", "is used by an earlier claim; ids must be unique");
    }
    let section = r.localized("section", raw.section);
    let text = r.localized("text", raw.text);
    let kind = match raw.kind.as_deref().map(str::trim) {
        Some("prediction") => Some(ClaimKind::Prediction),
        Some("opinion") => Some(ClaimKind::Opinion),
        Some(other) => {
            r.report(
                "kind",
                format!("`{}` is not `prediction` or `opinion`", other.escape_debug()),
            );
            None
        }
        None => {
            r.report("kind", "is missing");
            None
        }
    };
    let deadline = match raw.deadline.as_deref() {
        Some(d) => {
            let parsed = r.date("deadline", d);
            if parsed.is_some() && kind == Some(ClaimKind::Opinion) {
                r.report("deadline", "only predictions have a deadline");
            }
            parsed
        }
        None => None,
    };
    let keywords = raw
        .keywords
        .map(|k| {
            for (lang, list) in [("en", &k.en), ("zh", &k.zh)] {
                if list.iter().any(|w| w.trim().is_empty()) {
                    r.report(&format!("keywords.{lang}"), "has an empty keyword");
                }
            }
            Keywords { en: k.en, zh: k.zh }
        })
        .unwrap_or_default();
    if id.is_empty() {
        return None;
    }
    Some(Claim {
        id: ClaimId::new(id),
        section: Section::Essay(section?),
        text: text?,
        kind: kind?,
        deadline,
        keywords,
        suggested_by: None,
    })
}

/// Counts of claims per section, in essay order, for `claims check`.
pub fn sections(set: &ClaimSet, lang: Lang) -> Vec<(String, usize)> {
    let mut order: Vec<String> = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in set.claims() {
        let Some(name) = c.section.essay_heading(lang).map(str::to_string) else {
            continue;
        };
        if !counts.contains_key(&name) {
            order.push(name.clone());
        }
        *counts.entry(name).or_default() += 1;
    }
    order.into_iter().map(|s| (s.clone(), counts[&s])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESSAY: &str = r#"
[essay]
title = { zh = "标题", en = "Title" }
author = "A"
url = "https://example.com/post"
published = "2024-12-25"
"#;

    fn with_claims(claims: &str) -> String {
        format!("{ESSAY}\n{claims}")
    }

    #[test]
    fn shipped_claims_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/claims.toml");
        let set = ClaimSet::load(&path).expect("data/claims.toml must validate");
        assert!((35..=50).contains(&set.claims().len()), "{} claims", set.claims().len());
        let math = set.get("math-700-days").unwrap();
        assert_eq!(math.deadline, NaiveDate::from_ymd_opt(2026, 11, 25));
        assert_eq!(set.essay.published, NaiveDate::from_ymd_opt(2024, 12, 25).unwrap());
    }

    #[test]
    fn valid_claim_parses_with_optional_fields() {
        let text = with_claims(
            r#"
[[claims]]
id = "a"
section = { zh = "一", en = "One" }
text = { zh = "甲", en = "Alpha" }
kind = "opinion"
"#,
        );
        let set = ClaimSet::parse(&text).unwrap();
        assert_eq!(set.claims()[0].id, "a");
        assert!(set.claims()[0].keywords.en.is_empty());
    }

    #[test]
    fn every_problem_names_claim_and_field() {
        let text = with_claims(
            r#"
[[claims]]
id = "dup"
section = { zh = "一", en = "One" }
text = { zh = "甲", en = "" }
kind = "prediction"
deadline = "2025-02-30"

[[claims]]
id = "dup"
section = { zh = "一" }
text = { zh = "乙", en = "B" }
kind = "guess"

[[claims]]
section = { zh = "一", en = "One" }
text = { zh = "丙", en = "C" }
kind = "opinion"
"#,
        );
        let err = ClaimSet::parse(&text).unwrap_err();
        let lines: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        let expect = [
            "dup: text.en: is empty",
            "dup: deadline: `2025-02-30` is not a date (YYYY-MM-DD)",
            "dup: id: is used by an earlier claim; ids must be unique",
            "dup: section.en: is missing",
            "dup: kind: `guess` is not `prediction` or `opinion`",
            "claims[2]: id: is missing or empty",
        ];
        for e in expect {
            assert!(lines.iter().any(|l| l == e), "missing `{e}` in {lines:#?}");
        }
        assert_eq!(lines.len(), expect.len(), "{lines:#?}");
    }

    #[test]
    fn essay_problems_are_reported() {
        let err = ClaimSet::parse(
            "[essay]\ntitle = { zh = \"t\" }\nurl = \"ftp://x\"\npublished = \"soon\"\n[[claims]]\nid=\"a\"\nsection={zh=\"a\",en=\"a\"}\ntext={zh=\"a\",en=\"a\"}\nkind=\"opinion\"\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("essay: title.en: is missing"), "{text}");
        assert!(text.contains("essay: author: is missing"), "{text}");
        assert!(text.contains("essay: url: `ftp://x` is not an http(s) URL"), "{text}");
        assert!(text.contains("essay: published: `soon` is not a date"), "{text}");
    }

    #[test]
    fn control_characters_and_odd_ids_are_refused_without_being_echoed() {
        let text = with_claims(
            "[[claims]]\nid=\"x\\u001b[2J\"\nsection={zh=\"a\",en=\"a\"}\ntext={zh=\"甲\\u001b]0;owned\\u0007\",en=\"two\\nlines\"}\nkind=\"x\\u001b[31m\"\n",
        );
        let err = ClaimSet::parse(&text).unwrap_err().to_string();
        assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
        assert!(err.contains("claims[0]: id: must be a slug"), "{err}");
        assert!(err.contains("claims[0]: text.zh: holds a control character"), "{err}");
        assert!(err.contains("claims[0]: text.en: holds a control character"), "{err}");
        assert!(err.contains("claims[0]: kind: `x\\u{1b}[31m` is not"), "{err}");
        let long = format!("https://example.com/{}", "a".repeat(600));
        let valid = "[[claims]]\nid=\"a\"\nsection={zh=\"a\",en=\"a\"}\ntext={zh=\"a\",en=\"a\"}\nkind=\"opinion\"\n";
        let err = ClaimSet::parse(&with_claims(valid).replace("https://example.com/post", &long))
            .unwrap_err()
            .to_string();
        assert!(err.contains("essay: url: is longer than 512 characters"), "{err}");
    }

    #[test]
    fn opinion_with_deadline_and_bad_toml_are_refused() {
        let text = with_claims(
            "[[claims]]\nid=\"o\"\nsection={zh=\"a\",en=\"a\"}\ntext={zh=\"a\",en=\"a\"}\nkind=\"opinion\"\ndeadline=\"2025-01-01\"\n",
        );
        let err = ClaimSet::parse(&text).unwrap_err();
        assert_eq!(err.to_string(), "o: deadline: only predictions have a deadline");
        let err = ClaimSet::parse("[essay\n").unwrap_err();
        assert!(err.to_string().starts_with("file: not valid TOML"), "{err}");
        let err = ClaimSet::parse(&format!("{ESSAY}\n[[claims]]\nid=\"x\"\nsurprise=1\n")).unwrap_err();
        assert!(err.to_string().contains("surprise"), "{err}");
    }

    #[test]
    fn ids_of_suggestions_are_refused_in_the_essay() {
        let text = with_claims(
            "[[claims]]\nid=\"s-1\"\nsection={zh=\"a\",en=\"a\"}\ntext={zh=\"a\",en=\"a\"}\nkind=\"opinion\"\n",
        );
        let err = ClaimSet::parse(&text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s-1: id: must not start with `s-`: those ids belong to members' suggestions"
        );
        // A slug that merely contains `s-` elsewhere is fine.
        let text = with_claims(
            "[[claims]]\nid=\"its-1\"\nsection={zh=\"a\",en=\"a\"}\ntext={zh=\"a\",en=\"a\"}\nkind=\"opinion\"\n",
        );
        assert!(ClaimSet::parse(&text).is_ok());
    }

    #[test]
    fn due_only_for_predictions_past_deadline() {
        let set = ClaimSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/claims.toml")).unwrap();
        let math = set.get("math-700-days").unwrap();
        assert!(!math.is_due(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()));
        assert!(math.is_due(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
        let opinion = set.claims().iter().find(|c| c.kind == ClaimKind::Opinion).unwrap();
        assert!(!opinion.is_due(NaiveDate::from_ymd_opt(2100, 1, 1).unwrap()));
    }
}
