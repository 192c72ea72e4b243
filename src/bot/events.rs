//! Gateway events beyond slash commands: vote and evidence buttons, and emoji reactions.

use std::time::Instant;

use poise::serenity_prelude as serenity;
use serenity::{CreateInteractionResponse, CreateInteractionResponseMessage, FullEvent};

use super::reply::{apology, member_or_server_locale};
use super::Data;
use crate::domain::evidence::{EvidenceId, Stance};
use crate::domain::ids::{GuildId, MessageId, PostId, RoleId, UserId};
use crate::domain::suggestions::SuggestionId;
use crate::error::Error;
use crate::message::msg;
use crate::metrics::{InteractionKind, Metrics};
use crate::render::custom_id::{field, parse_vote, Action, Form, Review};
use crate::render::discord::evidence::evidence_panel;
use crate::render::discord::suggestions::{edit_form, queue_panel, reject_form, reviewed_text};
use crate::render::discord::{no_mentions, vote_confirmation};
use crate::render::i18n::{t, Locale};
use crate::services::evidence::Marker;
use crate::services::suggestions::SuggestionEdit;
use crate::services::votes::{Ballot, ReactionEffect};
use crate::store::VoteSource;

pub async fn handle(framework: poise::FrameworkContext<'_, Data, Error>, event: &FullEvent) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match event {
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(click),
        } => {
            let started = Instant::now();
            match Action::parse(&click.data.custom_id) {
                Some(Action::Evidence { post }) => on_evidence(ctx, data, click, post, None).await,
                Some(Action::Mark { post, entry, stance }) => {
                    on_evidence(ctx, data, click, post, Some((entry, stance))).await
                }
                Some(Action::Suggestion { id, review }) => {
                    on_review(ctx, data, click, id, review).await;
                    data.metrics
                        .observe_interaction(InteractionKind::command, started.elapsed());
                    return Ok(());
                }
                // A vote button, or any whose id is damaged or from an older version (every
                // button of the bot's messages is answered here; one left unanswered shows only
                // "This interaction failed"): the vote path answers either.
                _ => {
                    on_vote_button(ctx, data, click).await;
                    data.metrics
                        .observe_interaction(InteractionKind::vote, started.elapsed());
                    return Ok(());
                }
            }
            data.metrics
                .observe_interaction(InteractionKind::evidence, started.elapsed());
        }
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(submit),
        } => {
            let started = Instant::now();
            on_form(ctx, data, submit).await;
            data.metrics
                .observe_interaction(InteractionKind::command, started.elapsed());
        }
        FullEvent::Ready { .. } => {
            data.metrics.set_shard_connected(ctx.shard_id.0, true);
            // A new session replays nothing: reactions made while the shard was away were
            // missed. (A resumed session replays them; nothing to do on Resume.)
            data.repairer.queue_shard(ctx.shard_id.0);
        }
        FullEvent::Resume { .. } => data.metrics.set_shard_connected(ctx.shard_id.0, true),
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
    let now = data.app.now();
    let user = UserId(click.user.id.get());
    let guild = click.guild_id.map(|g| GuildId(g.get()));
    let result = match (parse_vote(&click.data.custom_id), guild) {
        (Some((post, choice)), Some(guild)) => {
            let ballot = Ballot {
                guild,
                post,
                user,
                choice,
                source: VoteSource::Button,
            };
            data.app.vote(ballot, now).await
        }
        _ => Err(msg!("error-unknown-button").into()),
    };
    let database_down = matches!(&result, Err(Error::Internal(e)) if crate::store::is_unavailable(e));
    let locale = click_locale(data, click, guild, database_down).await;
    let reply = match &result {
        Ok(receipt) => {
            Metrics::add(&data.metrics.votes, 1);
            data.refresher
                .mark(receipt.post.id, click.message.embeds.first().cloned());
            // Having voted in this round, the member may now see how earlier rounds went (a
            // first-round post has none, and skipping the look-up keeps the common click cheap).
            let claim = match receipt.post.round {
                0 | 1 => None,
                _ => data
                    .app
                    .server_claim(receipt.post.guild, receipt.post.claim_id.as_str())
                    .await
                    .inspect_err(|e| tracing::warn!(error = %e, "could not read the claim for the earlier rounds; the vote's reply goes without them"))
                    .ok(),
            };
            let earlier = match claim {
                Some(claim) => {
                    match data
                        .app
                        .claim_rounds(receipt.post.guild, claim.id.as_str(), Some(user))
                        .await
                    {
                        Ok(view) => Some((claim, view)),
                        Err(e) => {
                            tracing::warn!(error = %format!("{e:#}"), "could not read earlier rounds for a vote reply");
                            None
                        }
                    }
                }
                _ => None,
            };
            vote_confirmation(receipt, earlier.as_ref().map(|(c, v)| (c, v)), locale)
        }
        Err(Error::User(e)) => crate::render::discord::message_text(locale, &e.0),
        Err(Error::Internal(e)) if crate::store::is_unavailable(e) => {
            tracing::warn!(error = %format!("{e:#}"), custom_id = %click.data.custom_id, "vote not recorded: database unavailable");
            t!(locale, "vote-not-recorded")
        }
        Err(Error::Internal(e)) => {
            tracing::error!(error = %format!("{e:#}"), custom_id = %click.data.custom_id, "vote failed");
            apology(locale)
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

/// The language of an answer only the clicking member sees: the member's own when the bot has
/// it; the server's is looked up only when it does not, and never while the database is down
/// (the answer must leave within Discord's 3 seconds).
async fn click_locale(
    data: &Data,
    click: &serenity::ComponentInteraction,
    guild: Option<GuildId>,
    database_down: bool,
) -> Locale {
    match (Locale::negotiate(&click.locale), guild) {
        (Some(locale), _) => locale,
        (None, Some(guild)) if !database_down => match data.app.server_language(guild).await {
            Ok(server) => server.map(Locale::of).unwrap_or_else(Locale::fallback),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "could not read the server's language for a reply");
                Locale::fallback()
            }
        },
        (None, _) => Locale::fallback(),
    }
}

/// The Evidence button of a post (opens the member's panel) and the mark buttons on the panel
/// (record the mark and redraw the panel in place).
async fn on_evidence(
    ctx: &serenity::Context,
    data: &Data,
    click: &serenity::ComponentInteraction,
    post: PostId,
    mark: Option<(EvidenceId, Stance)>,
) {
    let user = UserId(click.user.id.get());
    let guild = click.guild_id.map(|g| GuildId(g.get()));
    let result = match (guild, mark) {
        (None, _) => Err(msg!("error-unknown-button").into()),
        (Some(guild), None) => data.app.evidence_panel(guild, post, user).await,
        (Some(guild), Some((entry, stance))) => {
            let member = click.member.as_ref();
            let marker = Marker {
                user,
                manages_server: member
                    .and_then(|m| m.permissions)
                    .is_some_and(|p| p.manage_guild() || p.administrator()),
                roles: member
                    .map(|m| m.roles.iter().map(|r| RoleId(r.get())).collect())
                    .unwrap_or_default(),
            };
            data.app
                .mark_evidence(guild, post, entry, stance, &marker, data.app.now())
                .await
        }
    };
    let database_down = matches!(&result, Err(Error::Internal(e)) if crate::store::is_unavailable(e));
    let locale = click_locale(data, click, guild, database_down).await;
    let response = match result {
        Ok(panel) => {
            let claim = match guild {
                Some(guild) => data
                    .app
                    .server_claim(guild, panel.claim.as_str())
                    .await
                    .inspect_err(|e| tracing::warn!(error = %e, "could not read the claim for the Evidence panel; it goes without the claim's text"))
                    .ok(),
                None => None,
            };
            let (content, embed, rows) = evidence_panel(&panel, claim.as_ref(), locale);
            if mark.is_some() {
                CreateInteractionResponse::UpdateMessage(
                    CreateInteractionResponseMessage::new()
                        .content(content)
                        .embed(embed)
                        .components(rows)
                        .allowed_mentions(no_mentions()),
                )
            } else {
                CreateInteractionResponse::Message(
                    CreateInteractionResponseMessage::new()
                        .content(content)
                        .embed(embed)
                        .components(rows)
                        .ephemeral(true)
                        .allowed_mentions(no_mentions()),
                )
            }
        }
        Err(e) => {
            let text = match &e {
                Error::User(refusal) => crate::render::discord::message_text(locale, &refusal.0),
                Error::Internal(cause) if crate::store::is_unavailable(cause) => {
                    tracing::warn!(error = %format!("{cause:#}"), custom_id = %click.data.custom_id, "evidence not recorded: database unavailable");
                    t!(locale, "evidence-not-recorded")
                }
                Error::Internal(cause) => {
                    tracing::error!(error = %format!("{cause:#}"), custom_id = %click.data.custom_id, "evidence panel failed");
                    apology(locale)
                }
            };
            CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new()
                    .content(text)
                    .ephemeral(true)
                    .allowed_mentions(no_mentions()),
            )
        }
    };
    if let Err(e) = click.create_response(&ctx.http, response).await {
        tracing::warn!(error = %e, "could not answer an evidence click");
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
    let effect = data
        .app
        .react(
            GuildId(guild.get()),
            MessageId(reaction.message_id.get()),
            UserId(user.get()),
            emoji,
            added,
            data.app.now(),
        )
        .await;
    match effect {
        Ok(ReactionEffect::Counted(post)) => data.refresher.mark(post, None),
        Ok(ReactionEffect::Ignored) => {}
        // A reaction has no reply to carry a refusal; the log keeps any failure.
        Err(Error::User(refusal)) => tracing::info!(%refusal, "reaction vote refused"),
        Err(Error::Internal(e)) => {
            // The database, most likely, is down: the post's reactions are compared with its
            // votes again until that succeeds.
            tracing::error!(error = %format!("{e:#}"), "reaction vote failed; its post will be compared again");
            data.repairer.queue([MessageId(reaction.message_id.get())]);
        }
    }
}

/// Who clicked or submitted, and their standing in the server, per the interaction itself.
fn acting_member(user: &serenity::User, member: Option<&serenity::Member>) -> Marker {
    Marker {
        user: UserId(user.id.get()),
        manages_server: member
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.manage_guild() || p.administrator()),
        roles: member
            .map(|m| m.roles.iter().map(|r| RoleId(r.get())).collect())
            .unwrap_or_default(),
    }
}

/// The words of a refusal or failure, for a reply only the member sees.
fn failure_text(error: &Error, locale: Locale, what: &str) -> String {
    match error {
        Error::User(refusal) => crate::render::discord::message_text(locale, &refusal.0),
        Error::Internal(cause) => {
            tracing::error!(error = %format!("{cause:#}"), what, "suggestion review failed");
            apology(locale)
        }
    }
}

fn ephemeral_text(text: String) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
}

/// The queue redrawn in place after a decision, with a note of what was done.
async fn redrawn_queue(data: &Data, guild: GuildId, note: String, locale: Locale) -> CreateInteractionResponse {
    match data.app.suggestion_queue(guild).await {
        Ok(pending) => {
            let (content, embed, rows) = queue_panel(&pending, Some(note), locale);
            CreateInteractionResponse::UpdateMessage(
                CreateInteractionResponseMessage::new()
                    .content(content)
                    .embed(embed)
                    .components(rows)
                    .allowed_mentions(no_mentions()),
            )
        }
        Err(e) => ephemeral_text(failure_text(&Error::Internal(e), locale, "queue")),
    }
}

/// A moderator's button on a queued suggestion: Approve decides at once (the queue is redrawn);
/// Edit and Reject open their form.
async fn on_review(
    ctx: &serenity::Context,
    data: &Data,
    click: &serenity::ComponentInteraction,
    id: SuggestionId,
    review: Review,
) {
    let guild = click.guild_id.map(|g| GuildId(g.get()));
    let locale = member_or_server_locale(data, &click.locale, guild).await;
    let reviewer = acting_member(&click.user, click.member.as_ref());
    let response = match guild {
        None => ephemeral_text(t!(locale, "error-unknown-button")),
        Some(guild) => match review {
            Review::Approve => match data.app.approve_suggestion(guild, id, &reviewer, data.app.now()).await {
                Ok(approved) => redrawn_queue(data, guild, reviewed_text(&approved, locale), locale).await,
                Err(e) => ephemeral_text(failure_text(&e, locale, "approve")),
            },
            Review::Edit | Review::Reject => match data.app.suggestion_to_review(guild, id, &reviewer).await {
                Ok((_, suggestion)) if review == Review::Edit => {
                    CreateInteractionResponse::Modal(edit_form(&suggestion, locale))
                }
                Ok((_, suggestion)) => CreateInteractionResponse::Modal(reject_form(&suggestion, locale)),
                Err(e) => ephemeral_text(failure_text(&e, locale, "review")),
            },
        },
    };
    if let Err(e) = click.create_response(&ctx.http, response).await {
        tracing::warn!(error = %e, "could not answer a suggestion review");
    }
}

/// The value a form's text input came back with (empty when left out).
fn form_value(submit: &serenity::ModalInteraction, id: &str) -> String {
    submit
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            serenity::ActionRowComponent::InputText(input) if input.custom_id == id => input.value.clone(),
            _ => None,
        })
        .unwrap_or_default()
}

/// A submitted Edit or Reject form: saves the edit or the rejection and redraws the queue.
async fn on_form(ctx: &serenity::Context, data: &Data, submit: &serenity::ModalInteraction) {
    let guild = submit.guild_id.map(|g| GuildId(g.get()));
    let locale = member_or_server_locale(data, &submit.locale, guild).await;
    let reviewer = acting_member(&submit.user, submit.member.as_ref());
    let now = data.app.now();
    let result = match (Form::parse(&submit.data.custom_id), guild) {
        (Some(Form::EditSuggestion(id)), Some(guild)) => {
            let edit = SuggestionEdit {
                zh: form_value(submit, field::TEXT_ZH),
                en: form_value(submit, field::TEXT_EN),
                kind: form_value(submit, field::KIND),
                deadline: form_value(submit, field::DEADLINE),
            };
            data.app
                .edit_suggestion(guild, id, &reviewer, &edit, now)
                .await
                .map(|s| (guild, s))
        }
        (Some(Form::RejectSuggestion(id)), Some(guild)) => data
            .app
            .reject_suggestion(guild, id, &reviewer, &form_value(submit, field::REASON), now)
            .await
            .map(|s| (guild, s)),
        _ => Err(msg!("error-unknown-button").into()),
    };
    let response = match result {
        // A form opened from the queue's button redraws the queue it came from.
        Ok((guild, suggestion)) if submit.message.is_some() => {
            redrawn_queue(data, guild, reviewed_text(&suggestion, locale), locale).await
        }
        Ok((_, suggestion)) => ephemeral_text(reviewed_text(&suggestion, locale)),
        Err(e) => ephemeral_text(failure_text(&e, locale, "form")),
    };
    if let Err(e) = submit.create_response(&ctx.http, response).await {
        tracing::warn!(error = %e, "could not answer a submitted form");
    }
}
