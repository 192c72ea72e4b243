//! Choices members can make on a post, and the tally of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// What a member says about a claim. Opinions and claims not yet due take agree / disagree /
/// unsure; a prediction past its deadline is asked whether it came true: yes / no / early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    Agree,
    Disagree,
    Unsure,
    Yes,
    No,
    Early,
}

/// How a vote was cast: a button on the post, or an emoji reaction to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoteSource {
    Button,
    Reaction,
}

impl VoteSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VoteSource::Button => "button",
            VoteSource::Reaction => "reaction",
        }
    }
}

impl FromStr for VoteSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "button" => Ok(VoteSource::Button),
            "reaction" => Ok(VoteSource::Reaction),
            other => Err(format!("unknown vote source `{other}`")),
        }
    }
}

/// A member's vote on a post as it is stored now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentVote {
    pub user: UserId,
    pub choice: Choice,
    pub source: VoteSource,
}

/// What to change so that a post's reaction votes agree with the reactions Discord shows, when
/// reaction events may have been missed (the bot disconnected, or its database was down).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReactionRepair {
    /// Reaction votes whose reaction is gone.
    pub withdraw: Vec<(UserId, Choice)>,
    /// Members who react with one vote emoji and have no vote.
    pub cast: Vec<(UserId, Choice)>,
}

/// Compares the members reacting with each choice's emoji (`reacting`) with the votes stored
/// (`stored`). Events carry an order the reactions alone do not, so only what is certain is
/// changed: a vote cast with a button is never touched (it may be newer than any reaction); a
/// reaction vote whose emoji the member no longer shows is withdrawn; a member without a vote
/// who shows exactly one vote emoji gets that vote (with two or more, which came last is not
/// known, and nothing is cast).
pub fn repair_reactions(reacting: &[(Choice, Vec<UserId>)], stored: &[CurrentVote]) -> ReactionRepair {
    use std::collections::{HashMap, HashSet};
    let mut shown: HashMap<UserId, HashSet<Choice>> = HashMap::new();
    for (choice, users) in reacting {
        for user in users {
            shown.entry(*user).or_default().insert(*choice);
        }
    }
    let mut repair = ReactionRepair::default();
    let mut voting: HashSet<UserId> = HashSet::new();
    for vote in stored {
        let still_shown = shown.get(&vote.user).is_some_and(|c| c.contains(&vote.choice));
        if vote.source == VoteSource::Reaction && !still_shown {
            repair.withdraw.push((vote.user, vote.choice));
        } else {
            voting.insert(vote.user);
        }
    }
    for (user, choices) in shown {
        if voting.contains(&user) || choices.len() != 1 {
            continue;
        }
        let choice = choices.into_iter().next().expect("one choice");
        repair.cast.push((user, choice));
    }
    repair.withdraw.sort();
    repair.cast.sort();
    repair
}

/// The two kinds of question a post can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Question {
    /// Do you agree?
    Stance,
    /// Did it come true?
    Verdict,
}

impl Question {
    pub fn choices(self) -> [Choice; 3] {
        match self {
            Question::Stance => [Choice::Agree, Choice::Disagree, Choice::Unsure],
            Question::Verdict => [Choice::Yes, Choice::No, Choice::Early],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Question::Stance => "stance",
            Question::Verdict => "verdict",
        }
    }
}

impl FromStr for Question {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "stance" => Ok(Question::Stance),
            "verdict" => Ok(Question::Verdict),
            other => Err(format!("unknown question `{other}`")),
        }
    }
}

impl Choice {
    pub const ALL: [Choice; 6] = [
        Choice::Agree,
        Choice::Disagree,
        Choice::Unsure,
        Choice::Yes,
        Choice::No,
        Choice::Early,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Agree => "agree",
            Choice::Disagree => "disagree",
            Choice::Unsure => "unsure",
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Early => "early",
        }
    }

    pub fn question(self) -> Question {
        match self {
            Choice::Agree | Choice::Disagree | Choice::Unsure => Question::Stance,
            Choice::Yes | Choice::No | Choice::Early => Question::Verdict,
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Choice::Agree => "👍",
            Choice::Disagree => "👎",
            Choice::Unsure => "🤔",
            Choice::Yes => "✅",
            Choice::No => "❌",
            Choice::Early => "⏳",
        }
    }

    /// The choice a reaction stands for on a post asking `question`, if any.
    pub fn from_emoji(emoji: &str, question: Question) -> Option<Choice> {
        question.choices().into_iter().find(|c| c.emoji() == emoji)
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Choice::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown choice `{s}`"))
    }
}

/// Counts of the current choices on one claim (or one post).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub counts: std::collections::BTreeMap<Choice, u32>,
}

impl Tally {
    pub fn from_counts(counts: impl IntoIterator<Item = (Choice, u32)>) -> Tally {
        let mut tally = Tally::default();
        for (choice, n) in counts {
            *tally.counts.entry(choice).or_default() += n;
        }
        tally
    }

    pub fn count(&self, choice: Choice) -> u32 {
        self.counts.get(&choice).copied().unwrap_or(0)
    }

    /// Members with a current choice (each member holds one choice per post).
    pub fn voters(&self) -> u32 {
        self.counts.values().sum()
    }

    /// Whole-number percentages that add up to 100 (largest remainder), for `choices` in order.
    pub fn percentages(&self, choices: &[Choice]) -> Vec<u32> {
        let total: u32 = choices.iter().map(|c| self.count(*c)).sum();
        if total == 0 {
            return vec![0; choices.len()];
        }
        let exact: Vec<f64> = choices
            .iter()
            .map(|c| f64::from(self.count(*c)) * 100.0 / f64::from(total))
            .collect();
        let mut out: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
        let mut left = 100 - out.iter().sum::<u32>();
        let mut order: Vec<usize> = (0..choices.len()).collect();
        order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
        for i in order {
            if left == 0 {
                break;
            }
            out[i] += 1;
            left -= 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_change_only_what_the_reactions_make_certain() {
        let vote = |user: u64, choice, source| CurrentVote {
            user: UserId(user),
            choice,
            source,
        };
        let reacting = vec![
            (Choice::Agree, vec![UserId(1), UserId(2), UserId(5), UserId(6)]),
            (Choice::Disagree, vec![UserId(3), UserId(6)]),
        ];
        let stored = [
            // 1 reacts 👍 and has that reaction vote: kept.
            vote(1, Choice::Agree, VoteSource::Reaction),
            // 2 reacts 👍 but voted Disagree with a button, maybe later: kept.
            vote(2, Choice::Disagree, VoteSource::Button),
            // 3 switched from 👍 to 👎 while the bot was away.
            vote(3, Choice::Agree, VoteSource::Reaction),
            // 4 took their reaction away.
            vote(4, Choice::Unsure, VoteSource::Reaction),
        ];
        let repair = repair_reactions(&reacting, &stored);
        assert_eq!(
            repair.withdraw,
            vec![(UserId(3), Choice::Agree), (UserId(4), Choice::Unsure)]
        );
        // 3 now shows only 👎; 5 reacted while the bot was away; 6 shows two, so neither.
        assert_eq!(
            repair.cast,
            vec![(UserId(3), Choice::Disagree), (UserId(5), Choice::Agree)]
        );
        // Nothing to do when the two agree.
        let agreed = [vote(1, Choice::Agree, VoteSource::Reaction)];
        assert_eq!(
            repair_reactions(&[(Choice::Agree, vec![UserId(1)])], &agreed),
            ReactionRepair::default()
        );
    }

    #[test]
    fn percentages_add_to_100() {
        let t = Tally::from_counts([(Choice::Agree, 1), (Choice::Disagree, 1), (Choice::Unsure, 1)]);
        let p = t.percentages(&Question::Stance.choices());
        assert_eq!(p.iter().sum::<u32>(), 100);
        assert_eq!(p, [34, 33, 33]);
        assert_eq!(Tally::default().percentages(&Question::Stance.choices()), [0, 0, 0]);
        let t = Tally::from_counts([(Choice::Agree, 3), (Choice::Disagree, 1)]);
        assert_eq!(t.percentages(&Question::Stance.choices()), [75, 25, 0]);
        assert_eq!(t.voters(), 4);
    }

    #[test]
    fn choices_round_trip_and_map_to_questions() {
        for c in Choice::ALL {
            assert_eq!(c.as_str().parse::<Choice>().unwrap(), c);
            assert!(c.question().choices().contains(&c));
            assert_eq!(Choice::from_emoji(c.emoji(), c.question()), Some(c));
        }
        assert_eq!(Choice::from_emoji("👍", Question::Verdict), None);
        assert!("maybe".parse::<Choice>().is_err());
    }
}
