use poise::serenity_prelude as serenity;

use super::autocomplete_claim;
use crate::bot::reply::{self, guild, reader, require_moderator};
use crate::bot::Context;
use crate::domain::ids::UserId;
use crate::error::Error;
use crate::message::msg;
use crate::render::chart::ChartInput;
use crate::render::discord::{claim_tally_embed, overview_embed};
use crate::render::i18n::{t, Locale};
use crate::services::tallies::{calls_csv, export_csv, ledger_csv};

#[poise::command(slash_command, guild_only)]
pub async fn tally(
    ctx: Context<'_>,
    #[autocomplete = "autocomplete_claim"] claim: Option<String>,
    export: Option<bool>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    if export == Some(true) {
        require_moderator(ctx).await?;
        let export = app.export_all(settings.id).await?;
        let files = [
            (export_csv(&export.tally), "tally"),
            (ledger_csv(&export.ledger), "evidence"),
            (calls_csv(&export.calls), "calls"),
        ];
        let text = t!(reader(ctx, settings.language), "tally-export");
        let mut message = reply::text(text).ephemeral(true);
        for (csv, what) in files {
            message = message.attachment(serenity::CreateAttachment::bytes(
                csv.into_bytes(),
                format!("{what}-{}.csv", settings.id),
            ));
        }
        ctx.send(message).await?;
        return Ok(());
    }
    let locale = Locale::of(settings.language);
    let message = match claim {
        Some(id) => {
            let (claim, view) = app.claim_tally(settings.id, &id, UserId(ctx.author().id.get())).await?;
            let mut message = reply::embed(claim_tally_embed(&view, &claim, locale));
            if view.latest().is_some() {
                // The chart shows what the member may see: no earlier rounds before voting.
                let png = crate::render::chart::tally_chart(&ChartInput {
                    claim: &claim.text,
                    rounds: view.visible(),
                    question: view.latest_question,
                    resolution: view.resolution.as_ref().map(|r| r.outcome),
                    locale,
                })?;
                message = message.attachment(serenity::CreateAttachment::bytes(png, "tally.png"));
            }
            message
        }
        None => {
            let (claims, highlights) = app.overview(settings.id).await?;
            if claims.is_empty() {
                return Err(msg!("tally-no-votes").into());
            }
            reply::embed(overview_embed(claims, &highlights, locale))
        }
    };
    ctx.send(message).await?;
    Ok(())
}
