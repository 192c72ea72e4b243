use super::autocomplete_claim;
use crate::bot::reply::{self, guild, moderator_only, reader};
use crate::bot::Context;
use crate::domain::ids::UserId;
use crate::error::Error;
use crate::render::discord::{
    claim_embed, claim_list_embed, claim_votes_field, due_predictions_embed, resolved_text, todays_claim_note,
};
use crate::render::i18n::Locale;

#[poise::command(
    slash_command,
    guild_only,
    subcommands("today", "show", "list", "due", "resolve"),
    subcommand_required
)]
pub async fn claim(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn today(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let today = app.todays_claim(&settings, chrono::Utc::now()).await?;
    let locale = Locale::of(settings.language);
    let note = todays_claim_note(&today, &settings, locale);
    ctx.send(reply::embed(claim_embed(&today.claim, locale, &app.claims.essay.url)).content(note))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn show(ctx: Context<'_>, #[autocomplete = "autocomplete_claim"] id: String) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let claim = app.find_claim(&id)?;
    let locale = Locale::of(settings.language);
    let mut embed = claim_embed(claim, locale, &app.claims.essay.url);
    let view = app
        .claim_rounds(settings.id, claim.id.as_str(), Some(UserId(ctx.author().id.get())))
        .await?;
    if let Some((name, value)) = claim_votes_field(&view, claim, locale) {
        embed = embed.field(name, value, false);
    }
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn list(
    ctx: Context<'_>,
    #[min = 1]
    #[max = 100]
    page: Option<u32>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let locale = reader(ctx, settings.language);
    let embed = claim_list_embed(&ctx.data().app.claims, page, locale);
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn due(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let today = app.local_today(&settings, chrono::Utc::now());
    let due = app.due_predictions(settings.id, today).await?;
    ctx.send(reply::embed(due_predictions_embed(&due, Locale::of(settings.language))))
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum OutcomeChoice {
    #[name = "yes"]
    Yes,
    #[name = "no"]
    No,
    #[name = "unclear"]
    Unclear,
}

impl From<OutcomeChoice> for crate::domain::claims::Outcome {
    fn from(choice: OutcomeChoice) -> Self {
        use crate::domain::claims::Outcome;
        match choice {
            OutcomeChoice::Yes => Outcome::Yes,
            OutcomeChoice::No => Outcome::No,
            OutcomeChoice::Unclear => Outcome::Unclear,
        }
    }
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn resolve(
    ctx: Context<'_>,
    #[autocomplete = "autocomplete_claim"] id: String,
    outcome: OutcomeChoice,
    #[max_length = 300] note: Option<String>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let resolution = ctx
        .data()
        .app
        .resolve_prediction(
            settings.id,
            &id,
            outcome.into(),
            note.as_deref(),
            UserId(ctx.author().id.get()),
            chrono::Utc::now(),
        )
        .await?;
    ctx.send(reply::text(resolved_text(&resolution, Locale::of(settings.language))))
        .await?;
    Ok(())
}
