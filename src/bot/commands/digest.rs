use chrono::Utc;
use poise::serenity_prelude as serenity;

use crate::bot::reply::{self, guild, is_moderator};
use crate::bot::Context;
use crate::domain::ids::{ChannelId, RoleId};
use crate::domain::lang::Lang;
use crate::domain::schedule::{due_at, local_date, parse_time, parse_timezone};
use crate::error::{Error, UserError};
use crate::render::discord::message_link;
use crate::services::poster::PostResult;
use crate::store::{GuildSettings, GuildUpdate};

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum LanguageChoice {
    #[name = "zh"]
    #[name_localized("zh-CN", "中文")]
    Zh,
    #[name = "en"]
    #[name_localized("zh-CN", "英文")]
    En,
}

/// Set up and run the daily digest (moderators)
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    check = "is_moderator",
    subcommands("setup", "now", "status", "pause", "resume"),
    subcommand_required,
    description_localized("zh-CN", "设置并管理每日论断（版主）")
)]
pub async fn digest(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Choose the channel, time and time zone of the daily post
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "设置每日帖子的频道、时间和时区")
)]
#[allow(clippy::too_many_arguments)]
async fn setup(
    ctx: Context<'_>,
    #[description = "Channel to post in"]
    #[description_localized("zh-CN", "发帖的频道")]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
    #[description = "Local time of the post, HH:MM (24-hour)"]
    #[description_localized("zh-CN", "发帖的当地时间，HH:MM（24 小时制）")]
    time: String,
    #[description = "IANA time zone, e.g. Asia/Shanghai"]
    #[description_localized("zh-CN", "IANA 时区名，例如 Asia/Shanghai")]
    timezone: String,
    #[description = "Language of the posts"]
    #[description_localized("zh-CN", "帖子的语言")]
    language: Option<LanguageChoice>,
    #[description = "News items per post (1-5)"]
    #[description_localized("zh-CN", "每条帖子附带的新闻数（1-5）")]
    #[min = 1]
    #[max = 5]
    news: Option<u8>,
    #[description = "Open a discussion thread on each post"]
    #[description_localized("zh-CN", "为每条帖子开一个讨论串")]
    thread: Option<bool>,
    #[description = "A role whose members may also moderate the digest"]
    #[description_localized("zh-CN", "同样可以管理本机器人的角色")]
    moderator_role: Option<serenity::RoleId>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = language.map(|l| match l {
        LanguageChoice::Zh => Lang::Zh,
        LanguageChoice::En => Lang::En,
    });
    let reply_lang = lang.unwrap_or(settings.language);
    let post_time = parse_time(&time).map_err(UserError::new)?;
    let timezone = parse_timezone(&timezone).map_err(UserError::new)?;
    let update = GuildUpdate {
        channel: ChannelId(channel.get()),
        post_time,
        timezone,
        language: lang.unwrap_or(settings.language),
        news_count: news.unwrap_or(settings.news_count).clamp(1, 5),
        thread: thread.unwrap_or(settings.thread),
        moderator_role: moderator_role.map(|r| RoleId(r.get())).or(settings.moderator_role),
    };
    let saved = ctx.data().app.store.setup_guild(settings.id, &update).await?;
    let next = next_post_time(ctx, &saved).await?;
    let text = match reply_lang {
        Lang::Zh => format!(
            "已设置：每天 {} {} 在 <#{}> 发布。下一次：{}",
            post_time.format("%H:%M"),
            timezone.name(),
            channel.get(),
            next
        ),
        Lang::En => format!(
            "Set up: posting daily at {} {} in <#{}>. Next post: {}",
            post_time.format("%H:%M"),
            timezone.name(),
            channel.get(),
            next
        ),
    };
    ctx.send(reply::text(text)).await?;
    Ok(())
}

/// When the next post is due, as Discord's own timestamp markup (shown in each reader's time zone).
async fn next_post_time(ctx: Context<'_>, settings: &GuildSettings) -> Result<String, Error> {
    let now = Utc::now();
    let today = local_date(settings.timezone, now);
    let posted_today = ctx.data().app.store.post_on(settings.id, today).await?.is_some();
    let mut due = due_at(settings.post_time, settings.timezone, today);
    if posted_today || due <= now {
        due = due_at(settings.post_time, settings.timezone, today + chrono::Days::new(1));
    }
    Ok(format!("<t:{}:F>", due.timestamp()))
}

/// Post today's digest now (once per day)
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "立即发布今天的论断（每天一次）")
)]
async fn now(ctx: Context<'_>) -> Result<(), Error> {
    ctx.defer().await?;
    let settings = guild(ctx).await?;
    let lang = settings.language;
    if settings.channel.is_none() {
        return Err(UserError::new(match lang {
            Lang::Zh => "还没有设置频道：先用 /digest setup。",
            Lang::En => "No channel yet: run /digest setup first.",
        })
        .into());
    }
    let data = ctx.data();
    let now = Utc::now();
    let date = local_date(settings.timezone, now);
    let result = match data.app.post_today(&data.publisher, &settings, date, now).await {
        Ok(result) => result,
        Err(e) => {
            // A channel Discord refuses is the moderator's to fix: say so, with the reason.
            let broken = data.app.store.guild(settings.id).await?.and_then(|g| g.broken_reason);
            return Err(match broken {
                Some(reason) => UserError::new(match lang {
                    Lang::Zh => format!("无法发布：{reason}。请检查频道权限，然后重新运行 /digest setup。"),
                    Lang::En => format!(
                        "Could not post: {reason}. Check the channel's permissions, then run /digest setup again."
                    ),
                })
                .into(),
                None => e.into(),
            });
        }
    };
    let text = match result {
        PostResult::Posted(post) => {
            let link = message_link(
                settings.id.0,
                post.channel.0,
                post.message.map(|m| m.0).unwrap_or_default(),
            );
            match lang {
                Lang::Zh => format!("已发布：{link}"),
                Lang::En => format!("Posted: {link}"),
            }
        }
        PostResult::AlreadyPosted(post) => {
            let link = post
                .message
                .map(|m| message_link(settings.id.0, post.channel.0, m.0))
                .unwrap_or_default();
            match lang {
                Lang::Zh => format!("今天已经发布过了：{link}"),
                Lang::En => format!("Today's digest is already posted: {link}"),
            }
        }
    };
    ctx.send(reply::text(text)).await?;
    Ok(())
}

/// Show the digest's settings, next post and last post
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "查看设置、下一次和上一次发帖")
)]
async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let store = &ctx.data().app.store;
    let last = store.posts(settings.id).await?.into_iter().next();
    let feeds = store.guild_feeds(settings.id).await?.len();
    let zh = lang == Lang::Zh;
    let channel = settings.channel.map(|c| format!("<#{}>", c.0)).unwrap_or_else(|| {
        if zh {
            "未设置".into()
        } else {
            "not set".into()
        }
    });
    let mut lines = vec![
        format!("{}: {channel}", if zh { "频道" } else { "Channel" }),
        format!(
            "{}: {} {}",
            if zh { "时间" } else { "Time" },
            settings.post_time.format("%H:%M"),
            settings.timezone.name()
        ),
        format!("{}: {}", if zh { "语言" } else { "Language" }, settings.language),
        format!(
            "{}: {}",
            if zh { "新闻条数" } else { "News per post" },
            settings.news_count
        ),
        format!("{}: {}", if zh { "讨论串" } else { "Thread" }, settings.thread),
        format!("{}: {feeds}", if zh { "订阅源" } else { "Feeds" }),
    ];
    if let Some(role) = settings.moderator_role {
        lines.push(format!(
            "{}: <@&{}>",
            if zh { "版主角色" } else { "Moderator role" },
            role.0
        ));
    }
    let state = match (&settings.broken_reason, settings.paused, settings.channel) {
        (Some(reason), _, _) => format!(
            "{} {reason}",
            if zh {
                "⚠️ 已停止，请重新 /digest setup："
            } else {
                "⚠️ Stopped until /digest setup is run again:"
            }
        ),
        (None, true, _) => (if zh { "⏸ 已暂停" } else { "⏸ Paused" }).to_string(),
        (None, false, None) => (if zh { "未设置" } else { "Not set up" }).to_string(),
        (None, false, Some(_)) => format!(
            "{} {}",
            if zh { "下一次：" } else { "Next post:" },
            next_post_time(ctx, &settings).await?
        ),
    };
    lines.push(state);
    if let Some(post) = last {
        let link = post
            .message
            .map(|m| message_link(settings.id.0, post.channel.0, m.0))
            .unwrap_or_else(|| format!("{:?}", post.status));
        lines.push(format!(
            "{}: {} · `{}` · {link}",
            if zh { "上一次" } else { "Last post" },
            post.local_date,
            post.claim_id
        ));
    }
    let embed = serenity::CreateEmbed::new()
        .title(if zh { "每日论断设置" } else { "Daily digest" })
        .description(lines.join("\n"));
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

/// Pause the daily post
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "暂停每日发帖")
)]
async fn pause(ctx: Context<'_>) -> Result<(), Error> {
    set_paused(ctx, true).await
}

/// Resume the daily post
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "恢复每日发帖")
)]
async fn resume(ctx: Context<'_>) -> Result<(), Error> {
    set_paused(ctx, false).await
}

async fn set_paused(ctx: Context<'_>, paused: bool) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    ctx.data().app.store.set_paused(settings.id, paused).await?;
    let text = match (settings.language, paused) {
        (Lang::Zh, true) => "已暂停每日发帖。用 /digest resume 恢复。",
        (Lang::Zh, false) => "已恢复每日发帖。",
        (Lang::En, true) => "The daily post is paused. /digest resume brings it back.",
        (Lang::En, false) => "The daily post is back on.",
    };
    ctx.send(reply::text(text)).await?;
    Ok(())
}
