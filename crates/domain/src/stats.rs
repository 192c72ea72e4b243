//! The arithmetic behind tallies people look at: rounds and their change, rankings of claims,
//! members' streaks and how often they sided with the majority. Pure functions over plain data.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::ids::{ClaimId, PostId, UserId};
use super::votes::{Choice, Tally};

/// One posting of a claim in a server, with its votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundTally {
    pub round: u32,
    pub post: PostId,
    pub date: NaiveDate,
    pub tally: Tally,
}

/// Share of agreement among agree/disagree/unsure votes, in percent (None without votes).
pub fn agree_share(t: &Tally) -> Option<f64> {
    let n = t.count(Choice::Agree) + t.count(Choice::Disagree) + t.count(Choice::Unsure);
    (n > 0).then(|| f64::from(t.count(Choice::Agree)) * 100.0 / f64::from(n))
}

/// Change of the agreement share from the first round with votes to the last, in points.
pub fn agreement_change(rounds: &[RoundTally]) -> Option<f64> {
    let with_votes: Vec<f64> = rounds.iter().filter_map(|r| agree_share(&r.tally)).collect();
    match with_votes.as_slice() {
        [first, .., last] => Some(last - first),
        _ => None,
    }
}

/// How divided a tally is: 1.0 when agree and disagree are even, 0.0 when one side has all.
pub fn dispute(t: &Tally) -> Option<f64> {
    let (a, d) = (f64::from(t.count(Choice::Agree)), f64::from(t.count(Choice::Disagree)));
    (a + d >= 2.0).then(|| 1.0 - (a - d).abs() / (a + d))
}

/// The claims to show in an overview: most agreed, most disputed, most voted, newest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Highlights {
    pub most_agreed: Option<ClaimId>,
    pub most_disputed: Option<ClaimId>,
    pub most_voted: Option<ClaimId>,
    pub newest: Option<ClaimId>,
}

/// A claim's running tally in a server: (claim id, tally, date first posted).
pub type ClaimTotal = (ClaimId, Tally, NaiveDate);

/// `claims` in any order.
pub fn highlights(claims: &[ClaimTotal]) -> Highlights {
    let best = |key: &dyn Fn(&ClaimTotal) -> Option<f64>| {
        claims
            .iter()
            .filter_map(|c| key(c).map(|k| (k, c)))
            .max_by(|(ka, a), (kb, b)| ka.total_cmp(kb).then_with(|| b.0.cmp(&a.0)))
            .map(|(_, c)| c.0.clone())
    };
    Highlights {
        most_agreed: best(&|c| agree_share(&c.1)),
        most_disputed: best(&|c| dispute(&c.1)),
        most_voted: best(&|c| (c.1.voters() > 0).then(|| f64::from(c.1.voters()))),
        newest: claims
            .iter()
            .max_by(|a, b| a.2.cmp(&b.2).then_with(|| b.0.cmp(&a.0)))
            .map(|c| c.0.clone()),
    }
}

/// Current and longest run of consecutive posts (in posting order) that the member voted on.
/// A post still open today does not break the current streak.
pub fn streaks(posts_in_order: &[PostId], voted: &[PostId], today_open: Option<PostId>) -> (u32, u32) {
    let mut longest = 0;
    let mut run = 0;
    for post in posts_in_order {
        if voted.contains(post) {
            run += 1;
            longest = longest.max(run);
        } else if Some(*post) != today_open {
            run = 0;
        }
    }
    (run, longest)
}

/// How often a member's choice matched the post's majority (a strict plurality), over posts
/// that had one: (matched, counted).
pub fn majority_agreement(choices: &[(PostId, Choice)], tallies: &HashMap<PostId, Tally>) -> (u32, u32) {
    let mut matched = 0;
    let mut counted = 0;
    for (post, choice) in choices {
        let Some(tally) = tallies.get(post) else { continue };
        let mut counts: Vec<(u32, Choice)> = tally.counts.iter().map(|(c, n)| (*n, *c)).collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.0));
        match counts.as_slice() {
            [(top, winner), rest @ ..] if rest.first().is_none_or(|(second, _)| second < top) => {
                counted += 1;
                matched += u32::from(winner == choice);
            }
            _ => {}
        }
    }
    (matched, counted)
}

/// A member's line on the leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub user: UserId,
    pub votes: u32,
    pub current_streak: u32,
    pub longest_streak: u32,
}

/// Orders members by votes cast, then longest streak, then current streak, then id.
pub fn rank_standings(mut standings: Vec<Standing>) -> Vec<Standing> {
    standings.sort_by(|a, b| {
        b.votes
            .cmp(&a.votes)
            .then(b.longest_streak.cmp(&a.longest_streak))
            .then(b.current_streak.cmp(&a.current_streak))
            .then(a.user.cmp(&b.user))
    });
    standings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(pairs: &[(Choice, u32)]) -> Tally {
        Tally::from_counts(pairs.iter().copied())
    }

    fn round(n: u32, pairs: &[(Choice, u32)]) -> RoundTally {
        RoundTally {
            round: n,
            post: PostId(i64::from(n)),
            date: NaiveDate::from_ymd_opt(2026, 1, n).unwrap(),
            tally: tally(pairs),
        }
    }

    #[test]
    fn change_across_rounds() {
        let rounds = [
            round(1, &[(Choice::Agree, 1), (Choice::Disagree, 3)]),
            round(2, &[]),
            round(3, &[(Choice::Agree, 3), (Choice::Disagree, 1)]),
        ];
        assert_eq!(agreement_change(&rounds), Some(50.0));
        assert_eq!(agreement_change(&rounds[..1]), None, "one round has no change");
        assert_eq!(
            agree_share(&tally(&[(Choice::Yes, 4)])),
            None,
            "verdicts are tallied apart"
        );
    }

    #[test]
    fn highlights_pick_the_right_claims() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 1, day).unwrap();
        let claims = vec![
            (ClaimId::from("a"), tally(&[(Choice::Agree, 5)]), d(1)),
            (
                ClaimId::from("b"),
                tally(&[(Choice::Agree, 3), (Choice::Disagree, 3), (Choice::Unsure, 4)]),
                d(2),
            ),
            (
                ClaimId::from("c"),
                tally(&[(Choice::Agree, 1), (Choice::Disagree, 4)]),
                d(3),
            ),
            (ClaimId::from("d"), Tally::default(), d(4)),
        ];
        let h = highlights(&claims);
        assert_eq!(h.most_agreed.as_deref(), Some("a"));
        assert_eq!(h.most_disputed.as_deref(), Some("b"));
        assert_eq!(h.most_voted.as_deref(), Some("b"));
        assert_eq!(h.newest.as_deref(), Some("d"));
        assert_eq!(highlights(&[]), Highlights::default());
    }

    #[test]
    fn streaks_count_consecutive_posts() {
        let posts: Vec<PostId> = (1..=7).map(PostId).collect();
        let voted = [PostId(1), PostId(2), PostId(3), PostId(5), PostId(6)];
        assert_eq!(streaks(&posts, &voted, None), (0, 3), "missed the last post");
        assert_eq!(
            streaks(&posts, &voted, Some(PostId(7))),
            (2, 3),
            "today's post is still open"
        );
        assert_eq!(streaks(&posts[..6], &voted, None), (2, 3));
        assert_eq!(streaks(&[], &[], None), (0, 0));
    }

    #[test]
    fn majority_needs_a_strict_plurality() {
        let tallies: HashMap<PostId, Tally> = [
            (PostId(1), tally(&[(Choice::Agree, 3), (Choice::Disagree, 1)])),
            (PostId(2), tally(&[(Choice::Agree, 2), (Choice::Disagree, 2)])),
            (PostId(3), tally(&[(Choice::Yes, 1), (Choice::No, 4)])),
        ]
        .into();
        let choices = [
            (PostId(1), Choice::Agree),
            (PostId(2), Choice::Agree),
            (PostId(3), Choice::Yes),
        ];
        assert_eq!(majority_agreement(&choices, &tallies), (1, 2), "a tie has no majority");
    }

    #[test]
    fn standings_order() {
        let s = |u, v, c, l| Standing {
            user: UserId(u),
            votes: v,
            current_streak: c,
            longest_streak: l,
        };
        let ranked = rank_standings(vec![s(1, 3, 1, 1), s(2, 5, 0, 2), s(3, 5, 1, 4), s(4, 3, 1, 1)]);
        let order: Vec<u64> = ranked.iter().map(|x| x.user.0).collect();
        assert_eq!(order, [3, 2, 1, 4]);
    }
}
