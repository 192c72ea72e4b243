//! Replies and errors: every reply carries empty allowed_mentions; a user error shows its text,
//! anything else shows a short apology while the log gets the cause.

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use super::{Context, Data};
use crate::domain::ids::GuildId;
use crate::domain::lang::Lang;
use crate::error::{Error, UserError};
use crate::render::discord::{limits, no_mentions};
use crate::store::GuildSettings;

pub fn text(content: impl Into<String>) -> CreateReply {
    let content = crate::domain::text::truncate_chars(&content.into(), limits::CONTENT);
    CreateReply::default().content(content).allowed_mentions(no_mentions())
}

pub fn embed(embed: serenity::CreateEmbed) -> CreateReply {
    CreateReply::default().embed(embed).allowed_mentions(no_mentions())
}

/// The server this command runs in, with its settings (created on first use).
pub async fn guild(ctx: Context<'_>) -> Result<GuildSettings, Error> {
    let Some(id) = ctx.guild_id() else {
        return Err(UserError::new("This command works in a server only. / 此命令只能在服务器中使用。").into());
    };
    let locale = match ctx {
        poise::Context::Application(a) => a.interaction.guild_locale.clone(),
        poise::Context::Prefix(_) => None,
    };
    Ok(ctx
        .data()
        .app
        .guild(GuildId(id.get()), locale.as_deref(), chrono::Utc::now())
        .await?)
}

pub fn apology(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "抱歉，出了点问题，已记录在日志中。请稍后再试。",
        Lang::En => "Sorry, something went wrong on our side. It has been logged; please try again later.",
    }
}

/// Language to answer in when the server's settings are not at hand.
fn locale_lang(ctx: Context<'_>) -> Lang {
    match ctx {
        poise::Context::Application(a) => Lang::from_locale(&a.interaction.locale),
        poise::Context::Prefix(_) => Lang::En,
    }
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
            let lang = locale_lang(ctx);
            let _ = ctx.send(text(not_moderator(lang)).ephemeral(true)).await;
        }
        poise::FrameworkError::ArgumentParse { error, input, ctx, .. } => {
            let what = input
                .map(|i| format!(" `{}`", crate::domain::text::truncate_chars(&i, 80)))
                .unwrap_or_default();
            let _ = ctx
                .send(text(format!("Invalid input{what}: {error}")).ephemeral(true))
                .await;
        }
        poise::FrameworkError::CommandStructureMismatch { description, ctx, .. } => {
            // Discord sent options that do not fit the command (registration out of date).
            tracing::warn!(command = %ctx.command().qualified_name, description, "command options do not match");
            let lang = Lang::from_locale(&ctx.interaction.locale);
            let message = match lang {
                Lang::Zh => "此命令的选项已过期，请稍后重试。",
                Lang::En => "This command's options are out of date; please try again in a minute.",
            };
            let _ = poise::Context::Application(ctx)
                .send(text(message).ephemeral(true))
                .await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "while handling an error");
            }
        }
    }
}

async fn report(ctx: Context<'_>, error: Error) {
    let lang = locale_lang(ctx);
    let message = match &error {
        Error::User(user) => user.to_string(),
        Error::Internal(e) => {
            tracing::error!(command = %ctx.command().qualified_name, error = %format!("{e:#}"), "command failed");
            apology(lang).to_string()
        }
    };
    if let Err(e) = ctx.send(text(message).ephemeral(true)).await {
        tracing::warn!(error = %e, "could not report an error to the user");
    }
}

pub fn not_moderator(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "只有拥有「管理服务器」权限或版主角色的成员才能使用此命令。",
        Lang::En => "Only members with Manage Server or the moderator role can use this command.",
    }
}

/// Moderators: Manage Server (or Administrator) per the interaction's own permission set, or the
/// moderator role chosen in `/digest setup`. Checked here as well as by Discord's
/// default_member_permissions, which a server admin can loosen.
pub async fn is_moderator(ctx: Context<'_>) -> Result<bool, Error> {
    let poise::Context::Application(actx) = ctx else {
        return Ok(false);
    };
    let Some(member) = &actx.interaction.member else {
        return Ok(false);
    };
    let perms = member.permissions.unwrap_or_else(serenity::Permissions::empty);
    if perms.manage_guild() || perms.administrator() {
        return Ok(true);
    }
    let settings = guild(ctx).await?;
    let by_role = settings
        .moderator_role
        .is_some_and(|role| member.roles.iter().any(|r| r.get() == role.0));
    if by_role {
        return Ok(true);
    }
    Err(UserError::new(not_moderator(settings.language)).into())
}
