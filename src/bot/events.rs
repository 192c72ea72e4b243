//! Gateway events beyond slash commands: vote buttons and emoji reactions.

use std::time::Instant;

use poise::serenity_prelude as serenity;
use serenity::{CreateInteractionResponse, CreateInteractionResponseMessage, FullEvent};

use super::reply::apology;
use super::Data;
use crate::domain::ids::{GuildId, MessageId, UserId};
use crate::domain::lang::Lang;
use crate::domain::votes::Choice;
use crate::error::Error;
use crate::metrics::{InteractionKind, Metrics};
use crate::render::discord::{no_mentions, parse_vote_custom_id, round_line};
use crate::services::votes::Ballot;
use crate::store::VoteSource;

pub async fn handle(framework: poise::FrameworkContext<'_, Data, Error>, event: &FullEvent) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match event {
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(click),
        } if click.data.custom_id.starts_with("vote:") => {
            let started = Instant::now();
            on_vote_button(ctx, data, click).await;
            data.metrics
                .observe_interaction(InteractionKind::vote, started.elapsed());
        }
        FullEvent::Ready { .. } | FullEvent::Resume { .. } => data.metrics.set_shard_connected(ctx.shard_id.0, true),
        FullEvent::ShardStageUpdate { event } => {
            let connected = matches!(event.new, serenity::ConnectionStage::Connected);
            data.metrics.set_shard_connected(event.shard_id.0, connected);
        }
        FullEvent::ReactionAdd { add_reaction } => {
            let started = Instant::now();
            on_reaction(ctx, data, add_reaction, true).await;
            data.metrics
                .observe_interaction(InteractionKind::reaction, started.elapsed());
        }
        FullEvent::ReactionRemove { removed_reaction } => {
            let started = Instant::now();
            on_reaction(ctx, data, removed_reaction, false).await;
            data.metrics
                .observe_interaction(InteractionKind::reaction, started.elapsed());
        }
        _ => {}
    }
    Ok(())
}

/// Notes when a slash command began, for the interaction-time histogram.
pub async fn command_started(ctx: super::Context<'_>) {
    ctx.set_invocation_data(Instant::now()).await;
}

/// Records how long a slash command took (called once it has answered, or failed).
pub async fn command_finished(ctx: super::Context<'_>) {
    let started = ctx.invocation_data::<Instant>().await.map(|started| *started);
    if let Some(started) = started {
        ctx.data()
            .metrics
            .observe_interaction(InteractionKind::command, started.elapsed());
    }
}

async fn on_vote_button(ctx: &serenity::Context, data: &Data, click: &serenity::ComponentInteraction) {
    let lang = Lang::from_locale(&click.locale);
    let now = chrono::Utc::now();
    let result = match (parse_vote_custom_id(&click.data.custom_id), click.guild_id) {
        (Some((post, choice)), Some(guild)) => {
            let guild = GuildId(guild.get());
            let settings = data.app.store.guild(guild).await;
            let lang = match &settings {
                Ok(Some(settings)) => settings.language,
                _ => lang,
            };
            let ballot = Ballot {
                guild,
                post,
                user: UserId(click.user.id.get()),
                choice,
                source: VoteSource::Button,
            };
            match settings {
                // The database is down: answer now, within Discord's 3 s, rather than wait again.
                Err(e) if crate::store::is_unavailable(&e) => Err(Error::Internal(e)),
                _ => data.app.vote(ballot, lang, now).await.map(|receipt| (receipt, lang)),
            }
        }
        _ => Err(crate::error::UserError::new("This button is not a vote this bot knows.").into()),
    };
    let reply = match &result {
        Ok((receipt, lang)) => {
            Metrics::add(&data.metrics.votes, 1);
            data.refresher
                .mark(receipt.post.id, click.message.embeds.first().cloned());
            let choice = receipt.change.current.unwrap_or(Choice::Unsure);
            let lead = match (lang, receipt.change.previous) {
                (Lang::Zh, Some(prev)) if prev != choice => {
                    format!("已改为「{}」（原为「{}」）。", choice.label(*lang), prev.label(*lang))
                }
                (Lang::Zh, _) => format!("已记录你的投票：「{}」。", choice.label(*lang)),
                (Lang::En, Some(prev)) if prev != choice => {
                    format!("Changed to **{}** (was {}).", choice.label(*lang), prev.label(*lang))
                }
                (Lang::En, _) => format!("Your vote is recorded: **{}**.", choice.label(*lang)),
            };
            let mut text = format!("{lead}\n{}", receipt.tally.summary(receipt.post.question, *lang));
            // Having voted in this round, the member may now see how earlier rounds went (a
            // first-round post has none, and skipping the look-up keeps the common click cheap).
            let claim = data
                .app
                .claims
                .get(&receipt.post.claim_id)
                .filter(|_| receipt.post.round > 1);
            if let Some(claim) = claim {
                let guild = receipt.post.guild;
                let user = Some(UserId(click.user.id.get()));
                if let Ok(view) = data.app.claim_rounds(guild, &claim.id, user).await {
                    for round in view.rounds.iter().filter(|r| r.post != receipt.post.id) {
                        text.push_str("\n\n");
                        text.push_str(&round_line(round, claim, *lang));
                    }
                }
            }
            crate::domain::text::truncate_chars(&text, crate::render::discord::limits::CONTENT)
        }
        Err(Error::User(e)) => e.to_string(),
        Err(Error::Internal(e)) if crate::store::is_unavailable(e) => {
            tracing::warn!(error = %format!("{e:#}"), custom_id = %click.data.custom_id, "vote not recorded: database unavailable");
            crate::render::refusals::vote_not_recorded(lang).to_string()
        }
        Err(Error::Internal(e)) => {
            tracing::error!(error = %format!("{e:#}"), custom_id = %click.data.custom_id, "vote failed");
            apology(lang).to_string()
        }
    };
    let response = CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(reply)
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    );
    if let Err(e) = click.create_response(&ctx.http, response).await {
        tracing::warn!(error = %e, "could not confirm a vote");
    }
}

async fn on_reaction(ctx: &serenity::Context, data: &Data, reaction: &serenity::Reaction, added: bool) {
    let (Some(guild), Some(user)) = (reaction.guild_id, reaction.user_id) else {
        return;
    };
    if user == ctx.cache.current_user().id {
        return;
    }
    let serenity::ReactionType::Unicode(emoji) = &reaction.emoji else {
        return;
    };
    let store = &data.app.store;
    let post = match store.post_by_message(MessageId(reaction.message_id.get())).await {
        Ok(Some(post)) if post.guild.0 == guild.get() => post,
        Ok(_) => return,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "reaction lookup failed");
            return;
        }
    };
    // Skin-tone and presentation variants count as the same emoji.
    let base: String = emoji
        .chars()
        .filter(|c| !matches!(c, '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}'))
        .collect();
    let Some(choice) = Choice::from_emoji(&base, post.question) else {
        return;
    };
    let now = chrono::Utc::now();
    let user = UserId(user.get());
    let result = if added {
        store
            .cast_vote(post.id, user, choice, VoteSource::Reaction, now)
            .await
            .map(|_| ())
    } else {
        store.withdraw_reaction(post.id, user, choice, now).await.map(|_| ())
    };
    match result {
        Ok(()) => data.refresher.mark(post.id, None),
        Err(e) => tracing::error!(error = %format!("{e:#}"), "reaction vote failed"),
    }
}
