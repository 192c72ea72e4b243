use poise::serenity_prelude as serenity;

use crate::bot::reply::{self, guild};
use crate::bot::Context;
use crate::domain::ids::UserId;
use crate::domain::lang::Lang;
use crate::domain::schedule::local_date;
use crate::error::Error;

/// Your votes, streaks and how often you side with the majority
#[poise::command(
    slash_command,
    guild_only,
    description_localized("zh-CN", "你的投票、连续参与和与多数一致的比例")
)]
pub async fn me(
    ctx: Context<'_>,
    #[description = "Hide yourself from the leaderboard (true) or show again (false)"]
    #[description_localized("zh-CN", "在排行榜上隐藏自己（true）或重新显示（false）")]
    hide: Option<bool>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let zh = settings.language == Lang::Zh;
    let app = &ctx.data().app;
    let user = UserId(ctx.author().id.get());
    if let Some(hide) = hide {
        app.store.set_hidden(settings.id, user, hide).await?;
    }
    let record = app
        .member_record(settings.id, user, local_date(settings.timezone, chrono::Utc::now()))
        .await?;
    let (with, of) = record.with_majority;
    let majority = match (with * 100).checked_div(of) {
        Some(share) => format!("{with}/{of} ({share}%)"),
        None => "—".to_string(),
    };
    let lines = [
        format!("{} {}", if zh { "投票次数：" } else { "Votes cast:" }, record.votes),
        format!(
            "{} {}",
            if zh { "当前连续：" } else { "Current streak:" },
            record.current_streak
        ),
        format!(
            "{} {}",
            if zh { "最长连续：" } else { "Longest streak:" },
            record.longest_streak
        ),
        format!(
            "{} {majority}",
            if zh {
                "与多数一致："
            } else {
                "Sided with the majority:"
            }
        ),
        if record.hidden {
            (if zh {
                "🙈 你不会出现在排行榜上。"
            } else {
                "🙈 You are hidden from the leaderboard."
            })
            .to_string()
        } else {
            (if zh {
                "你会出现在排行榜上（/me hide:true 可隐藏）。"
            } else {
                "You appear on the leaderboard (/me hide:true hides you)."
            })
            .to_string()
        },
    ];
    let embed = serenity::CreateEmbed::new()
        .title(if zh { "我的记录" } else { "Your record" })
        .description(lines.join("\n"));
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

/// Most active members and their streaks
#[poise::command(slash_command, guild_only, description_localized("zh-CN", "最活跃的成员与连续参与"))]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Page number"]
    #[description_localized("zh-CN", "页码")]
    #[min = 1]
    #[max = 100]
    page: Option<u32>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let zh = settings.language == Lang::Zh;
    let standings = ctx
        .data()
        .app
        .leaderboard(settings.id, local_date(settings.timezone, chrono::Utc::now()))
        .await?;
    let (page, pages) = super::page_of(standings.len(), page);
    let lines: Vec<String> = standings
        .iter()
        .enumerate()
        .skip((page - 1) * super::PAGE)
        .take(super::PAGE)
        .map(|(i, s)| {
            // A user mention in an embed shows the name and never pings.
            if zh {
                format!(
                    "{}. <@{}> · {} 票 · 当前连续 {} · 最长 {}",
                    i + 1,
                    s.user.0,
                    s.votes,
                    s.current_streak,
                    s.longest_streak
                )
            } else {
                format!(
                    "{}. <@{}> · {} votes · streak {} · best {}",
                    i + 1,
                    s.user.0,
                    s.votes,
                    s.current_streak,
                    s.longest_streak
                )
            }
        })
        .collect();
    let body = if lines.is_empty() {
        (if zh {
            "还没有人投票。"
        } else {
            "Nobody has voted yet."
        })
        .to_string()
    } else {
        lines.join("\n")
    };
    let embed = serenity::CreateEmbed::new()
        .title(if zh { "排行榜" } else { "Leaderboard" })
        .description(body)
        .footer(serenity::CreateEmbedFooter::new(format!("{page}/{pages}")));
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}
