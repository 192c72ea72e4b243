use super::autocomplete_claim;
use crate::bot::reply::{self, guild, moderator_only, reader};
use crate::bot::Context;
use crate::domain::evidence::Stance;
use crate::domain::ids::UserId;
use crate::error::Error;
use crate::render::discord::evidence::{
    evidence_added_text, evidence_removed_text, evidence_restored_text, ledger_embed,
};
use crate::render::i18n::Locale;

/// The side a member takes when bringing a story (off-topic stories are not brought).
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum StanceChoice {
    #[name = "supports"]
    Supports,
    #[name = "contradicts"]
    Contradicts,
}

impl From<StanceChoice> for Stance {
    fn from(choice: StanceChoice) -> Stance {
        match choice {
            StanceChoice::Supports => Stance::Supports,
            StanceChoice::Contradicts => Stance::Contradicts,
        }
    }
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("list", "add", "remove", "restore"),
    subcommand_required
)]
pub async fn evidence(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn list(
    ctx: Context<'_>,
    #[autocomplete = "autocomplete_claim"] claim: String,
    #[min = 1]
    #[max = 1000]
    page: Option<u32>,
    withheld: Option<bool>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let withheld = withheld.unwrap_or(false);
    if withheld {
        crate::bot::reply::require_moderator(ctx).await?;
    }
    let app = &ctx.data().app;
    let ledger = app
        .ledger_page(settings.id, &claim, page.unwrap_or(1), withheld)
        .await?;
    let claim = &app.server_claim(settings.id, &claim).await?;
    let locale = Locale::of(settings.language);
    ctx.send(reply::embed(ledger_embed(&ledger, claim, withheld, locale)).ephemeral(withheld))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn add(
    ctx: Context<'_>,
    #[autocomplete = "autocomplete_claim"] claim: String,
    #[max_length = 2000] url: String,
    stance: StanceChoice,
) -> Result<(), Error> {
    // Reading the page may take longer than Discord's three seconds. The answer (and any
    // refusal) is the member's alone; the ledger itself is public through `/evidence list`.
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let added = ctx
        .data()
        .app
        .add_evidence(
            &settings,
            &claim,
            &url,
            stance.into(),
            UserId(ctx.author().id.get()),
            ctx.data().app.now(),
        )
        .await?;
    ctx.send(reply::text(evidence_added_text(&added, reader(ctx, settings.language))).ephemeral(true))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn remove(
    ctx: Context<'_>,
    #[autocomplete = "autocomplete_claim"] claim: String,
    #[min = 1] entry: i64,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let removed = ctx.data().app.remove_evidence(settings.id, &claim, entry).await?;
    ctx.send(reply::text(evidence_removed_text(&removed, reader(ctx, settings.language))).ephemeral(true))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn restore(
    ctx: Context<'_>,
    #[autocomplete = "autocomplete_claim"] claim: String,
    #[min = 1] entry: i64,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let restored = ctx.data().app.restore_evidence(settings.id, &claim, entry).await?;
    ctx.send(reply::text(evidence_restored_text(&restored, reader(ctx, settings.language))).ephemeral(true))
        .await?;
    Ok(())
}
