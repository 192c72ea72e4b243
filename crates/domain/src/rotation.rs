//! Which claim a server gets next: claims in essay order, none repeated until every claim has
//! been posted, then a new round from the first.

use chrono::NaiveDate;

use super::claims::{Claim, ClaimId, ClaimSet};

/// A claim posted earlier in a server, and in which round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub claim_id: ClaimId,
    pub round: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct Pick<'a> {
    pub claim: &'a Claim,
    pub round: u32,
}

/// The next claim for a server whose posts so far are `history` (any order). Claims that are no
/// longer in the file are ignored, and claims added to it join the current round.
pub fn next_claim<'a>(set: &'a ClaimSet, history: &[Posted]) -> Pick<'a> {
    let claims = set.claims();
    let round = history.iter().map(|p| p.round).max().unwrap_or(1).max(1);
    let done_this_round = |c: &Claim| history.iter().any(|p| p.round == round && p.claim_id == c.id);
    match claims.iter().find(|c| !done_this_round(c)) {
        Some(claim) => Pick { claim, round },
        None => Pick {
            claim: &claims[0],
            round: round + 1,
        },
    }
}

/// The claim for `date` of a server that has posted every day since `anchor` (its first post).
/// The preview's stand-in server uses this with the essay's date as anchor, so that any date
/// previews the claim the rotation gives it.
pub fn claim_on_day(set: &ClaimSet, anchor: NaiveDate, date: NaiveDate) -> Pick<'_> {
    let n = set.claims().len() as i64;
    let days = (date - anchor).num_days().max(0);
    Pick {
        claim: &set.claims()[(days % n) as usize],
        round: (days / n) as u32 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(n: usize) -> ClaimSet {
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

    #[test]
    fn essay_order_then_new_round() {
        let set = set(3);
        let mut history = Vec::new();
        let mut seen = Vec::new();
        for _ in 0..7 {
            let pick = next_claim(&set, &history);
            seen.push(format!("{}@{}", pick.claim.id, pick.round));
            history.push(Posted {
                claim_id: pick.claim.id.clone(),
                round: pick.round,
            });
        }
        assert_eq!(seen, ["c0@1", "c1@1", "c2@1", "c0@2", "c1@2", "c2@2", "c0@3"]);
    }

    #[test]
    fn out_of_order_history_and_removed_claims() {
        let set = set(3);
        // c1 was posted out of order (say with /claim), c9 no longer exists.
        let history = vec![
            Posted {
                claim_id: "c1".into(),
                round: 1,
            },
            Posted {
                claim_id: "c9".into(),
                round: 1,
            },
            Posted {
                claim_id: "c0".into(),
                round: 1,
            },
        ];
        let pick = next_claim(&set, &history);
        assert_eq!((pick.claim.id.as_str(), pick.round), ("c2", 1));
    }

    #[test]
    fn calendar_matches_daily_history() {
        let set = set(4);
        let anchor = NaiveDate::from_ymd_opt(2024, 12, 25).unwrap();
        let mut history = Vec::new();
        for day in 0..13 {
            let date = anchor + chrono::Days::new(day);
            let by_history = next_claim(&set, &history);
            let by_calendar = claim_on_day(&set, anchor, date);
            assert_eq!(by_history.claim.id, by_calendar.claim.id, "day {day}");
            assert_eq!(by_history.round, by_calendar.round, "day {day}");
            history.push(Posted {
                claim_id: by_history.claim.id.clone(),
                round: by_history.round,
            });
        }
        let before = claim_on_day(&set, anchor, anchor - chrono::Days::new(5));
        assert_eq!((before.claim.id.as_str(), before.round), ("c0", 1));
    }
}
