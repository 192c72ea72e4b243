//! The evidence ledger: members judge the news shown beside a claim (supports, contradicts,
//! off-topic), bring their own, and, when a prediction resolves, see who called it. Plain
//! arithmetic over what the store keeps; no Discord, no SQL.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::claims::{Claim, ClaimKind, Outcome, Resolution};
use crate::ids::{ClaimId, PostId, UserId};
use crate::stats::RoundTally;
use crate::votes::{Choice, Question, Tally};

/// One entry of a server's ledger for one claim: a story, however many feeds carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EvidenceId(pub i64);

impl fmt::Display for EvidenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A member's judgment of one story for one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supports,
    Contradicts,
    #[serde(rename = "offtopic")]
    OffTopic,
}

impl Stance {
    pub const ALL: [Stance; 3] = [Stance::Supports, Stance::Contradicts, Stance::OffTopic];

    /// The stored form (the schema's CHECK allows exactly these) and the custom id's.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Contradicts => "contradicts",
            Stance::OffTopic => "offtopic",
        }
    }
}

impl FromStr for Stance {
    type Err = ();

    fn from_str(s: &str) -> Result<Stance, ()> {
        Stance::ALL.into_iter().find(|st| st.as_str() == s).ok_or(())
    }
}

/// Why an entry no longer shows beside its claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Withheld {
    /// Enough members marked it off-topic.
    Members,
    /// A moderator marked it off-topic.
    Moderator,
}

/// A story on the ledger with its marks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: EvidenceId,
    pub claim: ClaimId,
    /// The story's key (canonical link, else the item's identity): what merges copies.
    pub story: String,
    pub title: String,
    pub url: Option<String>,
    pub source: String,
    /// When the story first reached the ledger (shown in a post, or brought by a member).
    pub added_at: DateTime<Utc>,
    /// The member who brought it with `/evidence add`; none for news the bot showed.
    pub submitted_by: Option<UserId>,
    pub supports: u32,
    pub contradicts: u32,
    pub off_topic: u32,
    pub withheld: Option<Withheld>,
}

impl Entry {
    /// Marks on either side: how strongly the community weighed it.
    pub fn weight(&self) -> u32 {
        self.supports + self.contradicts
    }
}

/// What an off-topic mark does to its story, given the marks now standing.
///
/// Members together withhold a story at `min_members` off-topic marks (EVIDENCE_OFFTOPIC_MIN)
/// so that one member cannot hide news from everyone; a moderator's single mark is enough. Once a
/// moderator has put the story back, member marks no longer withhold it: the moderator has ruled.
pub fn withholding(
    off_topic_marks: u32,
    by_moderator: bool,
    kept_by_moderator: bool,
    min_members: u32,
) -> Option<Withheld> {
    if by_moderator {
        Some(Withheld::Moderator)
    } else if !kept_by_moderator && off_topic_marks >= min_members.max(1) {
        Some(Withheld::Members)
    } else {
        None
    }
}

/// A page of a claim's ledger, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerPage {
    pub claim: ClaimId,
    pub entries: Vec<Entry>,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    pub total: usize,
}

/// Entries per page of `/evidence claim:`: ten lines fit an embed's description with room.
pub const LEDGER_PAGE: usize = 10;

/// Where page `page` (1-based) of a ledger of `total` entries is: the page, clamped to those
/// there are, how many pages there are, and how many entries come before it.
pub fn ledger_window(total: usize, page: usize) -> (usize, usize, usize) {
    let pages = total.div_ceil(LEDGER_PAGE).max(1);
    let page = page.clamp(1, pages);
    (page, pages, (page - 1) * LEDGER_PAGE)
}

/// The most marked entries on each side: at most `n` that more members said support the claim
/// than contradict it, and at most `n` the other way. Ties go to the newer entry.
pub fn strongest(entries: &[Entry], n: usize) -> (Vec<Entry>, Vec<Entry>) {
    let mut shown: Vec<&Entry> = entries.iter().filter(|e| e.withheld.is_none()).collect();
    shown.sort_by(|a, b| b.weight().cmp(&a.weight()).then(b.added_at.cmp(&a.added_at)));
    let side = |pick: fn(&Entry) -> bool| shown.iter().filter(|e| pick(e)).take(n).map(|e| (*e).clone()).collect();
    (
        side(|e| e.supports > e.contradicts),
        side(|e| e.contradicts > e.supports),
    )
}

/// One of a member's stance votes as history keeps it: on which claim, when, and what (none:
/// withdrawn).
#[derive(Debug, Clone, PartialEq)]
pub struct StanceChange {
    pub claim: ClaimId,
    pub at: DateTime<Utc>,
    pub choice: Option<Choice>,
}

/// A member's call on one resolved prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    pub claim: ClaimId,
    /// The member's last stance before the deadline.
    pub stance: Choice,
    pub outcome: Outcome,
    /// Agree with "came true" or disagree with "did not" is right, the other way wrong; unsure, or
    /// an unclear outcome, counts neither way.
    pub right: Option<bool>,
}

/// Whether `stance` called `outcome`.
pub fn called(stance: Choice, outcome: Outcome) -> Option<bool> {
    match (stance, outcome) {
        (_, Outcome::Unclear) => None,
        (Choice::Agree, Outcome::Yes) | (Choice::Disagree, Outcome::No) => Some(true),
        (Choice::Agree, Outcome::No) | (Choice::Disagree, Outcome::Yes) => Some(false),
        _ => None,
    }
}

/// A member's calls on the resolved predictions they took a stance on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Calls {
    pub calls: Vec<Call>,
    pub right: u32,
    /// Calls that count (right or wrong).
    pub counted: u32,
}

impl Calls {
    /// The share right, when any call counts.
    pub fn share_right(&self) -> Option<f64> {
        (self.counted > 0).then(|| f64::from(self.right) / f64::from(self.counted))
    }
}

/// The member's calls: for each resolved prediction, their last stance vote cast before the end of
/// its deadline day (in UTC, as deadlines are dates), across every round it was asked. A vote
/// withdrawn before the deadline leaves no stance.
pub fn calls(history: &[StanceChange], claims: &[Claim], resolutions: &[Resolution]) -> Calls {
    let mut last: HashMap<&ClaimId, (DateTime<Utc>, Option<Choice>)> = HashMap::new();
    let deadline_of = |claim: &ClaimId| {
        claims
            .iter()
            .find(|c| &c.id == claim && c.kind == ClaimKind::Prediction)
            .and_then(|c| c.deadline)
    };
    for change in history {
        let Some(deadline) = deadline_of(&change.claim) else {
            continue;
        };
        if change.at >= end_of(deadline) || change.choice.is_some_and(|c| c.question() != Question::Stance) {
            continue;
        }
        let slot = last.entry(&change.claim).or_insert((change.at, change.choice));
        if change.at >= slot.0 {
            *slot = (change.at, change.choice);
        }
    }
    let mut out = Calls::default();
    for resolution in resolutions {
        let Some((_, Some(stance))) = last.get(&resolution.claim_id) else {
            continue;
        };
        let right = called(*stance, resolution.outcome);
        if let Some(r) = right {
            out.counted += 1;
            out.right += u32::from(r);
        }
        out.calls.push(Call {
            claim: resolution.claim_id.clone(),
            stance: *stance,
            outcome: resolution.outcome,
            right,
        });
    }
    out.calls.sort_by(|a, b| a.claim.cmp(&b.claim));
    out
}

fn end_of(day: NaiveDate) -> DateTime<Utc> {
    day.succ_opt().unwrap_or(day).and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Where a prediction of the essay stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    CameTrue,
    DidNot,
    Unclear,
    /// Not resolved yet (due or not).
    Pending,
}

impl Standing {
    pub fn of(resolution: Option<&Resolution>) -> Standing {
        match resolution.map(|r| r.outcome) {
            Some(Outcome::Yes) => Standing::CameTrue,
            Some(Outcome::No) => Standing::DidNot,
            Some(Outcome::Unclear) => Standing::Unclear,
            None => Standing::Pending,
        }
    }
}

/// One prediction on the scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreLine {
    pub claim: Claim,
    pub standing: Standing,
    /// The server's verdict votes (came true, not yet, too early).
    pub verdict: Tally,
}

/// The essay's predictions and how they stand, in essay order, with totals per standing.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub lines: Vec<ScoreLine>,
    pub came_true: u32,
    pub did_not: u32,
    pub unclear: u32,
    pub pending: u32,
}

pub fn scorecard(claims: &[Claim], resolutions: &[Resolution], verdicts: &HashMap<ClaimId, Tally>) -> Scorecard {
    let mut card = Scorecard {
        lines: Vec::new(),
        came_true: 0,
        did_not: 0,
        unclear: 0,
        pending: 0,
    };
    for claim in claims.iter().filter(|c| c.kind == ClaimKind::Prediction) {
        let standing = Standing::of(resolutions.iter().find(|r| r.claim_id == claim.id));
        *match standing {
            Standing::CameTrue => &mut card.came_true,
            Standing::DidNot => &mut card.did_not,
            Standing::Unclear => &mut card.unclear,
            Standing::Pending => &mut card.pending,
        } += 1;
        card.lines.push(ScoreLine {
            claim: claim.clone(),
            standing,
            verdict: verdicts.get(&claim.id).cloned().unwrap_or_default(),
        });
    }
    card
}

/// What the resolution card shows: the ruling, the community's stance in every round, the verdict
/// votes, and the strongest evidence on each side.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolutionCard {
    pub claim: Claim,
    pub resolution: Resolution,
    pub rounds: Vec<RoundTally>,
    pub verdict: Tally,
    pub supporting: Vec<Entry>,
    pub contradicting: Vec<Entry>,
}

/// How many entries on each side a resolution card and `/claim show` name.
pub const STRONGEST: usize = 3;

/// The Evidence panel of one post, as one member sees it: the post's news, each with its marks
/// and the member's own.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub post: PostId,
    pub claim: ClaimId,
    pub entries: Vec<(Entry, Option<Stance>)>,
    /// The mark just given, when the panel answers a click.
    pub marked: Option<(EvidenceId, Stance)>,
}

/// What `/evidence add` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    pub entry: Entry,
    /// The story was already on the ledger; the member's stance joined it.
    pub merged: bool,
}

/// A member's calls, for the export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberCalls {
    pub user: UserId,
    #[serde(flatten)]
    pub calls: Calls,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Keywords;
    use crate::lang::Localized;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn prediction(id: &str, deadline: &str) -> Claim {
        Claim {
            id: ClaimId::new(id),
            section: crate::claims::Section::Essay(Localized {
                zh: "节".into(),
                en: "Section".into(),
            }),
            text: Localized {
                zh: "预测".into(),
                en: "A prediction".into(),
            },
            kind: ClaimKind::Prediction,
            deadline: Some(deadline.parse().unwrap()),
            keywords: Keywords::default(),
            suggested_by: None,
        }
    }

    fn resolved(id: &str, outcome: Outcome) -> Resolution {
        Resolution {
            claim_id: ClaimId::new(id),
            outcome,
            note: String::new(),
            resolved_by: UserId(1),
            resolved_at: at("2026-06-01T00:00:00Z"),
        }
    }

    fn change(claim: &str, when: &str, choice: Option<Choice>) -> StanceChange {
        StanceChange {
            claim: ClaimId::new(claim),
            at: at(when),
            choice,
        }
    }

    fn entry(id: i64, added: &str, supports: u32, contradicts: u32) -> Entry {
        Entry {
            id: EvidenceId(id),
            claim: ClaimId::new("c"),
            story: format!("s{id}"),
            title: format!("t{id}"),
            url: None,
            source: "feed".into(),
            added_at: at(added),
            submitted_by: None,
            supports,
            contradicts,
            off_topic: 0,
            withheld: None,
        }
    }

    #[test]
    fn off_topic_threshold_moderator_and_undo() {
        assert_eq!(withholding(2, false, false, 3), None);
        assert_eq!(withholding(3, false, false, 3), Some(Withheld::Members));
        assert_eq!(withholding(1, true, false, 3), Some(Withheld::Moderator));
        // Put back by a moderator: members cannot withhold it again, a moderator can.
        assert_eq!(withholding(9, false, true, 3), None);
        assert_eq!(withholding(9, true, true, 3), Some(Withheld::Moderator));
        // A threshold of zero would withhold every story unmarked; one mark is the least.
        assert_eq!(withholding(0, false, false, 0), None);
        assert_eq!(withholding(1, false, false, 0), Some(Withheld::Members));
    }

    #[test]
    fn a_ledger_page_is_clamped_to_the_pages_there_are() {
        // 22 shown entries: three pages of ten, ten and two.
        assert_eq!(ledger_window(22, 1), (1, 3, 0));
        assert_eq!(ledger_window(22, 3), (3, 3, 20));
        assert_eq!(ledger_window(22, 99), (3, 3, 20), "past the end: the last page");
        assert_eq!(ledger_window(22, 0), (1, 3, 0), "before the start: the first");
        assert_eq!(ledger_window(20, 2), (2, 2, 10), "exactly two pages");
        assert_eq!(ledger_window(0, 5), (1, 1, 0), "an empty ledger is one empty page");
    }

    #[test]
    fn strongest_takes_each_side_by_marks() {
        let mut entries = vec![
            entry(1, "2026-01-01T00:00:00Z", 5, 1),
            entry(2, "2026-01-02T00:00:00Z", 2, 0),
            entry(3, "2026-01-03T00:00:00Z", 0, 4),
            entry(4, "2026-01-04T00:00:00Z", 3, 3),
            entry(5, "2026-01-05T00:00:00Z", 9, 0),
        ];
        entries[4].withheld = Some(Withheld::Moderator);
        let (support, against) = strongest(&entries, 3);
        assert_eq!(support.iter().map(|e| e.id.0).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(against.iter().map(|e| e.id.0).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn calls_take_the_last_stance_before_the_deadline_across_rounds() {
        let claims = vec![
            prediction("a", "2025-12-31"),
            prediction("b", "2025-12-31"),
            prediction("c", "2025-12-31"),
            prediction("d", "2025-12-31"),
        ];
        let history = vec![
            // a: disagreed in round 1, agreed in round 2 (before the deadline), disagreed after it.
            change("a", "2025-03-01T09:00:00Z", Some(Choice::Disagree)),
            change("a", "2025-09-01T09:00:00Z", Some(Choice::Agree)),
            change("a", "2026-01-02T09:00:00Z", Some(Choice::Disagree)),
            // b: disagreed; it came true.
            change("b", "2025-12-31T23:59:00Z", Some(Choice::Disagree)),
            // c: unsure counts neither way.
            change("c", "2025-05-01T00:00:00Z", Some(Choice::Unsure)),
            // d: agreed, then withdrew: no stance.
            change("d", "2025-05-01T00:00:00Z", Some(Choice::Agree)),
            change("d", "2025-05-02T00:00:00Z", None),
        ];
        let resolutions = vec![
            resolved("a", Outcome::Yes),
            resolved("b", Outcome::Yes),
            resolved("c", Outcome::No),
            resolved("d", Outcome::Yes),
        ];
        let calls = calls(&history, &claims, &resolutions);
        let summary: Vec<(&str, Choice, Option<bool>)> = calls
            .calls
            .iter()
            .map(|c| (c.claim.as_str(), c.stance, c.right))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a", Choice::Agree, Some(true)),
                ("b", Choice::Disagree, Some(false)),
                ("c", Choice::Unsure, None),
            ]
        );
        assert_eq!((calls.right, calls.counted), (1, 2));
        assert_eq!(calls.share_right(), Some(0.5));
    }

    #[test]
    fn unclear_outcomes_count_neither_way() {
        let claims = vec![prediction("a", "2025-12-31")];
        let history = vec![change("a", "2025-03-01T09:00:00Z", Some(Choice::Agree))];
        let calls = calls(&history, &claims, &[resolved("a", Outcome::Unclear)]);
        assert_eq!(calls.calls.len(), 1);
        assert_eq!(calls.calls[0].right, None);
        assert_eq!(calls.share_right(), None);
        assert_eq!(called(Choice::Disagree, Outcome::No), Some(true));
        assert_eq!(called(Choice::Agree, Outcome::No), Some(false));
        assert_eq!(called(Choice::Unsure, Outcome::Yes), None);
    }

    #[test]
    fn scorecard_counts_each_standing_in_essay_order() {
        let claims = vec![
            prediction("a", "2025-12-31"),
            prediction("b", "2025-12-31"),
            prediction("c", "2026-12-31"),
            prediction("d", "2025-06-30"),
        ];
        let mut verdicts = HashMap::new();
        verdicts.insert(
            ClaimId::new("a"),
            Tally::from_counts([(Choice::Yes, 4), (Choice::No, 1)]),
        );
        let card = scorecard(
            &claims,
            &[
                resolved("a", Outcome::Yes),
                resolved("b", Outcome::No),
                resolved("d", Outcome::Unclear),
            ],
            &verdicts,
        );
        assert_eq!((card.came_true, card.did_not, card.unclear, card.pending), (1, 1, 1, 1));
        let order: Vec<(&str, Standing)> = card.lines.iter().map(|l| (l.claim.id.as_str(), l.standing)).collect();
        assert_eq!(
            order,
            vec![
                ("a", Standing::CameTrue),
                ("b", Standing::DidNot),
                ("c", Standing::Pending),
                ("d", Standing::Unclear),
            ]
        );
        assert_eq!(card.lines[0].verdict.count(Choice::Yes), 4);
        assert_eq!(card.lines[1].verdict.voters(), 0);
    }

    #[test]
    fn stances_parse_strictly() {
        for stance in Stance::ALL {
            assert_eq!(stance.as_str().parse(), Ok(stance));
        }
        assert!("off-topic".parse::<Stance>().is_err());
    }
}
