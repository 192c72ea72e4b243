use poise::serenity_prelude as serenity;

use super::{autocomplete_claim, find_claim};
use crate::bot::reply::{self, guild, is_moderator};
use crate::bot::Context;
use crate::domain::claims::ClaimKind;
use crate::domain::ids::UserId;
use crate::domain::lang::Lang;
use crate::domain::rotation::next_claim;
use crate::domain::schedule::{due_at, local_date};
use crate::domain::text::truncate_chars;
use crate::error::{Error, UserError};
use crate::render::discord::{claim_embed, message_link};
use crate::store::Resolution;

/// Claims of the essay
#[poise::command(
    slash_command,
    guild_only,
    subcommands("today", "show", "list", "due", "resolve"),
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
    let view = app
        .claim_rounds(settings.id, &claim.id, Some(UserId(ctx.author().id.get())))
        .await?;
    if !view.rounds.is_empty() || view.resolution.is_some() {
        let name = match lang {
            Lang::Zh => "本服务器的投票",
            Lang::En => "Votes in this server",
        };
        let text = truncate_chars(&crate::render::discord::claim_rounds_text(&view, claim, lang), 1024);
        embed = embed.field(name, text, false);
    }
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}

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
    let (page, pages) = super::page_of(claims.len(), page);
    let lines: Vec<String> = claims
        .iter()
        .skip((page - 1) * super::PAGE)
        .take(super::PAGE)
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

/// Predictions whose deadline has passed, with the community's verdict
#[poise::command(
    slash_command,
    guild_only,
    description_localized("zh-CN", "截止日期已过的预测，以及大家的判断")
)]
async fn due(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let zh = lang == Lang::Zh;
    let today = local_date(settings.timezone, chrono::Utc::now());
    let due = ctx.data().app.due_predictions(settings.id, today).await?;
    let mut lines = Vec::new();
    for (claim, verdict, resolution) in &due {
        let mut line = format!(
            "`{}` · {} {}\n{}",
            claim.id,
            if zh { "截止" } else { "due" },
            claim.deadline.map(|d| d.to_string()).unwrap_or_default(),
            verdict.summary(crate::domain::votes::Question::Verdict, lang)
        );
        if let Some(r) = resolution {
            line.push_str(&format!("\n⚖️ {}", r.outcome));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(
            (if zh {
                "还没有到期的预测。"
            } else {
                "No prediction is past its deadline yet."
            })
            .into(),
        );
    }
    let embed = serenity::CreateEmbed::new()
        .title(if zh {
            "到期的预测"
        } else {
            "Predictions past their deadline"
        })
        .description(truncate_chars(&lines.join("\n\n"), 4096));
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum Outcome {
    #[name = "yes"]
    #[name_localized("zh-CN", "成真")]
    Yes,
    #[name = "no"]
    #[name_localized("zh-CN", "未成真")]
    No,
    #[name = "unclear"]
    #[name_localized("zh-CN", "尚无定论")]
    Unclear,
}

/// Record whether a prediction came true (moderators)
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "记录预测是否成真（版主）")
)]
async fn resolve(
    ctx: Context<'_>,
    #[description = "The prediction"]
    #[description_localized("zh-CN", "预测")]
    #[autocomplete = "autocomplete_claim"]
    id: String,
    #[description = "Did it come true?"]
    #[description_localized("zh-CN", "它成真了吗？")]
    outcome: Outcome,
    #[description = "A short note (sources, reasoning)"]
    #[description_localized("zh-CN", "简短说明（来源、理由）")]
    #[max_length = 300]
    note: Option<String>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let claim = find_claim(ctx, &id, lang)?;
    if claim.kind != ClaimKind::Prediction {
        return Err(UserError::new(match lang {
            Lang::Zh => "只有预测才能裁定是否成真。",
            Lang::En => "Only predictions can be resolved.",
        })
        .into());
    }
    let outcome = match outcome {
        Outcome::Yes => "yes",
        Outcome::No => "no",
        Outcome::Unclear => "unclear",
    };
    let resolution = Resolution {
        claim_id: claim.id.clone(),
        outcome: outcome.into(),
        note: crate::domain::text::plain_text(note.as_deref().unwrap_or_default()),
        resolved_by: UserId(ctx.author().id.get()),
        resolved_at: chrono::Utc::now(),
    };
    ctx.data().app.store.resolve_claim(settings.id, &resolution).await?;
    let text = match lang {
        Lang::Zh => format!("已记录 `{}` 的裁定：{outcome}。", claim.id),
        Lang::En => format!("Recorded for `{}`: {outcome}.", claim.id),
    };
    ctx.send(reply::text(text)).await?;
    Ok(())
}
