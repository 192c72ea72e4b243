use super::autocomplete_claim;
use crate::bot::reply::{self, guild};
use crate::bot::Context;
use crate::error::Error;
use crate::render::discord::news_embed;
use crate::render::i18n::Locale;

#[poise::command(slash_command, guild_only)]
pub async fn news(ctx: Context<'_>, #[autocomplete = "autocomplete_claim"] claim: Option<String>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let ranked = app.news_on(&settings, claim.as_deref(), app.now(), 5);
    let (claim, news) = reply::deferring_if_slow(ctx, false, ranked).await.value?;
    ctx.send(reply::embed(news_embed(&claim, &news, Locale::of(settings.language))))
        .await?;
    Ok(())
}
