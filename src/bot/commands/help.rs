use crate::bot::reply::{self, guild, reader};
use crate::bot::Context;
use crate::error::Error;
use crate::render::i18n::t;

#[poise::command(slash_command, guild_only)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let text = t!(reader(ctx, settings.language), "help-text");
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}
