//! The public tally page of a server (`/digest web enable`): what the site is (its slug) and the
//! views its pages are drawn from. Plain data: the services fill them, `render::web` draws them.

use chrono::NaiveDate;

use crate::claims::{Claim, ClaimKind, Essay, Outcome, Resolution};
use crate::ids::ClaimId;
use crate::lang::Lang;
use crate::stats::{self, Highlights, RoundTally};
use crate::votes::{Choice, Question, Tally};

/// The shortest slug: 22 base64url characters carry 132 bits, above the 128 the site needs.
pub const SLUG_MIN_LEN: usize = 22;
/// The longest slug the schema takes.
pub const SLUG_MAX_LEN: usize = 64;

/// A server's site as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub slug: String,
    /// Moderators let search engines index the pages (`/digest web enable index:true`).
    pub indexable: bool,
}

/// Whether `s` has the form of a slug (base64url, length in range). A path that does not is
/// answered 404 before the database is asked.
pub fn is_slug(s: &str) -> bool {
    (SLUG_MIN_LEN..=SLUG_MAX_LEN).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One claim on the server page: its running tally across rounds.
#[derive(Debug, Clone)]
pub struct ClaimLine {
    pub claim: Claim,
    /// Stance votes (agree / disagree / unsure) over every round.
    pub total: Tally,
    pub rounds: u32,
    pub first_posted: NaiveDate,
    /// Change of the agreement share from the first round with votes to the last, in points.
    pub shift: Option<f64>,
}

/// A prediction whose deadline has passed, with the server's verdict votes and its resolution.
#[derive(Debug, Clone)]
pub struct DueLine {
    pub claim: Claim,
    pub verdict: Tally,
    pub resolution: Option<Resolution>,
}

/// The essay's scorecard in one server: how its predictions fared, and how well the members'
/// verdict votes called the outcomes the moderators recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scorecard {
    /// Predictions in the essay.
    pub predictions: u32,
    /// Predictions whose deadline has passed.
    pub due: u32,
    pub came_true: u32,
    pub did_not: u32,
    pub unclear: u32,
    /// Due predictions with no resolution yet.
    pub awaiting: u32,
    /// Resolved yes or no with a verdict majority of yes or no: (the majority was right, such claims).
    pub members_right: (u32, u32),
}

/// The scorecard of `due` (every due prediction of the essay) out of `predictions` in all.
pub fn scorecard(predictions: u32, due: &[DueLine]) -> Scorecard {
    let mut card = Scorecard {
        predictions,
        due: due.len() as u32,
        ..Scorecard::default()
    };
    for line in due {
        let Some(resolution) = &line.resolution else {
            card.awaiting += 1;
            continue;
        };
        match resolution.outcome {
            Outcome::Yes => card.came_true += 1,
            Outcome::No => card.did_not += 1,
            Outcome::Unclear => card.unclear += 1,
        }
        let (yes, no) = (line.verdict.count(Choice::Yes), line.verdict.count(Choice::No));
        let majority = match yes.cmp(&no) {
            std::cmp::Ordering::Greater => Some(Outcome::Yes),
            std::cmp::Ordering::Less => Some(Outcome::No),
            std::cmp::Ordering::Equal => None,
        };
        if let (Some(majority), Outcome::Yes | Outcome::No) = (majority, resolution.outcome) {
            card.members_right.1 += 1;
            if majority == resolution.outcome {
                card.members_right.0 += 1;
            }
        }
    }
    card
}

/// The claim with the largest shift (either way) across rounds, with the shift in points.
pub fn biggest_shift(claims: &[ClaimLine]) -> Option<(ClaimId, f64)> {
    claims
        .iter()
        .filter_map(|c| c.shift.filter(|s| *s != 0.0).map(|s| (c.claim.id.clone(), s)))
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()).then_with(|| b.0.cmp(&a.0)))
}

/// The server page: every claim posted so far, the highlights, due predictions, the scorecard.
#[derive(Debug, Clone)]
pub struct ServerPage {
    /// The server's language (the page's, unless the reader asks for the other).
    pub lang: Lang,
    pub indexable: bool,
    pub essay: Essay,
    /// In the order they were first posted.
    pub claims: Vec<ClaimLine>,
    pub highlights: Highlights,
    pub biggest_shift: Option<(ClaimId, f64)>,
    pub due: Vec<DueLine>,
    pub scorecard: Scorecard,
    /// Whether any member chose to appear on the leaderboard page.
    pub has_leaderboard: bool,
}

/// One round of a claim as the claim page shows it.
#[derive(Debug, Clone)]
pub struct RoundLine {
    pub round: RoundTally,
    pub question: Question,
}

/// The claim page.
#[derive(Debug, Clone)]
pub struct ClaimPage {
    pub lang: Lang,
    pub indexable: bool,
    pub essay: Essay,
    pub claim: Claim,
    /// Oldest first.
    pub rounds: Vec<RoundLine>,
    /// Verdict votes over every round (predictions past their deadline).
    pub verdict: Tally,
    pub resolution: Option<Resolution>,
    /// The claim's evidence ledger in this server, newest first, withheld stories left out.
    pub evidence: Vec<crate::evidence::Entry>,
}

impl ClaimPage {
    pub fn is_prediction(&self) -> bool {
        self.claim.kind == ClaimKind::Prediction
    }

    /// Each round's share of agreement (rounds with stance votes), for the chart.
    pub fn agreement_by_round(&self) -> Vec<(u32, f64)> {
        self.rounds
            .iter()
            .filter_map(|r| stats::agree_share(&r.round.tally).map(|s| (r.round.round, s)))
            .collect()
    }
}

/// One member on the site's leaderboard: only those who chose `/me web:show`, under the name
/// they had then. Never a user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderLine {
    pub name: String,
    pub votes: u32,
    pub current_streak: u32,
    pub longest_streak: u32,
}

/// The leaderboard page.
#[derive(Debug, Clone)]
pub struct LeaderboardPage {
    pub lang: Lang,
    pub indexable: bool,
    pub essay: Essay,
    pub members: Vec<LeaderLine>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::lang::Localized;

    fn claim(id: &str) -> Claim {
        Claim {
            id: id.into(),
            section: crate::claims::Section::Essay(Localized::default()),
            text: Localized::default(),
            kind: ClaimKind::Prediction,
            deadline: None,
            keywords: Default::default(),
            suggested_by: None,
        }
    }

    fn due(id: &str, yes: u32, no: u32, outcome: Option<Outcome>) -> DueLine {
        DueLine {
            claim: claim(id),
            verdict: Tally::from_counts([(Choice::Yes, yes), (Choice::No, no)]),
            resolution: outcome.map(|outcome| Resolution {
                claim_id: id.into(),
                outcome,
                note: String::new(),
                resolved_by: UserId(1),
                resolved_at: chrono::DateTime::UNIX_EPOCH,
            }),
        }
    }

    #[test]
    fn the_scorecard_counts_outcomes_and_how_often_the_members_called_them() {
        let lines = [
            due("a", 5, 1, Some(Outcome::Yes)),     // members right
            due("b", 4, 2, Some(Outcome::No)),      // members wrong
            due("c", 2, 2, Some(Outcome::No)),      // a tie calls nothing
            due("d", 0, 3, Some(Outcome::Unclear)), // unclear is not called
            due("e", 3, 0, None),
        ];
        let card = scorecard(9, &lines);
        assert_eq!(
            card,
            Scorecard {
                predictions: 9,
                due: 5,
                came_true: 1,
                did_not: 2,
                unclear: 1,
                awaiting: 1,
                members_right: (1, 2),
            }
        );
    }

    #[test]
    fn slugs_are_long_base64url_words() {
        assert!(is_slug("AAAAAAAAAAAAAAAAAAAAAA"));
        assert!(is_slug("a-b_c0123456789abcdefXYZ"));
        assert!(!is_slug("short"));
        assert!(!is_slug("AAAAAAAAAAAAAAAAAAAAA/"));
        assert!(!is_slug("AAAAAAAAAAAAAAAAAAAAA%2e"));
        assert!(!is_slug(&"A".repeat(65)));
    }

    #[test]
    fn the_biggest_shift_is_the_largest_either_way() {
        let line = |id: &str, shift: Option<f64>| ClaimLine {
            claim: claim(id),
            total: Tally::default(),
            rounds: 2,
            first_posted: NaiveDate::MIN,
            shift,
        };
        let lines = [line("a", Some(10.0)), line("b", Some(-25.0)), line("c", None)];
        assert_eq!(biggest_shift(&lines), Some(("b".into(), -25.0)));
        assert_eq!(biggest_shift(&lines[2..]), None);
    }
}
