use poise::serenity_prelude as serenity;

use crate::bot::reply::{self, guild, is_moderator};
use crate::bot::Context;
use crate::domain::ids::{FeedId, GuildId};
use crate::domain::lang::Lang;
use crate::domain::text::truncate_chars;
use crate::error::{Error, UserError};
use crate::feeds::FeedSource;
use crate::render::discord::{escape_markdown, limits};
use crate::services::ingest::IngestOutcome;
use crate::store::{FeedRecord, GuildSettings};

/// Manage this server's news feeds (moderators)
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    check = "is_moderator",
    subcommands("add", "remove", "list", "status", "enable", "test"),
    subcommand_required,
    description_localized("zh-CN", "管理本服务器的新闻源（版主）")
)]
pub async fn feeds(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a feed (it is fetched and checked first)
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "添加新闻源（先抓取并检查）")
)]
async fn add(
    ctx: Context<'_>,
    #[description = "The feed's URL (RSS, Atom or JSON Feed)"]
    #[description_localized("zh-CN", "新闻源地址（RSS、Atom 或 JSON Feed）")]
    url: String,
    #[description = "A name to show (default: the feed's title)"]
    #[description_localized("zh-CN", "显示的名称（默认：新闻源标题）")]
    name: Option<String>,
) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let (feed, parsed) = ctx
        .data()
        .app
        .add_feed(settings.id, &url, name.as_deref(), lang, chrono::Utc::now())
        .await?;
    let title = escape_markdown(&truncate_chars(parsed.title.as_deref().unwrap_or(&feed.url), 100));
    let text = match lang {
        Lang::Zh => format!("已添加 **{title}**（{} 条）。", parsed.items.len()),
        Lang::En => format!("Added **{title}** ({} items).", parsed.items.len()),
    };
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

async fn autocomplete_feed(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let Some(guild) = ctx.guild_id() else {
        return serenity::CreateAutocompleteResponse::new();
    };
    let feeds = ctx
        .data()
        .app
        .store
        .guild_feeds(GuildId(guild.get()))
        .await
        .unwrap_or_default();
    let needle = partial.to_lowercase();
    let choices = feeds
        .into_iter()
        .filter(|(name, f)| name.to_lowercase().contains(&needle) || f.url.contains(&needle))
        .take(25)
        .map(|(name, f)| serenity::AutocompleteChoice::new(truncate_chars(&name, 100), f.id.0.to_string()))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// The server's feed picked in an autocompleted `feed` option (its value is our feed id).
async fn chosen_feed(ctx: Context<'_>, settings: &GuildSettings, feed: &str) -> Result<(String, FeedRecord), Error> {
    let chosen = feed.trim().parse::<i64>().ok().map(FeedId);
    let feeds = ctx.data().app.store.guild_feeds(settings.id).await?;
    feeds.into_iter().find(|(_, f)| Some(f.id) == chosen).ok_or_else(|| {
        UserError::new(match settings.language {
            Lang::Zh => "请从建议列表中选择本服务器的一个新闻源。",
            Lang::En => "Pick one of this server's feeds from the suggestions.",
        })
        .into()
    })
}

/// Remove a feed from this server
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "从本服务器移除新闻源")
)]
async fn remove(
    ctx: Context<'_>,
    #[description = "The feed"]
    #[description_localized("zh-CN", "新闻源")]
    #[autocomplete = "autocomplete_feed"]
    feed: String,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let (_, record) = chosen_feed(ctx, &settings, &feed).await?;
    let name = ctx.data().app.remove_feed(settings.id, record.id, lang).await?;
    let name = escape_markdown(&name);
    let text = match lang {
        Lang::Zh => format!("已移除 **{name}**。"),
        Lang::En => format!("Removed **{name}**."),
    };
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

/// List this server's feeds and their health
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "列出本服务器的新闻源及其状态")
)]
async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let feeds = ctx.data().app.store.guild_feeds(settings.id).await?;
    let mut body = String::new();
    for (name, feed) in &feeds {
        let health = match (&feed.last_error, feed.last_success_at) {
            (Some(e), _) => format!("⚠️ {}", escape_markdown(&truncate_chars(e, 120))),
            (None, Some(at)) => format!("✓ {}", at.format("%Y-%m-%d %H:%M UTC")),
            (None, None) => (if lang == Lang::Zh {
                "尚未抓取"
            } else {
                "not fetched yet"
            })
            .to_string(),
        };
        let line = format!(
            "• **{}** <{}>\n  {health}\n",
            escape_markdown(&truncate_chars(name, 80)),
            feed.url
        );
        if body.chars().count() + line.chars().count() > limits::EMBED_DESCRIPTION - 20 {
            body.push('…');
            break;
        }
        body.push_str(&line);
    }
    if feeds.is_empty() {
        body = (if lang == Lang::Zh {
            "没有新闻源。用 /feeds add 添加。"
        } else {
            "No feeds. Add one with /feeds add."
        })
        .into();
    }
    let title = match lang {
        Lang::Zh => format!("新闻源（{}）", feeds.len()),
        Lang::En => format!("Feeds ({})", feeds.len()),
    };
    ctx.send(reply::embed(serenity::CreateEmbed::new().title(title).description(body)).ephemeral(true))
        .await?;
    Ok(())
}

/// Each feed's health: last success, last error, next attempt, items in the window
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "各新闻源的状态：上次成功、上次错误、下次抓取、窗口内条数")
)]
async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let zh = settings.language == Lang::Zh;
    let app = &ctx.data().app;
    let since = chrono::Utc::now() - chrono::Duration::days(i64::from(app.config.news_window_days));
    let never = if zh { "从未" } else { "never" };
    let mut body = String::new();
    for (name, feed) in app.store.guild_feeds(settings.id).await? {
        let stamp = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| format!("<t:{}:R>", t.timestamp()))
                .unwrap_or_else(|| never.to_string())
        };
        let items = app.store.count_items_since(feed.id, since).await?;
        let mut block = format!("**{}**\n", escape_markdown(&truncate_chars(&name, 80)));
        if let Some(reason) = &feed.disabled_reason {
            let label = if zh { "⛔ 已停用" } else { "⛔ Disabled" };
            block.push_str(&format!("{label}: {}\n", escape_markdown(&truncate_chars(reason, 200))));
        }
        block.push_str(&format!(
            "{} {} · {} {} · {} {}\n",
            if zh { "上次成功" } else { "last success" },
            stamp(feed.last_success_at),
            if zh { "下次抓取" } else { "next attempt" },
            if feed.disabled_reason.is_some() {
                "—".to_string()
            } else {
                stamp(feed.next_attempt_at)
            },
            if zh { "窗口内条数" } else { "items in window" },
            items,
        ));
        if let Some(error) = &feed.last_error {
            let label = if zh { "上次错误" } else { "last error" };
            block.push_str(&format!(
                "{label} ({}×): {}\n",
                feed.failures,
                escape_markdown(&truncate_chars(error, 200))
            ));
        }
        if body.chars().count() + block.chars().count() > limits::EMBED_DESCRIPTION - 2 {
            body.push('…');
            break;
        }
        body.push_str(&block);
    }
    if body.is_empty() {
        body = (if zh { "没有新闻源。" } else { "No feeds." }).into();
    }
    let embed = serenity::CreateEmbed::new()
        .title(if zh { "新闻源状态" } else { "Feed health" })
        .description(body);
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

/// Retry a disabled feed now
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "立即重试已停用的新闻源")
)]
async fn enable(
    ctx: Context<'_>,
    #[description = "The feed"]
    #[description_localized("zh-CN", "新闻源")]
    #[autocomplete = "autocomplete_feed"]
    feed: String,
) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let app = &ctx.data().app;
    let (name, record) = chosen_feed(ctx, &settings, &feed).await?;
    app.store.enable_feed(record.id).await?;
    let source = FeedSource::Http(FeedSource::parse_remote(&record.url).map_err(|e| UserError::new(e.to_string()))?);
    let report = app.ingest(&source, None, chrono::Utc::now()).await?;
    let name = escape_markdown(&name);
    let text = match (&report.outcome, lang) {
        (IngestOutcome::Stored { items, .. }, Lang::Zh) => format!("已重新启用 **{name}**，抓到 {items} 条。"),
        (IngestOutcome::Stored { items, .. }, Lang::En) => {
            format!("**{name}** is enabled again; {items} items fetched.")
        }
        (IngestOutcome::Deferred { until }, _) => crate::render::feeds::enabled_but_held(lang, &name, *until),
        (IngestOutcome::NotModified, Lang::Zh) => format!("已重新启用 **{name}**（无更新）。"),
        (IngestOutcome::NotModified, Lang::En) => format!("**{name}** is enabled again (nothing new)."),
        (IngestOutcome::Failed(why) | IngestOutcome::Disabled(why), Lang::Zh) => format!(
            "已重新启用 **{name}**，但这次抓取失败：{}。稍后会自动重试。",
            escape_markdown(why)
        ),
        (IngestOutcome::Failed(why) | IngestOutcome::Disabled(why), Lang::En) => format!(
            "**{name}** is enabled again, but this fetch failed: {}. It will be retried.",
            escape_markdown(why)
        ),
    };
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}

/// Fetch a feed and show what it holds, without adding it
#[poise::command(
    slash_command,
    guild_only,
    check = "is_moderator",
    description_localized("zh-CN", "抓取新闻源并预览内容（不添加）")
)]
async fn test(
    ctx: Context<'_>,
    #[description = "The feed's URL"]
    #[description_localized("zh-CN", "新闻源地址")]
    url: String,
) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let settings = guild(ctx).await?;
    let lang = settings.language;
    let source = FeedSource::Http(FeedSource::parse_remote(&url).map_err(|e| UserError::new(e.to_string()))?);
    let text = match ctx.data().app.probe_feed(&source, chrono::Utc::now()).await? {
        Ok(parsed) => {
            let title = escape_markdown(&truncate_chars(parsed.title.as_deref().unwrap_or("(untitled)"), 100));
            let mut text = match lang {
                Lang::Zh => format!("✓ **{title}**：{} 条\n", parsed.items.len()),
                Lang::En => format!("✓ **{title}**: {} items\n", parsed.items.len()),
            };
            for item in parsed.items.iter().take(5) {
                text.push_str(&format!("• {}\n", escape_markdown(&truncate_chars(&item.title, 150))));
            }
            text
        }
        Err(why) => match lang {
            Lang::Zh => format!("✗ 不能用作新闻源：{why}"),
            Lang::En => format!("✗ Not usable as a feed: {why}"),
        },
    };
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}
