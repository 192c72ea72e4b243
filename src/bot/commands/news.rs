use poise::serenity_prelude as serenity;

use super::{autocomplete_claim, find_claim};
use crate::bot::reply::{self, guild};
use crate::bot::Context;
use crate::domain::rotation::next_claim;
use crate::domain::schedule::local_date;
use crate::error::Error;
use crate::render::discord::{limits, news_lines};

/// News related to a claim (default: today's)
#[poise::command(
    slash_command,
    guild_only,
    description_localized("zh-CN", "与某条论断相关的新闻（默认：今天的论断）")
)]
pub async fn news(
    ctx: Context<'_>,
    #[description = "The claim"]
    #[description_localized("zh-CN", "论断")]
    #[autocomplete = "autocomplete_claim"]
    claim: Option<String>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let app = &ctx.data().app;
    let now = chrono::Utc::now();
    let claim_id = match claim {
        Some(id) => id,
        None => match app
            .store
            .post_on(settings.id, local_date(settings.timezone, now))
            .await?
        {
            Some(post) => post.claim_id,
            None => next_claim(&app.claims, &app.store.rotation_history(settings.id).await?)
                .claim
                .id
                .clone(),
        },
    };
    let claim = find_claim(ctx, &claim_id, lang)?;
    let feeds = app.store.guild_feed_ids(settings.id).await?;
    let news = app.related_news(claim, &feeds, now, 5).await?;
    let embed = serenity::CreateEmbed::new()
        .title(crate::domain::text::truncate_chars(
            claim.text.get(lang),
            limits::EMBED_TITLE,
        ))
        .description(news_lines(&news, lang, limits::EMBED_DESCRIPTION))
        .footer(serenity::CreateEmbedFooter::new(claim.id.clone()));
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}
