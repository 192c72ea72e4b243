//! The evidence ledger on Discord: the Evidence panel of a post, the ledger pages, the resolution
//! card, members' calls and the scorecard. Titles and links come from feeds and members: escaped
//! like every other feed text.

use poise::serenity_prelude as serenity;
use serenity::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter};

use super::{claim_text, escape_markdown, limits, link_target};
use crate::domain::claims::Claim;
use crate::domain::evidence::{
    Added, Calls, Entry, LedgerPage, Panel, ResolutionCard, Scorecard, Stance, Standing, LEDGER_PAGE,
};
use crate::domain::stats::agree_share;
use crate::domain::text::truncate_chars;
use crate::domain::votes::{Choice, Question};
use crate::render::custom_id;
use crate::render::i18n::{t, Locale};
use crate::render::words;

/// The emoji a stance wears on buttons and counts.
pub fn stance_emoji(stance: Stance) -> &'static str {
    match stance {
        Stance::Supports => "✅",
        Stance::Contradicts => "❌",
        Stance::OffTopic => "🚫",
    }
}

pub fn stance_label(locale: Locale, stance: Stance) -> String {
    match stance {
        Stance::Supports => t!(locale, "stance-supports"),
        Stance::Contradicts => t!(locale, "stance-contradicts"),
        Stance::OffTopic => t!(locale, "stance-offtopic"),
    }
}

/// The Evidence button of a daily post with news.
pub fn evidence_button(post: crate::domain::ids::PostId, locale: Locale) -> CreateButton {
    CreateButton::new(custom_id::evidence(post))
        .label(t!(locale, "evidence-button"))
        .emoji(serenity::ReactionType::Unicode("🧾".into()))
        .style(ButtonStyle::Primary)
}

/// A story as one line: its title (linked when the link is safe), its source.
fn story_line(entry: &Entry) -> String {
    let title = escape_markdown(&truncate_chars(&entry.title, 150));
    let source = escape_markdown(&truncate_chars(&entry.source, 60));
    match entry.url.as_deref().and_then(link_target) {
        Some(url) => format!("[{title}]({url}) — {source}"),
        None => format!("{title} — {source}"),
    }
}

/// [`story_line`] in at most `budget` characters: unlinked when the link makes it too long (some
/// feeds' links run to hundreds of characters), then shortened. Never cut mid-link, which would
/// leave a broken `[title](https://…` on the page.
fn story_line_within(entry: &Entry, budget: usize) -> String {
    let line = story_line(entry);
    if line.chars().count() <= budget {
        return line;
    }
    let unlinked = Entry {
        url: None,
        ..entry.clone()
    };
    truncate_chars(&story_line(&unlinked), budget)
}

fn counts(entry: &Entry) -> String {
    format!(
        "{} {} · {} {} · {} {}",
        stance_emoji(Stance::Supports),
        entry.supports,
        stance_emoji(Stance::Contradicts),
        entry.contradicts,
        stance_emoji(Stance::OffTopic),
        entry.off_topic
    )
}

/// The panel only the member sees: the post's stories with their marks, the member's own, and a
/// row of three buttons per story (Discord allows five rows; a post shows at most five stories).
pub fn evidence_panel(
    panel: &Panel,
    claim: Option<&Claim>,
    locale: Locale,
) -> (String, CreateEmbed, Vec<CreateActionRow>) {
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for (n, (entry, own)) in panel.entries.iter().enumerate().take(5) {
        let number = n + 1;
        let mut line = format!("**{number}.** {}\n{}", story_line(entry), counts(entry));
        if let Some(own) = own {
            line.push_str(&format!(
                " · {}",
                t!(locale, "evidence-your-mark", stance = stance_label(locale, *own))
            ));
        }
        if entry.withheld.is_some() {
            line.push_str(&format!("\n{}", t!(locale, "evidence-withheld-line")));
        }
        lines.push(line);
        let buttons = Stance::ALL
            .into_iter()
            .map(|stance| {
                let style = if *own == Some(stance) {
                    ButtonStyle::Primary
                } else {
                    ButtonStyle::Secondary
                };
                CreateButton::new(custom_id::mark(panel.post, entry.id, stance))
                    .label(truncate_chars(
                        &format!("{number} · {}", stance_label(locale, stance)),
                        limits::BUTTON_LABEL,
                    ))
                    .emoji(serenity::ReactionType::Unicode(stance_emoji(stance).into()))
                    .style(style)
                    .disabled(entry.withheld.is_some())
            })
            .collect();
        rows.push(CreateActionRow::Buttons(buttons));
    }
    let title = match claim {
        Some(c) => t!(
            locale,
            "evidence-panel-title",
            claim = truncate_chars(&claim_text(c, locale.lang()), 200)
        ),
        None => t!(locale, "evidence-panel-title", claim = panel.claim.as_str()),
    };
    let content = match panel.marked {
        Some((entry, stance)) => {
            let number = panel
                .entries
                .iter()
                .position(|(e, _)| e.id == entry)
                .map_or(0, |i| i + 1);
            t!(
                locale,
                "evidence-marked",
                number = number,
                stance = stance_label(locale, stance)
            )
        }
        None => t!(locale, "evidence-panel-help"),
    };
    let embed = CreateEmbed::new()
        .title(truncate_chars(&title, limits::EMBED_TITLE))
        .description(truncate_chars(&lines.join("\n\n"), limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(panel.claim.as_str()));
    (content, embed, rows)
}

/// One page of `/evidence claim:`, newest first. `withheld`: the page lists withheld stories (for
/// moderators to put one back).
pub fn ledger_embed(page: &LedgerPage, claim: &Claim, withheld: bool, locale: Locale) -> CreateEmbed {
    // Each entry gets an even share of the description, so that a page never cuts its last
    // entries off: an entry missing from its page would be on no page at all.
    let share = limits::EMBED_DESCRIPTION / LEDGER_PAGE.max(page.entries.len()) - "\n\n".len();
    let mut lines = Vec::new();
    for entry in &page.entries {
        let id = format!("`#{}` ", entry.id);
        let mut rest = format!("\n{} · {}", counts(entry), entry.added_at.format("%Y-%m-%d"));
        if let Some(by) = entry.submitted_by {
            // A mention inside an embed shows the member's name and never pings.
            rest.push_str(&format!(
                " · {}",
                t!(locale, "evidence-brought-by", member = format!("<@{}>", by.0))
            ));
        }
        let budget = share.saturating_sub(id.chars().count() + rest.chars().count());
        lines.push(format!("{id}{}{rest}", story_line_within(entry, budget)));
    }
    if lines.is_empty() {
        lines.push(if withheld {
            t!(locale, "evidence-none-withheld")
        } else {
            t!(locale, "evidence-none")
        });
    }
    let title = if withheld {
        t!(
            locale,
            "evidence-withheld-title",
            claim = truncate_chars(&claim_text(claim, locale.lang()), 200)
        )
    } else {
        t!(
            locale,
            "evidence-ledger-title",
            claim = truncate_chars(&claim_text(claim, locale.lang()), 200)
        )
    };
    CreateEmbed::new()
        .title(truncate_chars(&title, limits::EMBED_TITLE))
        .description(truncate_chars(&lines.join("\n\n"), limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(t!(
            locale,
            "evidence-ledger-footer",
            id = claim.id.as_str(),
            page = page.page,
            pages = page.pages,
            total = page.total
        )))
}

/// `/evidence add`'s answer.
pub fn evidence_added_text(added: &Added, locale: Locale) -> String {
    let story = story_line(&added.entry);
    let counts = counts(&added.entry);
    let text = if added.merged {
        t!(
            locale,
            "evidence-merged",
            id = added.entry.id.0,
            story = story,
            counts = counts
        )
    } else {
        t!(
            locale,
            "evidence-added",
            id = added.entry.id.0,
            story = story,
            counts = counts
        )
    };
    truncate_chars(&text, limits::CONTENT)
}

pub fn evidence_removed_text(entry: &Entry, locale: Locale) -> String {
    truncate_chars(
        &t!(locale, "evidence-removed", id = entry.id.0, story = story_line(entry)),
        limits::CONTENT,
    )
}

pub fn evidence_restored_text(entry: &Entry, locale: Locale) -> String {
    truncate_chars(
        &t!(locale, "evidence-restored", id = entry.id.0, story = story_line(entry)),
        limits::CONTENT,
    )
}

/// Up to three stories on one side, one line each, for an embed field.
fn side_lines(entries: &[Entry], stance: Stance) -> String {
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let n = match stance {
                Stance::Contradicts => e.contradicts,
                _ => e.supports,
            };
            format!("{} {n} · {}", stance_emoji(stance), story_line(e))
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        if out.chars().count() + line.chars().count() + 1 > limits::FIELD_VALUE {
            break;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The strongest evidence on each side as embed fields (`/claim show`, the resolution card):
/// nothing when the ledger has no marked story.
pub fn strongest_fields(supporting: &[Entry], contradicting: &[Entry], locale: Locale) -> Vec<(String, String, bool)> {
    let mut fields = Vec::new();
    if !supporting.is_empty() {
        fields.push((
            t!(locale, "evidence-strongest-for"),
            side_lines(supporting, Stance::Supports),
            false,
        ));
    }
    if !contradicting.is_empty() {
        fields.push((
            t!(locale, "evidence-strongest-against"),
            side_lines(contradicting, Stance::Contradicts),
            false,
        ));
    }
    fields
}

/// The resolution card posted in the digest channel when a moderator resolves a prediction.
pub fn resolution_card_embed(card: &ResolutionCard, locale: Locale) -> CreateEmbed {
    let outcome = words::outcome(locale, card.resolution.outcome);
    let mut description = t!(locale, "resolution-card-outcome", outcome = outcome);
    if !card.resolution.note.is_empty() {
        description.push_str(&format!(
            "\n> {}",
            escape_markdown(&truncate_chars(&card.resolution.note, 300))
        ));
    }
    let rounds: Vec<String> = card
        .rounds
        .iter()
        .map(|r| match agree_share(&r.tally) {
            Some(share) => t!(
                locale,
                "resolution-card-round",
                percent = share.round() as i64,
                round = r.round,
                voters = r.tally.voters()
            ),
            None => t!(locale, "resolution-card-round-empty", round = r.round),
        })
        .collect();
    let stance = if rounds.is_empty() {
        t!(locale, "resolution-card-never-asked")
    } else {
        rounds.join("\n")
    };
    let mut embed = CreateEmbed::new()
        .title(truncate_chars(
            &t!(
                locale,
                "resolution-card-title",
                claim = claim_text(&card.claim, locale.lang())
            ),
            limits::EMBED_TITLE,
        ))
        .description(truncate_chars(&description, limits::EMBED_DESCRIPTION))
        .field(
            t!(locale, "resolution-card-stance"),
            truncate_chars(&stance, limits::FIELD_VALUE),
            false,
        )
        .footer(CreateEmbedFooter::new(card.claim.id.as_str()));
    let verdict = if card.verdict.voters() == 0 {
        t!(locale, "resolution-card-no-verdict")
    } else {
        words::tally_summary(&card.verdict, Question::Verdict, locale)
    };
    embed = embed.field(
        t!(locale, "resolution-card-verdict"),
        truncate_chars(&verdict, limits::FIELD_VALUE),
        false,
    );
    for (name, value, inline) in strongest_fields(&card.supporting, &card.contradicting, locale) {
        embed = embed.field(name, value, inline);
    }
    embed
}

/// `/me`'s calls: each resolved prediction the member took a stance on, and the share right.
pub fn calls_lines(calls: &Calls, locale: Locale) -> Vec<String> {
    if calls.calls.is_empty() {
        return vec![t!(locale, "me-calls-none")];
    }
    let mut lines = vec![match calls.share_right() {
        Some(share) => t!(
            locale,
            "me-calls",
            right = calls.right,
            counted = calls.counted,
            percent = (share * 100.0).round() as i64
        ),
        None => t!(locale, "me-calls-uncounted"),
    }];
    for call in calls.calls.iter().take(10) {
        let mark = match call.right {
            Some(true) => "✅",
            Some(false) => "❌",
            None => "➖",
        };
        lines.push(t!(
            locale,
            "me-call-line",
            mark = mark,
            id = call.claim.as_str(),
            stance = words::choice_label(locale, call.stance),
            outcome = words::outcome(locale, call.outcome)
        ));
    }
    lines
}

/// `/claim scorecard`: the essay's predictions by standing, each with the server's verdict.
pub fn scorecard_embed(card: &Scorecard, essay_title: &str, locale: Locale) -> CreateEmbed {
    let mut lines = vec![t!(
        locale,
        "scorecard-summary",
        yes = card.came_true,
        no = card.did_not,
        unclear = card.unclear,
        pending = card.pending
    )];
    for line in &card.lines {
        let standing = match line.standing {
            Standing::CameTrue => t!(locale, "scorecard-came-true"),
            Standing::DidNot => t!(locale, "scorecard-did-not"),
            Standing::Unclear => t!(locale, "scorecard-unclear"),
            Standing::Pending => t!(locale, "scorecard-pending"),
        };
        let verdict = match server_verdict(&line.verdict) {
            Some(choice) => t!(
                locale,
                "scorecard-server",
                verdict = words::choice_label(locale, choice),
                voters = line.verdict.voters()
            ),
            None => t!(locale, "scorecard-server-none"),
        };
        lines.push(format!(
            "**{standing}** · `{}` {}\n{verdict}",
            line.claim.id,
            escape_markdown(&truncate_chars(line.claim.text.get(locale.lang()), 120))
        ));
    }
    let mut body = String::new();
    for line in lines {
        if body.chars().count() + line.chars().count() + 2 > limits::EMBED_DESCRIPTION {
            break;
        }
        body.push_str(&line);
        body.push_str("\n\n");
    }
    CreateEmbed::new()
        .title(truncate_chars(
            &t!(locale, "scorecard-title", essay = essay_title),
            limits::EMBED_TITLE,
        ))
        .description(body)
}

/// The server's verdict: the choice most members gave, when there was one clear winner.
fn server_verdict(tally: &crate::domain::votes::Tally) -> Option<Choice> {
    let mut choices: Vec<(Choice, u32)> = Question::Verdict.choices().map(|c| (c, tally.count(c))).into();
    choices.sort_by_key(|c| std::cmp::Reverse(c.1));
    match choices.as_slice() {
        [(first, n), (_, m), ..] if *n > *m => Some(*first),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::claims::ClaimSet;
    use crate::domain::evidence::EvidenceId;
    use crate::domain::ids::UserId;
    use crate::domain::lang::Lang;

    fn entry(n: i64, claim: &Claim) -> Entry {
        Entry {
            id: EvidenceId(n),
            claim: claim.id.clone(),
            story: format!("s{n}"),
            title: format!("{n} {}", "Headline words ".repeat(12)),
            // As long as the links some aggregators hand out.
            url: Some(format!("https://news.example/articles/{n}?{}", "q=x&".repeat(110))),
            source: "News Example".into(),
            added_at: chrono::Utc::now(),
            submitted_by: Some(UserId(123_456_789_012_345_678)),
            supports: 3,
            contradicts: 1,
            off_topic: 0,
            withheld: None,
        }
    }

    #[test]
    fn a_ledger_page_of_long_links_shows_every_entry_and_no_broken_link() {
        let set = ClaimSet::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap();
        let claim = set.get("math-700-days").unwrap();
        let mut entries: Vec<Entry> = (1..=LEDGER_PAGE as i64).map(|n| entry(n, claim)).collect();
        // One short link still fits whole, and stays a link.
        entries[0].url = Some("https://news.example/short".into());
        let page = LedgerPage {
            claim: claim.id.clone(),
            entries,
            page: 1,
            pages: 1,
            total: LEDGER_PAGE,
        };
        for lang in [Lang::En, Lang::Zh] {
            let embed = serde_json::to_value(ledger_embed(&page, claim, false, Locale::of(lang))).unwrap();
            let description = embed["description"].as_str().unwrap();
            assert!(description.chars().count() <= limits::EMBED_DESCRIPTION);
            for n in 1..=LEDGER_PAGE {
                assert!(
                    description.contains(&format!("`#{n}`")),
                    "entry {n} missing:\n{description}"
                );
            }
            assert!(description.contains("](https://news.example/short)"));
            assert!(
                !description.contains("q=x"),
                "a link too long for its share is left out whole"
            );
            assert_eq!(description.matches("<@123456789012345678>").count(), LEDGER_PAGE);
        }
    }
}
