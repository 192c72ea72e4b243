use poise::serenity_prelude as serenity;

use super::{autocomplete_claim, find_claim};
use crate::bot::reply::{self, guild};
use crate::bot::Context;
use crate::domain::lang::Lang;
use crate::domain::rotation::next_claim;
use crate::domain::schedule::{due_at, local_date};
use crate::domain::text::truncate_chars;
use crate::error::Error;
use crate::render::discord::{claim_embed, message_link};

/// Claims of the essay
#[poise::command(
    slash_command,
    guild_only,
    subcommands("today", "show", "list"),
    subcommand_required,
    description_localized("zh-CN", "文章中的论断")
)]
pub async fn claim(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Today's claim in this server
#[poise::command(slash_command, guild_only, description_localized("zh-CN", "本服务器今天的论断"))]
async fn today(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let lang = settings.language;
    let now = chrono::Utc::now();
    let date = local_date(settings.timezone, now);
    let (claim_id, note) = match app.store.post_on(settings.id, date).await? {
        Some(post) if post.message.is_some() => {
            let link = message_link(
                settings.id.0,
                post.channel.0,
                post.message.map(|m| m.0).unwrap_or_default(),
            );
            let note = match lang {
                Lang::Zh => format!("今天的帖子：{link}"),
                Lang::En => format!("Today's post: {link}"),
            };
            (post.claim_id, note)
        }
        _ => {
            let history = app.store.rotation_history(settings.id).await?;
            let pick = next_claim(&app.claims, &history);
            let due = due_at(settings.post_time, settings.timezone, date).with_timezone(&settings.timezone);
            let note = match lang {
                Lang::Zh => format!(
                    "今天的论断尚未发布（计划于 {} {}）。",
                    due.format("%H:%M"),
                    settings.timezone.name()
                ),
                Lang::En => format!(
                    "Today's claim is not posted yet (due {} {}).",
                    due.format("%H:%M"),
                    settings.timezone.name()
                ),
            };
            (pick.claim.id.clone(), note)
        }
    };
    let claim = find_claim(ctx, &claim_id, lang)?;
    ctx.send(reply::embed(claim_embed(claim, lang, &app.claims.essay.url)).content(note))
        .await?;
    Ok(())
}

/// Show one claim
#[poise::command(slash_command, guild_only, description_localized("zh-CN", "查看一条论断"))]
async fn show(
    ctx: Context<'_>,
    #[description = "The claim"]
    #[description_localized("zh-CN", "论断")]
    #[autocomplete = "autocomplete_claim"]
    id: String,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let claim = find_claim(ctx, &id, lang)?;
    let app = &ctx.data().app;
    let mut embed = claim_embed(claim, lang, &app.claims.essay.url);
    let tallies = app.store.claim_tallies(settings.id).await?;
    if let Some(t) = tallies.iter().find(|t| t.claim_id == claim.id) {
        let name = match lang {
            Lang::Zh => "本服务器的投票",
            Lang::En => "Votes in this server",
        };
        embed = embed.field(name, super::tally::tally_lines(&t.tally, claim, lang), false);
    }
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}

const PAGE: usize = 10;

/// List the claims, ten per page
#[poise::command(
    slash_command,
    guild_only,
    description_localized("zh-CN", "列出全部论断（每页十条）")
)]
async fn list(
    ctx: Context<'_>,
    #[description = "Page number"]
    #[description_localized("zh-CN", "页码")]
    #[min = 1]
    #[max = 100]
    page: Option<u32>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let claims = ctx.data().app.claims.claims();
    let pages = claims.len().div_ceil(PAGE).max(1);
    let page = (page.unwrap_or(1) as usize).clamp(1, pages);
    let lines: Vec<String> = claims
        .iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|c| {
            format!(
                "`{}` · {} · {}",
                c.id,
                c.kind.label(lang),
                truncate_chars(c.text.get(lang), 80)
            )
        })
        .collect();
    let footer = match lang {
        Lang::Zh => format!(
            "第 {page}/{pages} 页 · 共 {} 条 · /claim list page:{}",
            claims.len(),
            page % pages + 1
        ),
        Lang::En => format!(
            "Page {page}/{pages} · {} claims · /claim list page:{}",
            claims.len(),
            page % pages + 1
        ),
    };
    let embed = serenity::CreateEmbed::new()
        .title(truncate_chars(ctx.data().app.claims.essay.title.get(lang), 256))
        .description(lines.join("\n"))
        .footer(serenity::CreateEmbedFooter::new(footer));
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}
