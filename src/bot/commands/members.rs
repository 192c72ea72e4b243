use crate::bot::reply::{self, guild, reader};
use crate::bot::Context;
use crate::domain::ids::UserId;
use crate::error::Error;
use crate::render::discord::{leaderboard_embed, member_record_embed};
use crate::render::i18n::Locale;

#[poise::command(slash_command, guild_only)]
pub async fn me(ctx: Context<'_>, hide: Option<bool>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let user = UserId(ctx.author().id.get());
    if let Some(hide) = hide {
        app.set_leaderboard_hidden(settings.id, user, hide).await?;
    }
    let today = app.local_today(&settings, chrono::Utc::now());
    let record = app.member_record(settings.id, user, today).await?;
    let embed = member_record_embed(&record, reader(ctx, settings.language));
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[min = 1]
    #[max = 100]
    page: Option<u32>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let today = app.local_today(&settings, chrono::Utc::now());
    let standings = app.leaderboard(settings.id, today).await?;
    let embed = leaderboard_embed(&standings, page, Locale::of(settings.language));
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}
