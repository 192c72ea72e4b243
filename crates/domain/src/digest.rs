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
