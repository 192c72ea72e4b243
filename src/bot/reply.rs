//! Replies and errors: every reply carries empty allowed_mentions; a user error shows its text,
//! anything else shows a short apology while the log gets the cause.

use std::future::Future;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use super::{Context, Data};
use crate::domain::ids::GuildId;
use crate::domain::lang::Lang;
use crate::error::Error;
use crate::message::msg;
use crate::render::discord::{limits, no_mentions};
use crate::render::i18n::{t, Locale};
use crate::store::GuildSettings;

pub fn text(content: impl Into<String>) -> CreateReply {
    let content = crate::domain::text::truncate_chars(&content.into(), limits::CONTENT);
    CreateReply::default().content(content).allowed_mentions(no_mentions())
}

pub fn embed(embed: serenity::CreateEmbed) -> CreateReply {
    CreateReply::default().embed(embed).allowed_mentions(no_mentions())
}

/// How long a command works before it defers, counted from when the command started. Discord
/// drops an interaction left unanswered for 3 s; half of that leaves room for the deferral's own
/// round trip on a slow link.
pub const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// A command's work, and whether its answer was deferred while it ran.
pub struct Worked<T> {
    pub value: T,
    pub deferred: bool,
}

/// Runs a command's work and, if the command has not answered within [`DEFER_AFTER`] of its
/// start, defers the answer (Discord shows that the bot is thinking), privately when
/// `ephemeral`. Quick work, which is nearly all, answers exactly as it would without this; slow
/// work (a ranking waiting on the embeddings endpoint, a post Discord rate-limits) still gets
/// its answer. The work always runs to its end: a deferral that fails is logged, not a reason to
/// drop work half done.
pub async fn deferring_if_slow<T>(ctx: Context<'_>, ephemeral: bool, work: impl Future<Output = T>) -> Worked<T> {
    // From the command's start (`events::command_started`), which came before any database read
    // of this command.
    let started = ctx.invocation_data::<std::time::Instant>().await.map(|s| *s);
    let budget = started.map_or(DEFER_AFTER, |s| DEFER_AFTER.saturating_sub(s.elapsed()));
    let mut work = std::pin::pin!(work);
    tokio::select! {
        biased;
        value = &mut work => return Worked { value, deferred: false },
        () = tokio::time::sleep(budget) => {}
    }
    let deferral = if ephemeral {
        ctx.defer_ephemeral().await
    } else {
        ctx.defer().await
    };
    if let Err(e) = deferral {
        tracing::warn!(error = %Error::from(e), "could not defer a slow command's answer");
    }
    Worked {
        value: work.await,
        deferred: true,
    }
}

/// The server this command runs in, with its settings (created on first use).
pub async fn guild(ctx: Context<'_>) -> Result<GuildSettings, Error> {
    let Some(id) = ctx.guild_id() else {
        return Err(msg!("error-guild-only").into());
    };
    let locale = match ctx {
        poise::Context::Application(a) => a.interaction.guild_locale.clone(),
        poise::Context::Prefix(_) => None,
    };
    let app = &ctx.data().app;
    let settings = app.guild(GuildId(id.get()), locale.as_deref(), app.now()).await?;
    // A member on the tally page's leaderboard is shown under the name they have now; in the
    // background, so that the reply does not wait for the write.
    let (site_app, guild_id, user, name) = (
        app.clone(),
        settings.id,
        crate::domain::ids::UserId(ctx.author().id.get()),
        display_name(ctx),
    );
    tokio::spawn(async move {
        if let Err(e) = site_app.refresh_site_name(guild_id, user, &name).await {
            tracing::warn!(error = %format!("{e:#}"), "could not refresh a member's name on the tally page");
        }
    });
    Ok(settings)
}

/// The name the member shows in this server: their nickname, else their display name, else
/// their username.
pub fn display_name(ctx: Context<'_>) -> String {
    let nick = match ctx {
        poise::Context::Application(a) => a.interaction.member.as_ref().and_then(|m| m.nick.clone()),
        poise::Context::Prefix(_) => None,
    };
    let user = ctx.author();
    nick.or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone())
}

/// Whose language a reply is in. Public replies and channel posts speak the server's language;
/// a reply only the member sees speaks the member's own Discord language when the bot has it.
pub fn reader(ctx: Context<'_>, server: Lang) -> Locale {
    member_locale(ctx).unwrap_or_else(|| Locale::of(server))
}

/// The member's Discord language, when the bot speaks it.
pub fn member_locale(ctx: Context<'_>) -> Option<Locale> {
    match ctx {
        poise::Context::Application(a) => Locale::negotiate(&a.interaction.locale),
        poise::Context::Prefix(_) => None,
    }
}

/// The language of a reply only the member sees that has no server settings at hand (an error,
/// an autocompletion): the member's, else the server's, else the fallback.
pub async fn private_locale(ctx: Context<'_>) -> Locale {
    let member = match ctx {
        poise::Context::Application(a) => a.interaction.locale.as_str(),
        poise::Context::Prefix(_) => "",
    };
    member_or_server_locale(ctx.data(), member, ctx.guild_id().map(|id| GuildId(id.get()))).await
}

/// The member's Discord language (`member`, as Discord tags it) when the bot speaks it, else the
/// server's, else the fallback; a failed read of the server's is logged.
pub async fn member_or_server_locale(data: &Data, member: &str, guild: Option<GuildId>) -> Locale {
    if let Some(locale) = Locale::negotiate(member) {
        return locale;
    }
    match guild {
        Some(guild) => match data.app.server_language(guild).await {
            Ok(server) => server.map(Locale::of).unwrap_or_else(Locale::fallback),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "could not read the server's language; answering in the fallback language");
                Locale::fallback()
            }
        },
        None => Locale::fallback(),
    }
}

pub fn apology(locale: Locale) -> String {
    t!(locale, "error-apology")
}

pub async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => report(ctx, error).await,
        poise::FrameworkError::CommandCheckFailed {
            error: Some(error),
            ctx,
            ..
        } => report(ctx, error).await,
        poise::FrameworkError::CommandCheckFailed { error: None, ctx, .. } => {
            let locale = private_locale(ctx).await;
            send_error_reply(ctx, t!(locale, "error-not-moderator")).await;
        }
        poise::FrameworkError::ArgumentParse { error, input, ctx, .. } => {
            let locale = private_locale(ctx).await;
            // The member's own input, shown back inside a code span: a backtick would end it.
            let what = input
                .map(|i| format!(" `{}`", crate::domain::text::truncate_chars(&i.replace('`', "'"), 80)))
                .unwrap_or_default();
            // The parser's own words are English and name types, not the option: logged only.
            tracing::info!(command = %ctx.command().qualified_name, error = %error, "an option's value did not parse");
            let message = t!(locale, "error-invalid-input", what = what);
            send_error_reply(ctx, message).await;
        }
        poise::FrameworkError::CommandStructureMismatch { description, ctx, .. } => {
            // Discord sent options that do not fit the command (registration out of date).
            tracing::warn!(command = %ctx.command().qualified_name, description, "command options do not match");
            let ctx = poise::Context::Application(ctx);
            let locale = private_locale(ctx).await;
            send_error_reply(ctx, t!(locale, "error-options-outdated")).await;
        }
        // poise's own answers to these are English; ours come from the Fluent files.
        poise::FrameworkError::GuildOnly { ctx, .. } => {
            send_error_reply(ctx, t!(private_locale(ctx).await, "error-guild-only")).await;
        }
        poise::FrameworkError::CommandPanic { payload, ctx, .. } => {
            tracing::error!(command = %ctx.command().qualified_name, panic = payload.as_deref().unwrap_or("(no message)"), "command panicked");
            send_error_reply(ctx, apology(private_locale(ctx).await)).await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "while handling an error");
            }
        }
    }
}

/// Sends an error's reply to the member alone; a reply that cannot be sent is logged.
async fn send_error_reply(ctx: Context<'_>, message: String) {
    if let Err(e) = ctx.send(text(message).ephemeral(true)).await {
        tracing::warn!(error = %Error::from(e), "could not report an error to the user");
    }
}

async fn report(ctx: Context<'_>, error: Error) {
    let locale = private_locale(ctx).await;
    let message = match &error {
        Error::User(user) => crate::render::discord::message_text(locale, &user.0),
        Error::Internal(e) => {
            tracing::error!(command = %ctx.command().qualified_name, error = %format!("{e:#}"), "command failed");
            apology(locale)
        }
    };
    send_error_reply(ctx, message).await;
}

/// Proof that the member may moderate the digest in this server.
#[derive(Debug, Clone, Copy)]
pub struct Moderator;

/// Moderators: Manage Server (or Administrator) per the interaction's own permission set, or the
/// moderator role chosen in `/digest setup`. Checked here as well as by Discord's
/// default_member_permissions, which a server admin can loosen. Either the member is one, or the
/// answer is an error that says why not: never both, never a quiet `false`.
pub async fn require_moderator(ctx: Context<'_>) -> Result<Moderator, Error> {
    let member = match ctx {
        poise::Context::Application(actx) => actx.interaction.member.as_ref(),
        poise::Context::Prefix(_) => None,
    };
    let Some(member) = member else {
        return Err(msg!("error-not-moderator").into());
    };
    let perms = member.permissions.unwrap_or_else(serenity::Permissions::empty);
    if perms.manage_guild() || perms.administrator() {
        return Ok(Moderator);
    }
    let settings = guild(ctx).await?;
    let by_role = settings
        .moderator_role
        .is_some_and(|role| member.roles.iter().any(|r| r.get() == role.0));
    if by_role {
        return Ok(Moderator);
    }
    Err(msg!("error-not-moderator").into())
}

/// poise's `check` for moderator commands: passes, or fails with the reason.
pub async fn moderator_only(ctx: Context<'_>) -> Result<bool, Error> {
    require_moderator(ctx).await.map(|_| true)
}
