//! Members' suggestions on Discord: the answer to `/claim suggest`, the moderators' queue with
//! its buttons, the Edit and Reject forms, and `/claim mine`. Suggestions are members' words:
//! escaped like feed text, and the member is named by display name, never by mention.

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter, CreateInputText, CreateModal,
    InputTextStyle,
};

use super::{escape_markdown, limits};
use crate::domain::lang::Lang;
use crate::domain::suggestions::{kind_word, Suggestion, SuggestionStatus, MAX_PENDING, REASON_MAX, TEXT_MAX};
use crate::domain::text::truncate_chars;
use crate::render::custom_id::{self, field, Form, Review};
use crate::render::i18n::{t, Locale};
use crate::render::words;

/// Suggestions the queue shows at once: one row of buttons each, and Discord allows five rows.
pub const QUEUE_PAGE: usize = 5;

/// A form's title and its inputs' labels are short on Discord.
const MODAL_TITLE: usize = 45;
const INPUT_LABEL: usize = 45;

/// The suggestion's text in the reader's language (else the one it was written in), escaped.
fn text_of(suggestion: &Suggestion, locale: Locale, max: usize) -> String {
    let text = suggestion.text.localized();
    escape_markdown(&truncate_chars(text.get(locale.lang()), max))
}

/// `#4 · Prediction · due 2030-01-01`: the facts of a suggestion, before its text.
fn head(suggestion: &Suggestion, locale: Locale) -> String {
    let mut head = format!("`#{}` · {}", suggestion.id.0, words::kind(locale, suggestion.kind));
    if let Some(deadline) = suggestion.deadline {
        head.push_str(" · ");
        head.push_str(&t!(locale, "suggestion-due", deadline = deadline.to_string()));
    }
    head
}

/// `/claim suggest`'s answer, only the member sees it.
pub fn suggestion_filed_text(suggestion: &Suggestion, locale: Locale) -> String {
    truncate_chars(
        &t!(
            locale,
            "suggestion-filed",
            id = suggestion.id.0,
            suggestion = format!("{}\n> {}", head(suggestion, locale), text_of(suggestion, locale, 300)),
            max = MAX_PENDING
        ),
        limits::CONTENT,
    )
}

/// The moderators' queue: the oldest pending suggestions, each with its member and an Approve,
/// Edit and Reject button. `note` says what the last click did.
pub fn queue_panel(
    pending: &[Suggestion],
    note: Option<String>,
    locale: Locale,
) -> (String, CreateEmbed, Vec<CreateActionRow>) {
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for suggestion in pending.iter().take(QUEUE_PAGE) {
        lines.push(format!(
            "{}\n> {}\n{}",
            head(suggestion, locale),
            text_of(suggestion, locale, TEXT_MAX),
            t!(
                locale,
                "suggestion-by",
                member = escape_markdown(&truncate_chars(&suggestion.author_name, 100))
            )
        ));
        let buttons = Review::ALL
            .into_iter()
            .map(|review| {
                let (label, style) = match review {
                    Review::Approve => (t!(locale, "suggestion-approve"), ButtonStyle::Success),
                    Review::Edit => (t!(locale, "suggestion-edit"), ButtonStyle::Secondary),
                    Review::Reject => (t!(locale, "suggestion-reject"), ButtonStyle::Danger),
                };
                CreateButton::new(custom_id::review(suggestion.id, review))
                    .label(truncate_chars(
                        &format!("#{} · {label}", suggestion.id.0),
                        limits::BUTTON_LABEL,
                    ))
                    .style(style)
            })
            .collect();
        rows.push(CreateActionRow::Buttons(buttons));
    }
    if lines.is_empty() {
        lines.push(t!(locale, "suggestion-queue-empty"));
    }
    let content = note.unwrap_or_else(|| t!(locale, "suggestion-queue-help"));
    let embed = CreateEmbed::new()
        .title(t!(locale, "suggestion-queue-title", count = pending.len()))
        .description(truncate_chars(&lines.join("\n\n"), limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(t!(
            locale,
            "suggestion-queue-footer",
            shown = pending.len().min(QUEUE_PAGE),
            count = pending.len()
        )));
    (truncate_chars(&content, limits::CONTENT), embed, rows)
}

/// What a moderator's decision did, for the queue's note.
pub fn reviewed_text(suggestion: &Suggestion, locale: Locale) -> String {
    let text = match &suggestion.status {
        SuggestionStatus::Approved => t!(
            locale,
            "suggestion-approved",
            id = suggestion.id.0,
            claim = suggestion.id.claim_id().to_string()
        ),
        SuggestionStatus::Rejected { .. } => t!(locale, "suggestion-rejected", id = suggestion.id.0),
        SuggestionStatus::Pending => t!(locale, "suggestion-edited", id = suggestion.id.0),
    };
    truncate_chars(&text, limits::CONTENT)
}

/// `/claim mine`: the member's suggestions, each pending, approved (with its claim id) or
/// rejected with the moderators' reason.
pub fn mine_embed(suggestions: &[Suggestion], locale: Locale) -> CreateEmbed {
    let mut body = String::new();
    for suggestion in suggestions {
        let status = match &suggestion.status {
            SuggestionStatus::Pending => t!(locale, "suggestion-status-pending"),
            SuggestionStatus::Approved => t!(
                locale,
                "suggestion-status-approved",
                claim = suggestion.id.claim_id().to_string()
            ),
            SuggestionStatus::Rejected { reason } => t!(
                locale,
                "suggestion-status-rejected",
                reason = escape_markdown(&truncate_chars(reason, REASON_MAX))
            ),
        };
        let block = format!(
            "{}\n> {}\n{status}\n\n",
            head(suggestion, locale),
            text_of(suggestion, locale, 200)
        );
        if body.chars().count() + block.chars().count() > limits::EMBED_DESCRIPTION - 2 {
            body.push('…');
            break;
        }
        body.push_str(&block);
    }
    if suggestions.is_empty() {
        body = t!(locale, "suggestion-mine-none");
    }
    CreateEmbed::new()
        .title(t!(locale, "suggestion-mine-title"))
        .description(body.trim_end().to_string())
}

fn input(style: InputTextStyle, label: String, id: &str) -> CreateInputText {
    CreateInputText::new(style, truncate_chars(&label, INPUT_LABEL), id)
}

/// The Edit form: both languages (filled with what the member wrote), kind and deadline.
pub fn edit_form(suggestion: &Suggestion, locale: Locale) -> CreateModal {
    let text = |lang| suggestion.text.get(lang).unwrap_or_default().to_string();
    let language = |label: String, id: &str, lang| {
        CreateActionRow::InputText(
            input(InputTextStyle::Paragraph, label, id)
                .required(false)
                .max_length(TEXT_MAX as u16)
                .value(text(lang)),
        )
    };
    let kind = kind_word(suggestion.kind, locale.lang());
    let rows = vec![
        language(t!(locale, "suggestion-form-text-zh"), field::TEXT_ZH, Lang::Zh),
        language(t!(locale, "suggestion-form-text-en"), field::TEXT_EN, Lang::En),
        CreateActionRow::InputText(
            input(InputTextStyle::Short, t!(locale, "suggestion-form-kind"), field::KIND)
                .value(kind)
                .max_length(20),
        ),
        CreateActionRow::InputText(
            input(
                InputTextStyle::Short,
                t!(locale, "suggestion-form-deadline"),
                field::DEADLINE,
            )
            .value(suggestion.deadline.map(|d| d.to_string()).unwrap_or_default())
            .placeholder(t!(locale, "suggestion-form-deadline-placeholder"))
            .required(false)
            .max_length(10),
        ),
    ];
    CreateModal::new(
        Form::EditSuggestion(suggestion.id).to_string(),
        truncate_chars(
            &t!(locale, "suggestion-form-edit-title", id = suggestion.id.0),
            MODAL_TITLE,
        ),
    )
    .components(rows)
}

/// The Reject form: the reason, which the member will read.
pub fn reject_form(suggestion: &Suggestion, locale: Locale) -> CreateModal {
    CreateModal::new(
        Form::RejectSuggestion(suggestion.id).to_string(),
        truncate_chars(
            &t!(locale, "suggestion-form-reject-title", id = suggestion.id.0),
            MODAL_TITLE,
        ),
    )
    .components(vec![CreateActionRow::InputText(
        input(
            InputTextStyle::Paragraph,
            t!(locale, "suggestion-form-reason"),
            field::REASON,
        )
        .max_length(REASON_MAX as u16),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::claims::ClaimKind;
    use crate::domain::ids::{GuildId, UserId};
    use crate::domain::suggestions::{SuggestedText, SuggestionId};

    #[test]
    fn the_edit_form_fills_the_kind_in_the_moderators_language() {
        let suggestion = Suggestion {
            id: SuggestionId(1),
            guild: GuildId(1),
            author: UserId(2),
            author_name: "ann".into(),
            text: SuggestedText {
                zh: Some("聚变电站将并网供电".into()),
                en: None,
            },
            kind: ClaimKind::Prediction,
            deadline: None,
            status: SuggestionStatus::Pending,
            created_at: chrono::Utc::now(),
        };
        for (lang, word) in [(Lang::Zh, "预测"), (Lang::En, "prediction")] {
            let locale = Locale::of(lang);
            let form = serde_json::to_value(edit_form(&suggestion, locale)).unwrap();
            let inputs: Vec<&serde_json::Value> = form["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| &row["components"][0])
                .collect();
            let by_id = |id: &str| inputs.iter().find(|i| i["custom_id"] == id).copied().unwrap();
            assert_eq!(by_id(field::KIND)["value"], word);
            assert_eq!(
                by_id(field::DEADLINE)["placeholder"],
                t!(locale, "suggestion-form-deadline-placeholder")
            );
        }
    }
}
