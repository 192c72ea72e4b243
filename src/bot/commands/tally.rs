use poise::serenity_prelude as serenity;

use super::{autocomplete_claim, find_claim};
use crate::bot::reply::{self, guild};
use crate::bot::Context;
use crate::domain::claims::{Claim, ClaimKind};
use crate::domain::lang::Lang;
use crate::domain::votes::{Question, Tally};
use crate::error::Error;

/// Lines for a claim's tally: agreement, and for predictions the verdict, each with its share.
pub fn tally_lines(tally: &Tally, claim: &Claim, lang: Lang) -> String {
    let mut lines = vec![tally.summary(Question::Stance, lang)];
    if claim.kind == ClaimKind::Prediction {
        lines.push(tally.summary(Question::Verdict, lang));
    }
    lines.join("\n")
}

/// The running tally of one claim, or of all claims
#[poise::command(
    slash_command,
    guild_only,
    description_localized("zh-CN", "查看某条论断或全部论断的投票统计")
)]
pub async fn tally(
    ctx: Context<'_>,
    #[description = "The claim (default: all)"]
    #[description_localized("zh-CN", "论断（默认：全部）")]
    #[autocomplete = "autocomplete_claim"]
    claim: Option<String>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let app = &ctx.data().app;
    let tallies = app.store.claim_tallies(settings.id).await?;
    let embed = match claim {
        Some(id) => {
            let claim = find_claim(ctx, &id, lang)?;
            let (tally, voters) = tallies
                .iter()
                .find(|t| t.claim_id == claim.id)
                .map(|t| (t.tally.clone(), t.voters))
                .unwrap_or_default();
            let voters_line = match lang {
                Lang::Zh => format!("{voters} 位成员投过票"),
                Lang::En => format!("{voters} member(s) voted"),
            };
            serenity::CreateEmbed::new()
                .title(crate::domain::text::truncate_chars(claim.text.get(lang), 256))
                .description(format!("{}\n\n{voters_line}", tally_lines(&tally, claim, lang)))
                .footer(serenity::CreateEmbedFooter::new(claim.id.clone()))
        }
        None => {
            let mut sorted = tallies.clone();
            sorted.sort_by(|a, b| b.voters.cmp(&a.voters).then_with(|| a.claim_id.cmp(&b.claim_id)));
            let lines: Vec<String> = sorted
                .iter()
                .take(15)
                .map(|t| {
                    let question = app
                        .claims
                        .get(&t.claim_id)
                        .map(|c| {
                            if t.tally.count(crate::domain::votes::Choice::Yes)
                                + t.tally.count(crate::domain::votes::Choice::No)
                                + t.tally.count(crate::domain::votes::Choice::Early)
                                > 0
                                && c.kind == ClaimKind::Prediction
                            {
                                Question::Verdict
                            } else {
                                Question::Stance
                            }
                        })
                        .unwrap_or(Question::Stance);
                    format!("`{}` · {} · {}", t.claim_id, t.voters, t.tally.summary(question, lang))
                })
                .collect();
            let title = match lang {
                Lang::Zh => "投票总览（按参与人数）",
                Lang::En => "All tallies (most voted first)",
            };
            let empty = match lang {
                Lang::Zh => "还没有投票。",
                Lang::En => "No votes yet.",
            };
            let body = if lines.is_empty() {
                empty.to_string()
            } else {
                lines.join("\n")
            };
            serenity::CreateEmbed::new()
                .title(title)
                .description(crate::domain::text::truncate_chars(&body, 4096))
        }
    };
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}
