use poise::serenity_prelude as serenity;

use crate::bot::reply::{self, guild, moderator_only, reader};
use crate::bot::Context;
use crate::domain::ids::{FeedId, GuildId};
use crate::domain::text::truncate_chars;
use crate::error::Error;
use crate::message::msg;
use crate::render::discord::{
    enabled_feed_text, escape_markdown, feed_added_text, feed_filter_text, feed_health_embed, feed_list_embed,
    feed_test_text,
};
use crate::render::i18n::t;
use crate::services::guilds::FilterChange;

#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    check = "moderator_only",
    subcommands("add", "remove", "list", "status", "enable", "test", "filter"),
    subcommand_required
)]
pub async fn feeds(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn add(ctx: Context<'_>, url: String, name: Option<String>) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let addition = ctx
        .data()
        .app
        .add_feed(settings.id, &url, name.as_deref(), ctx.data().app.now())
        .await?;
    let text = feed_added_text(&addition, reader(ctx, settings.language));
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

async fn autocomplete_feed(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let Some(guild) = ctx.guild_id() else {
        return serenity::CreateAutocompleteResponse::new();
    };
    let feeds = match ctx.data().app.guild_feeds(GuildId(guild.get())).await {
        Ok(feeds) => feeds,
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "could not list feeds for autocompletion");
            Vec::new()
        }
    };
    let needle = partial.to_lowercase();
    let choices = feeds
        .into_iter()
        .filter(|(name, f)| name.to_lowercase().contains(&needle) || f.url.contains(&needle))
        .take(25)
        .map(|(name, f)| serenity::AutocompleteChoice::new(truncate_chars(&name, 100), f.id.0.to_string()))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// The feed picked in an autocompleted `feed` option: its value is our feed id. Whether the
/// feed is this server's is the service's to check.
fn picked_feed(feed: &str) -> Result<FeedId, Error> {
    feed.trim()
        .parse::<i64>()
        .map(FeedId)
        .map_err(|_| msg!("feeds-unknown").into())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn remove(ctx: Context<'_>, #[autocomplete = "autocomplete_feed"] feed: String) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let name = ctx.data().app.remove_feed(settings.id, picked_feed(&feed)?).await?;
    let text = t!(
        reader(ctx, settings.language),
        "feeds-removed",
        name = escape_markdown(&name)
    );
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let feeds = ctx.data().app.feed_list(settings.id).await?;
    let embed = feed_list_embed(&feeds, reader(ctx, settings.language));
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let health = ctx.data().app.feed_health(settings.id, ctx.data().app.now()).await?;
    let embed = feed_health_embed(&health, reader(ctx, settings.language));
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn enable(ctx: Context<'_>, #[autocomplete = "autocomplete_feed"] feed: String) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let (name, report) = app.enable_feed(settings.id, picked_feed(&feed)?, app.now()).await?;
    let text = enabled_feed_text(&name, &report.outcome, reader(ctx, settings.language));
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn test(ctx: Context<'_>, url: String) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let probe = ctx.data().app.test_feed(&url, ctx.data().app.now()).await?;
    let text = feed_test_text(&probe, reader(ctx, settings.language));
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

// Words or phrases, comma-separated: `exclude` drops items naming any, `include` keeps only
// items naming one; a list not given stays as it was. Without options it shows the filter.
// (Not a doc comment: poise would take it for the command's description.)
#[poise::command(slash_command, guild_only, check = "moderator_only")]
async fn filter(
    ctx: Context<'_>,
    #[autocomplete = "autocomplete_feed"] feed: String,
    exclude: Option<String>,
    include: Option<String>,
    clear: Option<bool>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let picked = picked_feed(&feed)?;
    let change = match (clear, include.as_deref(), exclude.as_deref()) {
        (Some(true), _, _) => FilterChange::Clear,
        (_, None, None) => FilterChange::Show,
        (_, include, exclude) => FilterChange::Set { include, exclude },
    };
    let (name, filter) = ctx.data().app.set_feed_filter(settings.id, picked, change).await?;
    let text = feed_filter_text(&name, &filter, reader(ctx, settings.language));
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}
