//! Members' suggestions: a claim a member files for the server's moderators (`/claim suggest`),
//! in one language or both. Moderators approve it (perhaps after editing it) or reject it with a
//! reason; an approved suggestion becomes a claim of that server alone, with an id of its own
//! (`s-<n>`) that the essay may never use.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::claims::{Claim, ClaimKind, Keywords, Section};
use crate::ids::{ClaimId, GuildId, UserId};
use crate::lang::{Lang, Localized};
use crate::text::plain_text;

/// What every suggested claim's id starts with; the essay's loader refuses such ids.
pub const ID_PREFIX: &str = "s-";
/// Suggestions one member may have waiting for the moderators at once.
pub const MAX_PENDING: usize = 3;
/// Bounds of a claim's text in one language, in characters.
pub const TEXT_MIN: usize = 10;
pub const TEXT_MAX: usize = 300;
/// The longest reason a rejection may give.
pub const REASON_MAX: usize = 300;

/// A suggestion's row id; its claim, once approved, is `s-<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SuggestionId(pub i64);

impl SuggestionId {
    pub fn claim_id(self) -> ClaimId {
        ClaimId::new(format!("{ID_PREFIX}{}", self.0))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuggestionStatus {
    Pending,
    Approved,
    Rejected { reason: String },
}

impl SuggestionStatus {
    /// The stored form (the schema's CHECK allows exactly these).
    pub fn as_str(&self) -> &'static str {
        match self {
            SuggestionStatus::Pending => "pending",
            SuggestionStatus::Approved => "approved",
            SuggestionStatus::Rejected { .. } => "rejected",
        }
    }
}

/// A claim's text as a member gave it: one language, or both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SuggestedText {
    pub zh: Option<String>,
    pub en: Option<String>,
}

impl SuggestedText {
    /// Both languages, the one given standing in for the one missing until a moderator adds it.
    pub fn localized(&self) -> Localized {
        let zh = self.zh.clone().or_else(|| self.en.clone()).unwrap_or_default();
        let en = self.en.clone().or_else(|| self.zh.clone()).unwrap_or_default();
        Localized { zh, en }
    }

    pub fn get(&self, lang: Lang) -> Option<&str> {
        lang.pick(&self.zh, &self.en).as_deref()
    }
}

/// A suggestion as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: SuggestionId,
    pub guild: GuildId,
    pub author: UserId,
    /// The member's display name when they filed it: the credit the claim carries.
    pub author_name: String,
    pub text: SuggestedText,
    pub kind: ClaimKind,
    pub deadline: Option<NaiveDate>,
    pub status: SuggestionStatus,
    pub created_at: DateTime<Utc>,
}

impl Suggestion {
    /// The claim an approved suggestion is: filed among the members' suggestions, credited to
    /// its member.
    pub fn claim(&self) -> Claim {
        Claim {
            id: self.id.claim_id(),
            section: Section::Suggested,
            text: self.text.localized(),
            kind: self.kind,
            deadline: self.deadline,
            keywords: Keywords::default(),
            suggested_by: Some(self.author_name.clone()),
        }
    }
}

/// A suggestion's content, checked: what a member files or a moderator's edit leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub text: SuggestedText,
    pub kind: ClaimKind,
    pub deadline: Option<NaiveDate>,
}

/// Why a suggestion (or a rejection) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NoText,
    TextTooShort,
    TextTooLong,
    UnknownKind(String),
    BadDeadline(String),
    DeadlineOnOpinion,
    /// A prediction's deadline must be after today.
    DeadlinePassed,
    TooManyPending,
    NoReason,
}

/// Whether a member with `pending` suggestions waiting may file another.
pub fn may_file(pending: usize) -> Result<(), Problem> {
    if pending >= MAX_PENDING {
        Err(Problem::TooManyPending)
    } else {
        Ok(())
    }
}

/// Whether the text is written in Chinese characters (else it is taken as English).
fn looks_chinese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'))
}

/// One language's text, cleaned (invisible characters dropped, white space folded) and bounded;
/// `None` when left empty.
fn clean_text(raw: &str) -> Result<Option<String>, Problem> {
    let text = plain_text(raw);
    let n = text.chars().count();
    match n {
        0 => Ok(None),
        n if n < TEXT_MIN => Err(Problem::TextTooShort),
        n if n > TEXT_MAX => Err(Problem::TextTooLong),
        _ => Ok(Some(text)),
    }
}

/// `prediction` or `opinion`, in either language.
/// The word for `kind` in `lang` that [`parse_kind`] reads: what the edit form fills in, so that
/// a moderator sees their own language and can send the form back unchanged.
pub fn kind_word(kind: ClaimKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (ClaimKind::Prediction, Lang::En) => "prediction",
        (ClaimKind::Prediction, Lang::Zh) => "预测",
        (ClaimKind::Opinion, Lang::En) => "opinion",
        (ClaimKind::Opinion, Lang::Zh) => "观点",
    }
}

pub fn parse_kind(raw: &str) -> Result<ClaimKind, Problem> {
    match raw.trim().to_lowercase().as_str() {
        "prediction" | "预测" => Ok(ClaimKind::Prediction),
        "opinion" | "观点" => Ok(ClaimKind::Opinion),
        other => Err(Problem::UnknownKind(other.chars().take(40).collect())),
    }
}

fn check_deadline(kind: ClaimKind, raw: Option<&str>, today: NaiveDate) -> Result<Option<NaiveDate>, Problem> {
    let Some(raw) = raw.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let date =
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| Problem::BadDeadline(raw.chars().take(40).collect()))?;
    if kind == ClaimKind::Opinion {
        return Err(Problem::DeadlineOnOpinion);
    }
    if date <= today {
        return Err(Problem::DeadlinePassed);
    }
    Ok(Some(date))
}

/// What a member filed with `/claim suggest`: the text in the language it is written in.
/// Predictions may carry a deadline (as the essay's may); opinions never do.
pub fn member_draft(text: &str, kind: ClaimKind, deadline: Option<&str>, today: NaiveDate) -> Result<Draft, Problem> {
    let text = clean_text(text)?.ok_or(Problem::NoText)?;
    let text = if looks_chinese(&text) {
        SuggestedText {
            zh: Some(text),
            en: None,
        }
    } else {
        SuggestedText {
            zh: None,
            en: Some(text),
        }
    };
    Ok(Draft {
        text,
        kind,
        deadline: check_deadline(kind, deadline, today)?,
    })
}

/// What a moderator's Edit form left: both languages (one may stay empty), the kind and the
/// deadline as typed.
pub fn edited_draft(zh: &str, en: &str, kind: &str, deadline: &str, today: NaiveDate) -> Result<Draft, Problem> {
    let text = SuggestedText {
        zh: clean_text(zh)?,
        en: clean_text(en)?,
    };
    if text.zh.is_none() && text.en.is_none() {
        return Err(Problem::NoText);
    }
    let kind = parse_kind(kind)?;
    Ok(Draft {
        text,
        kind,
        deadline: check_deadline(kind, Some(deadline), today)?,
    })
}

/// A rejection's reason, cleaned and bounded; it is required.
pub fn rejection_reason(raw: &str) -> Result<String, Problem> {
    let reason = plain_text(raw);
    if reason.is_empty() {
        return Err(Problem::NoReason);
    }
    Ok(crate::text::truncate_chars(&reason, REASON_MAX))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_word_reads_back_as_its_kind() {
        for kind in [ClaimKind::Prediction, ClaimKind::Opinion] {
            for lang in [Lang::En, Lang::Zh] {
                assert_eq!(super::parse_kind(super::kind_word(kind, lang)), Ok(kind));
            }
        }
    }

    use super::*;
    use crate::claims::ClaimSet;
    use crate::rotation::{next_claim, Posted};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    fn essay(n: usize) -> ClaimSet {
        let mut text = String::from(
            "[essay]\ntitle={zh=\"t\",en=\"t\"}\nauthor=\"a\"\nurl=\"https://e.x\"\npublished=\"2024-12-25\"\n",
        );
        for i in 0..n {
            text.push_str(&format!(
                "[[claims]]\nid=\"c{i}\"\nsection={{zh=\"s\",en=\"s\"}}\ntext={{zh=\"t\",en=\"t\"}}\nkind=\"opinion\"\n"
            ));
        }
        ClaimSet::parse(&text).unwrap()
    }

    fn approved(id: i64, text: &str) -> Suggestion {
        Suggestion {
            id: SuggestionId(id),
            guild: GuildId(1),
            author: UserId(7),
            author_name: "Ada".into(),
            text: member_draft(text, ClaimKind::Opinion, None, today()).unwrap().text,
            kind: ClaimKind::Opinion,
            deadline: None,
            status: SuggestionStatus::Approved,
            created_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn suggested_claims_come_after_the_essays_in_every_round() {
        let essay = essay(2);
        let suggested = vec![
            approved(9, "Rust will be everywhere").claim(),
            approved(4, "Tabs beat spaces forever").claim(),
        ];
        let set = essay.with_suggested(suggested);
        let mut history = Vec::new();
        let mut seen = Vec::new();
        for _ in 0..9 {
            let pick = next_claim(&set, &history);
            seen.push(format!("{}@{}", pick.claim.id, pick.round));
            history.push(Posted {
                claim_id: pick.claim.id.clone(),
                round: pick.round,
            });
        }
        // In approval order (9 was approved before 4), after the essay's claims, each round.
        assert_eq!(
            seen,
            ["c0@1", "c1@1", "s-9@1", "s-4@1", "c0@2", "c1@2", "s-9@2", "s-4@2", "c0@3"]
        );
        assert_eq!(set.get("s-9").unwrap().suggested_by.as_deref(), Some("Ada"));
        assert!(essay.get("s-9").is_none(), "the essay's own set is untouched");
    }

    #[test]
    fn a_suggestion_approved_mid_round_joins_that_round_after_the_essay() {
        let essay = essay(2);
        let history = vec![
            Posted {
                claim_id: "c0".into(),
                round: 1,
            },
            Posted {
                claim_id: "c1".into(),
                round: 1,
            },
        ];
        // Without suggestions the next post starts round 2.
        assert_eq!(next_claim(&essay, &history).round, 2);
        let set = essay.with_suggested(vec![approved(1, "A late suggestion here").claim()]);
        let pick = next_claim(&set, &history);
        assert_eq!((pick.claim.id.as_str(), pick.round), ("s-1", 1));
    }

    #[test]
    fn one_language_stands_in_for_the_other() {
        let draft = member_draft("  量子计算机将在十年内破解RSA  ", ClaimKind::Opinion, None, today()).unwrap();
        assert_eq!(draft.text.zh.as_deref(), Some("量子计算机将在十年内破解RSA"));
        assert_eq!(draft.text.en, None);
        let both = draft.text.localized();
        assert_eq!(both.en, both.zh);
        let draft = member_draft("Fusion power\u{200B} by 2040", ClaimKind::Opinion, None, today()).unwrap();
        assert_eq!(
            (draft.text.zh, draft.text.en.as_deref()),
            (None, Some("Fusion power by 2040"))
        );
    }

    #[test]
    fn drafts_are_checked() {
        let t = today();
        assert_eq!(member_draft("   ", ClaimKind::Opinion, None, t), Err(Problem::NoText));
        assert_eq!(
            member_draft("too short", ClaimKind::Opinion, None, t),
            Err(Problem::TextTooShort)
        );
        assert_eq!(
            member_draft(&"x".repeat(TEXT_MAX + 1), ClaimKind::Opinion, None, t),
            Err(Problem::TextTooLong)
        );
        let text = "Cats will run the internet";
        assert_eq!(
            member_draft(text, ClaimKind::Opinion, Some("2030-01-01"), t),
            Err(Problem::DeadlineOnOpinion)
        );
        assert_eq!(
            member_draft(text, ClaimKind::Prediction, Some("2026-12-02"), t),
            Err(Problem::DeadlinePassed)
        );
        assert_eq!(
            member_draft(text, ClaimKind::Prediction, Some("next year"), t),
            Err(Problem::BadDeadline("next year".into()))
        );
        let ok = member_draft(text, ClaimKind::Prediction, Some(" 2030-01-01 "), t).unwrap();
        assert_eq!(ok.deadline, NaiveDate::from_ymd_opt(2030, 1, 1));
        assert_eq!(
            member_draft(text, ClaimKind::Prediction, None, t).unwrap().deadline,
            None
        );
    }

    #[test]
    fn edits_carry_both_languages_kind_and_deadline() {
        let t = today();
        let draft = edited_draft(
            "猫将统治互联网的一切",
            "Cats will run the internet",
            "预测",
            "2031-05-01",
            t,
        )
        .unwrap();
        assert_eq!(draft.kind, ClaimKind::Prediction);
        assert_eq!(draft.text.localized().en, "Cats will run the internet");
        assert_eq!(draft.text.localized().zh, "猫将统治互联网的一切");
        assert_eq!(edited_draft("", " ", "opinion", "", t), Err(Problem::NoText));
        assert_eq!(
            edited_draft("", "Cats will run the internet", "guess", "", t),
            Err(Problem::UnknownKind("guess".into()))
        );
        let opinion = edited_draft("", "Cats will run the internet", " Opinion ", "", t).unwrap();
        assert_eq!((opinion.kind, opinion.deadline), (ClaimKind::Opinion, None));
    }

    #[test]
    fn three_pending_at_most_and_a_reason_to_reject() {
        assert_eq!(may_file(0), Ok(()));
        assert_eq!(may_file(MAX_PENDING - 1), Ok(()));
        assert_eq!(may_file(MAX_PENDING), Err(Problem::TooManyPending));
        assert_eq!(rejection_reason(" \u{200B} "), Err(Problem::NoReason));
        assert_eq!(
            rejection_reason(" Already  in the essay "),
            Ok("Already in the essay".into())
        );
        assert!(rejection_reason(&"r".repeat(1000)).unwrap().chars().count() <= REASON_MAX);
    }

    #[test]
    fn claim_ids_have_the_prefix_the_essay_refuses() {
        assert_eq!(SuggestionId(12).claim_id(), "s-12");
        assert!(SuggestionId(12).claim_id().starts_with(ID_PREFIX));
    }
}
