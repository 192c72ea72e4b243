use crate::bot::reply::{self, guild};
use crate::bot::Context;
use crate::domain::lang::Lang;
use crate::error::Error;

/// What this bot does and how to use it
#[poise::command(
    slash_command,
    guild_only,
    description_localized("zh-CN", "这个机器人做什么、怎么用")
)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let lang = guild(ctx).await?.language;
    let text = match lang {
        Lang::Zh => {
            "\
每天，我会从文章中挑一条论断发到本服务器，并附上最相关的新闻。点按钮（或用表情回应）表达你的看法，随时可以改票。

**成员**
`/claim today` 今天的论断 · `/claim show` 查看一条 · `/claim list` 全部论断
`/tally` 投票统计 · `/news` 相关新闻 · `/help` 本帮助

**版主**（管理服务器权限或版主角色）
`/digest setup` 设置频道、时间、时区、语言 · `/digest now` 立即发布今天的帖子
`/digest status` 当前设置 · `/digest pause` / `/digest resume` 暂停与恢复
`/feeds add` `/feeds remove` `/feeds list` `/feeds test` 管理新闻源"
        }
        Lang::En => {
            "\
Every day I post one claim from the essay to this server, with the news that bears on it most. Vote with the buttons \
(or react with an emoji); you can change your vote at any time.

**Members**
`/claim today` today's claim · `/claim show` one claim · `/claim list` all claims
`/tally` the running tally · `/news` related news · `/help` this help

**Moderators** (Manage Server or the moderator role)
`/digest setup` channel, time, time zone, language · `/digest now` post today's digest now
`/digest status` settings · `/digest pause` / `/digest resume`
`/feeds add` `/feeds remove` `/feeds list` `/feeds test` manage the news feeds"
        }
    };
    ctx.send(reply::text(text).ephemeral(true)).await?;
    Ok(())
}
