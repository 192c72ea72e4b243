//! The words for the domain's own values (choices, questions, kinds, outcomes) and the tally line
//! every surface shows. The domain names these values; only here are they put into words.

use crate::domain::claims::{ClaimKind, Outcome};
use crate::domain::votes::{Choice, Question, Tally};
use crate::message::{msg, Message};
use crate::render::i18n::Locale;

pub fn choice(choice: Choice) -> Message {
    match choice {
        Choice::Agree => msg!("choice-agree"),
        Choice::Disagree => msg!("choice-disagree"),
        Choice::Unsure => msg!("choice-unsure"),
        Choice::Yes => msg!("choice-yes"),
        Choice::No => msg!("choice-no"),
        Choice::Early => msg!("choice-early"),
    }
}

pub fn choice_label(locale: Locale, c: Choice) -> String {
    locale.text(&choice(c))
}

pub fn prompt(locale: Locale, question: Question) -> String {
    locale.text(&match question {
        Question::Stance => msg!("question-stance"),
        Question::Verdict => msg!("question-verdict"),
    })
}

pub fn kind(locale: Locale, kind: ClaimKind) -> String {
    locale.text(&match kind {
        ClaimKind::Prediction => msg!("kind-prediction"),
        ClaimKind::Opinion => msg!("kind-opinion"),
    })
}

pub fn outcome(locale: Locale, outcome: Outcome) -> String {
    locale.text(&match outcome {
        Outcome::Yes => msg!("outcome-yes"),
        Outcome::No => msg!("outcome-no"),
        Outcome::Unclear => msg!("outcome-unclear"),
    })
}

/// One line such as `👍 Agree 3 (60%) · 👎 Disagree 1 (20%) · 🤔 Unsure 1 (20%)`.
pub fn tally_summary(tally: &Tally, question: Question, locale: Locale) -> String {
    let choices = question.choices();
    let shares = tally.percentages(&choices);
    choices
        .iter()
        .zip(shares)
        .map(|(c, percent)| {
            locale.text(&msg!(
                "tally-choice",
                emoji = c.emoji(),
                label = choice_label(locale, *c),
                count = tally.count(*c),
                percent = percent
            ))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lang::Lang;

    #[test]
    fn summary_names_counts_and_shares() {
        let t = Tally::from_counts([(Choice::Yes, 2), (Choice::Early, 2)]);
        assert_eq!(
            tally_summary(&t, Question::Verdict, Lang::En.into()),
            "✅ Came true 2 (50%) · ❌ Did not 0 (0%) · ⏳ Too early 2 (50%)"
        );
    }
}
