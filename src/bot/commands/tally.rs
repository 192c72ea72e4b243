use poise::serenity_prelude as serenity;

use super::{autocomplete_claim, find_claim};
use crate::bot::reply::{self, guild, is_moderator};
use crate::bot::Context;
use crate::domain::ids::UserId;
use crate::domain::lang::Lang;
use crate::domain::text::truncate_chars;
use crate::domain::votes::{Question, Tally};
use crate::error::{Error, UserError};
use crate::render::discord::claim_rounds_text;
use crate::render::discord::limits;
use crate::services::tallies::export_csv;

/// The question a running tally mostly answers: verdicts once only verdicts were cast.
fn main_question(tally: &Tally) -> Question {
    let stance: u32 = Question::Stance.choices().iter().map(|c| tally.count(*c)).sum();
    if stance == 0 && tally.voters() > 0 {
        Question::Verdict
    } else {
        Question::Stance
    }
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
    #[description = "Attach the whole tally as CSV (moderators)"]
    #[description_localized("zh-CN", "以 CSV 附件导出全部统计（版主）")]
    export: Option<bool>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let zh = lang == Lang::Zh;
    let app = &ctx.data().app;
    if export == Some(true) {
        is_moderator(ctx).await?;
        let csv = export_csv(&app.export(settings.id).await?);
        let file = serenity::CreateAttachment::bytes(csv.into_bytes(), format!("tally-{}.csv", settings.id));
        let text = if zh {
            "投票统计（每条论断每一轮一行）："
        } else {
            "The tally, one line per claim and round:"
        };
        ctx.send(reply::text(text).attachment(file).ephemeral(true)).await?;
        return Ok(());
    }
    let mut chart = None;
    let embed = match claim {
        Some(id) => {
            let claim = find_claim(ctx, &id, lang)?;
            let view = app
                .claim_rounds(settings.id, &claim.id, Some(UserId(ctx.author().id.get())))
                .await?;
            let mut embed = serenity::CreateEmbed::new()
                .title(truncate_chars(claim.text.get(lang), limits::EMBED_TITLE))
                .description(claim_rounds_text(&view, claim, lang))
                .footer(serenity::CreateEmbedFooter::new(claim.id.clone()));
            if let Some(latest) = view.latest() {
                // The chart shows what the member may see: no earlier rounds before voting.
                let question = app
                    .store
                    .post(latest.post)
                    .await?
                    .map(|p| p.question)
                    .unwrap_or(Question::Stance);
                let png = crate::render::chart::tally_chart(&claim.id, view.visible(), question)?;
                chart = Some(serenity::CreateAttachment::bytes(png, "tally.png"));
                embed = embed.image("attachment://tally.png");
            }
            embed
        }
        None => {
            let (mut claims, highlights) = app.overview(settings.id).await?;
            if claims.is_empty() {
                return Err(UserError::new(if zh { "还没有投票。" } else { "No votes yet." }).into());
            }
            let label = |id: &Option<String>| id.as_deref().map(|i| format!("`{i}`")).unwrap_or_else(|| "—".into());
            let mut lines = vec![
                format!(
                    "{} {}",
                    if zh {
                        "👍 最多人同意："
                    } else {
                        "👍 Most agreed:"
                    },
                    label(&highlights.most_agreed)
                ),
                format!(
                    "{} {}",
                    if zh {
                        "⚖️ 争议最大："
                    } else {
                        "⚖️ Most disputed:"
                    },
                    label(&highlights.most_disputed)
                ),
                format!(
                    "{} {}",
                    if zh {
                        "🗳️ 投票最多："
                    } else {
                        "🗳️ Most voted:"
                    },
                    label(&highlights.most_voted)
                ),
                format!(
                    "{} {}",
                    if zh { "🆕 最新：" } else { "🆕 Newest:" },
                    label(&highlights.newest)
                ),
                String::new(),
            ];
            claims.sort_by(|a, b| b.1.voters().cmp(&a.1.voters()).then_with(|| a.0.cmp(&b.0)));
            for (id, tally, _) in claims.iter().take(12) {
                lines.push(format!("`{id}` · {}", tally.summary(main_question(tally), lang)));
            }
            serenity::CreateEmbed::new()
                .title(if zh { "投票总览" } else { "All tallies" })
                .description(truncate_chars(&lines.join("\n"), limits::EMBED_DESCRIPTION))
        }
    };
    let mut message = reply::embed(embed);
    if let Some(chart) = chart {
        message = message.attachment(chart);
    }
    ctx.send(message).await?;
    Ok(())
}
