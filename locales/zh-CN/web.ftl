# 公开计票页面（/digest web）以及与之相关的 Discord 回复。

web-language-name = 中文
web-essay-by = 文章作者：{ $author }。
web-read-essay = 阅读原文
web-server-title = { $essay }：本服务器的计票
web-no-claims = 本服务器还没有发布过任何论断。
web-highlights = 要点
web-most-agreed = 最受认同：
web-most-disputed = 争议最大：
web-biggest-shift = 各轮之间变化最大：
web-points = { $points } 个百分点
web-claims = 已发布的全部论断
web-col-claim = 论断
web-col-rounds = 轮数
web-col-votes = 票数
web-col-split = 分布
web-col-deadline = 截止日期
web-col-verdict = 应验投票
web-col-resolution = 裁定
web-col-rank = 名次
web-resolution-label = 裁定：
web-col-round = 轮次
web-col-date = 日期
web-col-member = 成员
web-col-streak = 当前连续
web-col-longest = 最长连续
web-due = 已到期与已裁定的预测
web-none-due = 还没有预测到达截止日期。
web-unresolved = 尚未裁定
web-scorecard = 文章的成绩单
web-score-predictions = 文章中的预测
web-score-due = 已过截止日期
web-score-came-true = 已应验
web-score-did-not = 未应验
web-score-unclear = 无法判断
web-score-awaiting = 等待裁定
web-score-members-right = 成员多数判断正确
web-of = { $whole } 个中的 { $part } 个
web-deadline = 截止 { $date }
web-chart-title = 各轮认同比例
web-chart-point = 第 { $round } 轮：{ $share }% 认同
web-chart-caption = 每一轮中表示认同的成员比例；下表列出全部票数。
web-rounds = 各轮投票
web-verdict = 应验了吗？
web-back = 返回全部论断
web-leaderboard = 排行榜
web-leaderboard-who = 这里只列出选择公开的成员（/me web:show），显示的是他们当时的名字。
web-leaderboard-empty = 还没有成员选择在这里公开。
web-not-found = 未找到
web-method-not-allowed = 只允许 GET 和 HEAD 请求。
web-too-many-requests = 请求过多，请稍后再试。

# Discord 回复。
web-not-served = 此机器人没有提供网页：运营者需要先设置 WEB_ADDR（以及 PUBLIC_URL）。
web-not-enabled = 本服务器的页面未开启：请用 /digest web enable 开启。
web-enabled = 本服务器的计票页面已开启：{ $link }
    任何拿到链接的人都能查看。/digest web rotate 会换一个新链接并使旧链接失效；/digest web disable 关闭页面。
web-rotated = 新链接：{ $link }
    旧链接已失效。
web-disabled = 计票页面已关闭，链接已失效。
web-was-off = 计票页面本来就是关闭的。
web-open-page = 计票页面
web-me-shown = 你已出现在计票页面的排行榜上，名字为 { $name }。
web-me-hidden = 你已不在计票页面的排行榜上。

## 论断页面的证据账本

web-ledger = 证据账本
web-ledger-empty = 这个论断还没有证据。
web-ledger-story = 新闻
web-ledger-added = 加入日期

web-chart-resolved = 已有结果：{ $outcome }

## 论断页面的图表，以及页面链接展开后的预览（Open Graph）

web-chart-title-of = 各轮认同比例：{ $claim }
web-chart-once = 目前的认同比例：第 { $round } 轮 { $share }%。有第二轮投票后，这里会画出变化曲线。
web-preview-server = { $essay }中的 { $claims } 个论断，以及本服务器每一轮的投票。
web-preview-claim = { $section } · { $kind }。第 { $round } 轮：{ $split }
web-preview-image = “{ $claim }”各轮的投票
