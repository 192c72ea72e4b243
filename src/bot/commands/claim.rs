use poise::serenity_prelude as serenity;

use super::autocomplete_claim;
use crate::bot::reply::{self, display_name, guild, moderator_only, reader};
use crate::bot::Context;
use crate::domain::ids::UserId;
use crate::error::Error;
use crate::render::discord::evidence::{resolution_card_embed, scorecard_embed, strongest_fields};
use crate::render::discord::suggestions::{mine_embed, queue_panel, suggestion_filed_text};
use crate::render::discord::{
    claim_embed, claim_list_embed, claim_votes_field, due_predictions_embed, no_mentions, resolved_text,
    todays_claim_note,
};
use crate::render::i18n::{t, Locale};
use crate::services::suggestions::NewClaimSuggestion;

#[poise::command(
    slash_command,
    guild_only,
    subcommands("today", "show", "list", "due", "resolve", "scorecard", "suggest", "queue", "mine"),
    subcommand_required
)]
pub async fn claim(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn today(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let today = app.todays_claim(&settings, app.now()).await?;
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
    let claim = &app.server_claim(settings.id, &id).await?;
    let locale = Locale::of(settings.language);
    let mut embed = claim_embed(claim, locale, &app.claims.essay.url);
    let page = app
        .claim_show(settings.id, claim, UserId(ctx.author().id.get()))
        .await?;
    if let Some((name, value)) = claim_votes_field(&page.rounds, claim, locale) {
        embed = embed.field(name, value, false);
    }
    for (name, value, inline) in strongest_fields(&page.supporting, &page.contradicting, locale) {
        embed = embed.field(name, value, inline);
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
    let claims = ctx.data().app.claims_for(settings.id).await?;
    let embed = claim_list_embed(&claims, page, locale);
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn due(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let today = app.local_today(&settings, app.now());
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
    let data = ctx.data();
    let locale = Locale::of(settings.language);
    // The card goes to the digest channel for everyone; the moderator is told where it went. With
    // no digest channel, or when Discord refuses the post there, the card answers in place.
    let work = async {
        let card = data
            .app
            .resolve_prediction(
                settings.id,
                &id,
                outcome.into(),
                note.as_deref(),
                UserId(ctx.author().id.get()),
                data.app.now(),
            )
            .await?;
        let embed = resolution_card_embed(&card, locale);
        let mut posted_in = None;
        if let Some(channel) = settings.channel {
            let message = serenity::CreateMessage::new()
                .embed(embed.clone())
                .allowed_mentions(no_mentions());
            match data.publisher.rest().create_message(channel.0, &message).await {
                Ok(_) => posted_in = Some(channel),
                Err(e) => {
                    tracing::warn!(error = %e, channel = channel.0, "could not post the resolution card; answering in place")
                }
            }
        }
        Ok::<_, Error>((card, embed, posted_in))
    };
    let worked = reply::deferring_if_slow(ctx, true, work).await;
    let (card, embed, posted_in) = worked.value?;
    let done = resolved_text(&card.resolution, reader(ctx, settings.language));
    if let Some(channel) = posted_in {
        let text = format!(
            "{done}\n{}",
            t!(
                reader(ctx, settings.language),
                "resolution-card-posted",
                channel = format!("<#{}>", channel.0)
            )
        );
        ctx.send(reply::text(text).ephemeral(true)).await?;
        return Ok(());
    }
    if worked.deferred {
        // A deferral's first answer keeps its privacy: the moderator's confirmation goes first,
        // then the card, for everyone, as a second message.
        ctx.send(reply::text(done).ephemeral(true)).await?;
        ctx.send(reply::embed(embed).ephemeral(false)).await?;
        return Ok(());
    }
    ctx.send(reply::embed(embed).content(done)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn scorecard(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let card = app.scorecard(settings.id).await?;
    let locale = Locale::of(settings.language);
    let embed = scorecard_embed(&card, app.claims.essay.title.get(locale.lang()), locale);
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum KindChoice {
    #[name = "prediction"]
    Prediction,
    #[name = "opinion"]
    Opinion,
}

impl From<KindChoice> for crate::domain::claims::ClaimKind {
    fn from(choice: KindChoice) -> Self {
        use crate::domain::claims::ClaimKind;
        match choice {
            KindChoice::Prediction => ClaimKind::Prediction,
            KindChoice::Opinion => ClaimKind::Opinion,
        }
    }
}

#[poise::command(slash_command, guild_only)]
async fn suggest(
    ctx: Context<'_>,
    #[max_length = 300] text: String,
    kind: KindChoice,
    #[max_length = 10] deadline: Option<String>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let name = display_name(ctx);
    let suggested = NewClaimSuggestion {
        author: UserId(ctx.author().id.get()),
        author_name: &name,
        text: &text,
        kind: kind.into(),
        deadline: deadline.as_deref(),
    };
    let suggestion = ctx
        .data()
        .app
        .suggest_claim(&settings, &suggested, ctx.data().app.now())
        .await?;
    let locale = reader(ctx, settings.language);
    ctx.send(reply::text(suggestion_filed_text(&suggestion, locale)).ephemeral(true))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn queue(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let pending = ctx.data().app.suggestion_queue(settings.id).await?;
    let (content, embed, rows) = queue_panel(&pending, None, reader(ctx, settings.language));
    ctx.send(reply::embed(embed).content(content).components(rows).ephemeral(true))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
async fn mine(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let mine = ctx
        .data()
        .app
        .member_suggestions(settings.id, UserId(ctx.author().id.get()))
        .await?;
    ctx.send(reply::embed(mine_embed(&mine, reader(ctx, settings.language))).ephemeral(true))
        .await?;
    Ok(())
}
