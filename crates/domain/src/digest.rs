//! The digest: one claim of the day with the news that bears on it. Composed by the services,
//! rendered to Discord or the terminal by `render`.

use chrono::NaiveDate;

use super::claims::{Claim, Essay};
use super::ranking::RankedNews;
use super::votes::Question;

#[derive(Debug, Clone)]
pub struct Digest {
    pub date: NaiveDate,
    pub essay: Essay,
    pub claim: Claim,
    pub round: u32,
    pub news: Vec<RankedNews>,
}

impl Digest {
    /// What the post asks: agreement, or for a prediction past its deadline, whether it came true.
    pub fn question(&self) -> Question {
        if self.claim.is_due(self.date) {
            Question::Verdict
        } else {
            Question::Stance
        }
    }
}

/// How many news items a daily post shows: one to five, so that the embed stays readable and
/// within Discord's limits however long the headlines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NewsCount(u8);

impl NewsCount {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    /// `n` if it is between [`NewsCount::MIN`] and [`NewsCount::MAX`].
    pub fn new(n: u8) -> Option<NewsCount> {
        (Self::MIN..=Self::MAX).contains(&n).then_some(NewsCount(n))
    }

    /// The nearest allowed count: what a stored or typed number out of range stands for.
    pub fn clamped(n: i64) -> NewsCount {
        NewsCount(n.clamp(i64::from(Self::MIN), i64::from(Self::MAX)) as u8)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// As a limit for ranking.
    pub fn items(self) -> usize {
        usize::from(self.0)
    }
}

impl Default for NewsCount {
    fn default() -> NewsCount {
        NewsCount(3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_counts_stay_between_one_and_five() {
        assert_eq!(NewsCount::new(0), None);
        assert_eq!(NewsCount::new(6), None);
        assert_eq!(NewsCount::new(4).map(NewsCount::get), Some(4));
        assert_eq!(NewsCount::clamped(-3).get(), 1);
        assert_eq!(NewsCount::clamped(99).get(), 5);
        assert_eq!(NewsCount::default().items(), 3);
    }
}
