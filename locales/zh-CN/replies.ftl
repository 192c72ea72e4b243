# 给成员和版主的回复。

## 错误

error-guild-only = This command works in a server only. / 此命令只能在服务器中使用。
error-apology = 抱歉，出了点问题，已记录在日志中。请稍后再试。
error-not-moderator = 只有拥有「管理服务器」权限或版主角色的成员才能使用此命令。
error-invalid-input = 输入无效{ $what }：请检查该选项的值后重试。
error-options-outdated = 此命令的选项已过期，请稍后重试。
error-no-such-claim = 没有 id 为 `{ $id }` 的论断。用 /claim list 查看全部。
error-unknown-button = 本机器人不认识这个按钮，它可能是旧版本留下的。
error-bad-time = `{ $input }` 不是时间：请用 24 小时制的 HH:MM，例如 09:30
error-bad-timezone = `{ $input }` 不是 IANA 时区名：可试 Asia/Shanghai、Europe/Berlin 或 UTC
error-bad-days = 「{ $input }」不是星期几，设置没有任何改动。请这样写：「周一至周五」「周一、周三、周五」「周末」「每天」（也可用 mon-fri、mon,wed,fri）。
error-no-days = 没有写任何一天，设置没有任何改动。请这样写：「周一至周五」「周一、周三、周五」或「每天」。

## 星期与时间

weekday-mon = 周一
weekday-tue = 周二
weekday-wed = 周三
weekday-thu = 周四
weekday-fri = 周五
weekday-sat = 周六
weekday-sun = 周日
days-every-day = 每天
days-range = { $from }至{ $to }
list-separator = 、
local-time = { $date }（{ $weekday }）{ $time }

## 投票

vote-post-gone = 找不到这条帖子，可能已被删除。
vote-wrong-question = 这个选项不适用于这条帖子。
vote-changed = 已改为「{ $choice }」（原为「{ $previous }」）。
vote-not-recorded = 暂时无法记录你的投票，请稍后再试一次。
vote-recorded = 已记录你的投票：「{ $choice }」。

## /digest

digest-set-up = 已设置：每天 { $time } { $zone } 在 { $channel } 发布。下一次：{ $next }
digest-set-up-ping = 每天的帖子都会提及 { $role }（直到 /digest ping off）。
digest-ping-off = 从现在起，每天的帖子不再提及任何身份组。
digest-no-channel = 还没有设置频道：先用 /digest setup。
digest-could-not-post = 无法发布：{ $reason }。请检查频道权限，然后重新运行 /digest setup。
digest-posted = 已发布：{ $link }
digest-already-posted = 今天已经发布过了：{ $link }
digest-status-title = 每日论断设置
digest-status-channel = 频道: { $channel }
digest-status-not-set = 未设置
digest-status-time = 时间: { $time } { $zone }
digest-status-language = 语言: { $language }
digest-status-news = 新闻条数: { $count }
digest-status-thread = 讨论串: { $thread }
digest-status-feeds = 订阅源: { $count }
digest-status-moderator-role = 版主角色: { $role }
digest-status-ping = 每条帖子提及：{ $role }
digest-status-broken = ⚠️ 已停止，请重新 /digest setup： { $reason }
digest-status-paused = ⏸ 已暂停
digest-status-not-set-up = 未设置
digest-status-upcoming = 接下来的发帖（{ $zone }）：
digest-status-upcoming-line = • { $when } · { $relative }
digest-status-days = 发帖日: { $days }
digest-set-up-recap = 每{ $day }在发帖时间发布一次每周回顾（recap:off 可停止）。
digest-status-recap = 每周回顾: { $day }
digest-status-recap-off = 每周回顾: 关闭
error-bad-recap-day = 「{ $input }」不是某一个星期几，设置没有任何改动。请写一天，例如「周日」或 sun；写 off 可停止每周回顾。
digest-set-up-on-days = 已设置：每{ $days } { $time } { $zone } 在 { $channel } 发布（其余日子休息，不算错过）。下一次：{ $next }
digest-status-last = 上一次: { $date } · `{ $claim }` · { $link }
digest-status-last-failed = 未能发到 Discord
digest-status-last-sending = 正在发往 Discord
word-on = 开
word-off = 关
digest-paused = 已暂停每日发帖。用 /digest resume 恢复。
digest-resumed = 已恢复每日发帖。

## /claim

claim-todays-post = 今天的帖子：{ $link }
claim-day-off = 今天是本服务器的休息日，不发帖。下一次发帖在 { $when }（{ $zone }），届时发布这条论断。
claim-not-posted-yet = 今天的论断尚未发布（计划于 { $time } { $zone }）。
claim-votes-here = 本服务器的投票
claim-list-footer = 第 { $page }/{ $pages } 页 · 共 { $count } 条 · /claim list page:{ $next }
claim-due-line = `{ $id }` · 截止 { $deadline }
claim-due-none = 还没有到期的预测。
claim-due-title = 到期的预测
claim-only-predictions = 只有预测才能裁定是否成真。
claim-resolved = 已记录 `{ $id }` 的裁定：{ $outcome }。

## /tally

tally-export = 投票统计（每条论断每一轮一行）、证据账本和成员对已有结果的预测的判断（CSV）：
tally-no-votes = 还没有投票。
tally-most-agreed = 👍 最多人同意： { $claim }
tally-most-disputed = ⚖️ 争议最大： { $claim }
tally-most-voted = 🗳️ 投票最多： { $claim }
tally-newest = 🆕 最新： { $claim }
tally-all-title = 投票总览

## /me 与 /leaderboard

me-title = 我的记录
me-votes = 投票次数： { $count }
me-current-streak = 当前连续： { $count }
me-longest-streak = 最长连续： { $count }
me-majority = 与多数一致： { $share }
me-hidden = 🙈 你不会出现在排行榜上。
me-visible = 你会出现在排行榜上（/me hide:true 可隐藏）。
leaderboard-title = 排行榜
leaderboard-line = { $rank }. { $member } · { $votes } 票 · 当前连续 { $current } · 最长 { $longest }
leaderboard-empty = 还没有人投票。

## /feeds

feeds-not-added = 无法添加：{ $reason }
feeds-list-full = 未添加：本服务器已有 { $max } 个新闻源，达到上限（FEEDS_PER_SERVER）。请先用 /feeds remove 移除一个。
feeds-already-listed = 这个订阅源已经在列表里了。
feeds-not-listed = 这个服务器的列表里没有这个订阅源。
feeds-added = 已添加 **{ $name }**（{ $count } 条）。
feeds-removed = 已移除 **{ $name }**。
feeds-not-fetched = 尚未抓取
feeds-none = 没有新闻源。用 /feeds add 添加。
feeds-list-title = 新闻源（{ $count }）
feeds-status-title = 新闻源状态
feeds-status-none = 没有新闻源。
feeds-never = 从未
feeds-disabled = ⛔ 已停用: { $reason }
feeds-health-line = 上次成功 { $success } · 下次抓取 { $next } · 窗口内条数 { $items }
feeds-last-error = 上次错误 ({ $failures }×): { $error }
feeds-enabled-stored = 已重新启用 **{ $name }**，抓到 { $count } 条。
feeds-enabled-unchanged = 已重新启用 **{ $name }**（无更新）。
feeds-enabled-held = 已重新启用 **{ $name }**。它所在的网站正忙（FEED_HOST_RATE），将于 { $when } 抓取。
feeds-enabled-failed = 已重新启用 **{ $name }**，但这次抓取失败：{ $reason }。稍后会自动重试。
feeds-test-ok = ✓ **{ $title }**：{ $count } 条
feeds-test-untitled = （无标题）
feeds-test-failed = ✗ 不能用作新闻源：{ $reason }
feeds-unknown = 请从建议列表中选择本服务器的一个新闻源。
feeds-found-linked = 通过 { $page } 找到，该页面把它列为自己的新闻源：<{ $url }>
feeds-found-usual = { $page } 没有列出新闻源；该网站在 <{ $url }> 提供了一个
feeds-choose = { $page } 列出了 { $count } 个新闻源。请用想要的那个地址再次运行 /feeds add：
feeds-filter-none = **{ $name }** 没有过滤规则：所有条目都会读取。
feeds-filter-set = **{ $name }** 的过滤规则：
feeds-filter-include = 只保留包含以下词语的条目：{ $terms }
feeds-filter-exclude = 排除包含以下词语的条目：{ $terms }
feeds-filter-too-many = 未更改：每个列表最多 { $max } 个词语或短语。
feeds-filter-too-long = 未更改：“{ $term }”超过了 { $max } 个字符。
feeds-filter-no-words = 未更改：“{ $input }”里没有词语或短语。请用逗号分隔；要移除过滤规则，请用 clear:true。

## /help

help-text =
    每天，我会从文章中挑一条论断发到本服务器，并附上最相关的新闻。点按钮（或用表情回应）表达你的看法，随时可以改票。

    {"**"}成员**
    `/claim today` 今天的论断 · `/claim show` 查看一条 · `/claim list` 全部论断
    `/tally` 投票统计 · `/news` 相关新闻 · `/help` 本帮助

    {"**"}版主**（管理服务器权限或版主角色）
    `/digest setup` 设置频道、时间、时区、语言、发帖日、每周回顾 · `/digest now` 立即发布今天的帖子
    `/digest status` 当前设置 · `/digest pause` / `/digest resume` 暂停与恢复
    `/feeds add` `/feeds remove` `/feeds list` `/feeds test` `/feeds filter` 管理新闻源
