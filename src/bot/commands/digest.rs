use poise::serenity_prelude as serenity;

use crate::bot::reply::{self, guild, moderator_only, reader};
use crate::bot::Context;
use crate::domain::ids::{ChannelId, RoleId};
use crate::domain::lang::Lang;
use crate::error::Error;
use crate::render::discord::{digest_status_embed, post_result_text, setup_text};
use crate::render::i18n::{t, Locale};
use crate::services::commands::DigestSetup;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum LanguageChoice {
    #[name = "zh"]
    Zh,
    #[name = "en"]
    En,
}

impl From<LanguageChoice> for Lang {
    fn from(choice: LanguageChoice) -> Lang {
        match choice {
            LanguageChoice::Zh => Lang::Zh,
            LanguageChoice::En => Lang::En,
        }
    }
}

#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    check = "moderator_only",
    subcommands("setup", "now", "status", "pause", "resume", "ping", "web"),
    subcommand_required
)]
pub async fn digest(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
#[allow(clippy::too_many_arguments)]
async fn setup(
    ctx: Context<'_>,
    #[channel_types("Text", "News")] channel: serenity::ChannelId,
    time: String,
    timezone: String,
    language: Option<LanguageChoice>,
    #[min = 1]
    #[max = 5]
    news: Option<u8>,
    thread: Option<bool>,
    moderator_role: Option<serenity::RoleId>,
    ping_role: Option<serenity::RoleId>,
    days: Option<String>,
    recap: Option<String>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let setup = DigestSetup {
        channel: ChannelId(channel.get()),
        time,
        timezone,
        language: language.map(Lang::from),
        news,
        thread,
        moderator_role: moderator_role.map(|r| RoleId(r.get())),
        ping_role: ping_role.map(|r| RoleId(r.get())),
        days,
        recap,
    };
    let (saved, next) = ctx
        .data()
        .app
        .setup_digest(&settings, setup, ctx.data().app.now())
        .await?;
    // A public reply, in the language the server has just chosen.
    ctx.send(reply::text(setup_text(&saved, next, Locale::of(saved.language))))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn now(ctx: Context<'_>) -> Result<(), Error> {
    // Private: the post itself is what the channel sees. After a public deferral, Discord shows
    // the first answer to everyone whatever it asks, so a failure's reason would be public too.
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let data = ctx.data();
    let result = data.app.post_now(&data.publisher, &settings, data.app.now()).await?;
    ctx.send(reply::text(post_result_text(&result, Locale::of(settings.language))).ephemeral(true))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let locale = reader(ctx, settings.language);
    let status = ctx.data().app.digest_status(settings, ctx.data().app.now()).await?;
    ctx.send(reply::embed(digest_status_embed(&status, locale)).ephemeral(true))
        .await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn pause(ctx: Context<'_>) -> Result<(), Error> {
    set_paused(ctx, true).await
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn resume(ctx: Context<'_>) -> Result<(), Error> {
    set_paused(ctx, false).await
}

async fn set_paused(ctx: Context<'_>, paused: bool) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    ctx.data().app.set_paused(settings.id, paused).await?;
    let locale = Locale::of(settings.language);
    let text = if paused {
        t!(locale, "digest-paused")
    } else {
        t!(locale, "digest-resumed")
    };
    ctx.send(reply::text(text)).await?;
    Ok(())
}

#[poise::command(
    slash_command,
    guild_only,
    check = "moderator_only",
    subcommands("ping_off"),
    subcommand_required
)]
async fn ping(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only", rename = "off")]
async fn ping_off(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    ctx.data().app.stop_pinging(settings.id).await?;
    ctx.send(reply::text(t!(reader(ctx, settings.language), "digest-ping-off")).ephemeral(true))
        .await?;
    Ok(())
}

#[poise::command(
    slash_command,
    guild_only,
    check = "moderator_only",
    subcommands("web_enable", "web_disable", "web_rotate"),
    subcommand_required
)]
async fn web(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only", rename = "enable")]
async fn web_enable(ctx: Context<'_>, index: Option<bool>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let link = ctx
        .data()
        .app
        .enable_site(settings.id, index.unwrap_or(false), ctx.data().app.now())
        .await?;
    let text = t!(reader(ctx, settings.language), "web-enabled", link = link.url);
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only", rename = "disable")]
async fn web_disable(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let was_on = ctx.data().app.disable_site(settings.id).await?;
    let locale = reader(ctx, settings.language);
    let text = if was_on {
        t!(locale, "web-disabled")
    } else {
        t!(locale, "web-was-off")
    };
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only", rename = "rotate")]
async fn web_rotate(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let link = ctx.data().app.rotate_site(settings.id).await?;
    let text = t!(reader(ctx, settings.language), "web-rotated", link = link.url);
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}
