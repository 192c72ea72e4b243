//! The words for the domain's own values (choices, questions, kinds, outcomes) and the tally line
//! every surface shows. The domain names these values; only here are they put into words.

use crate::domain::claims::{ClaimKind, Outcome, Section};
use crate::domain::lang::{Lang, Localized};
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

/// The heading a claim sits under: the essay's, or the words for members' suggestions.
pub fn section(locale: Locale, section: &Section) -> String {
    match section {
        Section::Essay(heading) => heading.get(locale.lang()).to_string(),
        Section::Suggested => locale.text(&msg!("suggestion-section")),
    }
}

/// [`section`] in both languages, for the JSON renderers.
pub fn section_in_both(section: &Section) -> Localized {
    Localized {
        zh: self::section(Locale::of(Lang::Zh), section),
        en: self::section(Locale::of(Lang::En), section),
    }
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

/// True for characters drawn two columns wide: Chinese, Japanese and Korean scripts and
/// full-width forms.
fn is_wide(c: char) -> bool {
    matches!(
        c,
        '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FE30}'..='\u{FE4F}'
            | '\u{FF00}'..='\u{FF60}'
            | '\u{FFE0}'..='\u{FFE6}'
            | '\u{20000}'..='\u{3FFFD}'
    )
}

/// `text` cut on a character boundary (with `…`) to fit `columns` columns, a Chinese character
/// taking two: a short title for a chart whose text cannot be measured where it is drawn.
pub fn shorten_to_columns(text: &str, columns: usize) -> String {
    let width = |c: char| if is_wide(c) { 2 } else { 1 };
    if text.chars().map(width).sum::<usize>() <= columns {
        return text.to_string();
    }
    // Room for the ellipsis.
    let mut used = 1;
    let kept: String = text
        .chars()
        .take_while(|c| {
            used += width(*c);
            used <= columns
        })
        .collect();
    format!("{}…", kept.trim_end())
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
    fn titles_are_shortened_by_columns_and_chinese_counts_double() {
        assert_eq!(shorten_to_columns("Agents write code", 20), "Agents write code");
        assert_eq!(shorten_to_columns("Agents write most code", 10), "Agents wr…");
        assert_eq!(shorten_to_columns("智能体将编写大部分代码", 10), "智能体将…");
        assert_eq!(shorten_to_columns("智能体", 6), "智能体");
        assert_eq!(shorten_to_columns("AI 智能体将编写", 8), "AI 智能…");
        assert_eq!(shorten_to_columns("ab智", 3), "ab…");
        for text in ["智能体将编写大部分代码", "Agents write most code", "AI 智能体将编写"] {
            for columns in 1..12 {
                let short = shorten_to_columns(text, columns);
                let width: usize = short.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum();
                assert!(width <= columns.max(2), "{text:?} in {columns}: {short:?}");
            }
        }
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

    #[test]
    fn a_claims_heading_is_the_essays_or_the_words_for_suggestions() {
        let (en, zh): (Locale, Locale) = (Lang::En.into(), Lang::Zh.into());
        let essay = Section::Essay(Localized {
            zh: "一、o3 模型的出现".into(),
            en: "1. The arrival of o3".into(),
        });
        assert_eq!(section(en, &essay), "1. The arrival of o3");
        assert_eq!(section(zh, &essay), "一、o3 模型的出现");
        assert_eq!(section(en, &Section::Suggested), "Members' suggestions");
        assert_eq!(section(zh, &Section::Suggested), "成员建议");
        assert_eq!(section_in_both(&Section::Suggested).zh, "成员建议");
    }
}
