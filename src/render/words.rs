//! The words for the domain's own values (choices, questions, kinds, outcomes) and the tally line
//! every surface shows. The domain names these values; only here are they put into words.

use crate::domain::claims::{ClaimKind, Outcome};
use crate::domain::schedule::Weekdays;
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

/// A weekday's short name.
pub fn weekday(day: chrono::Weekday) -> Message {
    use chrono::Weekday::*;
    match day {
        Mon => msg!("weekday-mon"),
        Tue => msg!("weekday-tue"),
        Wed => msg!("weekday-wed"),
        Thu => msg!("weekday-thu"),
        Fri => msg!("weekday-fri"),
        Sat => msg!("weekday-sat"),
        Sun => msg!("weekday-sun"),
    }
}

/// A set of post days, compactly: "every day", or runs such as "Mon–Fri, Sun".
pub fn weekdays(locale: Locale, days: Weekdays) -> String {
    if days.is_every_day() {
        return locale.text(&msg!("days-every-day"));
    }
    let name = |d| locale.text(&weekday(d));
    let runs: Vec<String> = days
        .runs()
        .into_iter()
        .flat_map(|(from, to)| {
            let length = to.num_days_from_monday() - from.num_days_from_monday() + 1;
            match length {
                1 => vec![name(from)],
                2 => vec![name(from), name(to)],
                _ => vec![locale.text(&msg!("days-range", from = name(from), to = name(to)))],
            }
        })
        .collect();
    runs.join(&locale.text(&msg!("list-separator")))
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

    #[test]
    fn post_days_read_as_runs_in_each_language() {
        use crate::domain::schedule::parse_days;
        let en: Locale = Lang::En.into();
        let zh: Locale = Lang::Zh.into();
        assert_eq!(weekdays(en, parse_days("mon-fri").unwrap()), "Mon–Fri");
        assert_eq!(weekdays(zh, parse_days("mon-fri").unwrap()), "周一至周五");
        assert_eq!(weekdays(en, parse_days("mon,wed,fri").unwrap()), "Mon, Wed, Fri");
        assert_eq!(weekdays(zh, parse_days("sat,sun,mon").unwrap()), "周一、周六、周日");
        assert_eq!(weekdays(en, Weekdays::EVERY_DAY), "every day");
    }
}
