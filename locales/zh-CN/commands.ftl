# Discord 中显示的斜杠命令：每条消息是命令的说明；属性是各选项的说明（`.选项`）和选项中各选择的名称（`.选项-选择`）。
# 命令名和选项名是接口，各语言相同。

cmd-claim = 文章中的论断

cmd-claim-today = 本服务器今天的论断

cmd-claim-show = 查看一条论断
    .id = 论断

cmd-claim-list = 列出全部论断（每页十条）
    .page = 页码

cmd-claim-due = 截止日期已过的预测，以及大家的判断

cmd-claim-resolve = 记录预测是否成真（版主）
    .id = 预测
    .outcome = 它成真了吗？
    .outcome-yes = 成真
    .outcome-no = 未成真
    .outcome-unclear = 尚无定论
    .note = 简短说明（来源、理由）
cmd-claim-scorecard = 文章中的预测：成真、未成真、无定论、待定，以及本服务器的裁决

cmd-claim-suggest = 为本服务器建议一条论断（由版主决定）
    .text = 论断，中文或英文均可（另一种语言可以之后补上）
    .kind = 预测（可能成真）还是观点
    .kind-prediction = 预测
    .kind-opinion = 观点
    .deadline = 预测的截止日期（YYYY-MM-DD）

cmd-claim-queue = 等待处理的建议（版主）

cmd-claim-mine = 你的建议及其结果

cmd-evidence = 证据账本：成员判断过的支持与反驳各论断的新闻

cmd-evidence-list = 一个论断的账本，最新的在前
    .claim = 论断
    .page = 页码
    .withheld = 改为列出作为无关新闻撤下的（版主）

cmd-evidence-add = 为一个论断的账本提交一条新闻
    .claim = 论断
    .url = 新闻链接（网页或订阅源）
    .stance = 它支持还是反驳这个论断？
    .stance-supports = 支持
    .stance-contradicts = 反驳

cmd-evidence-remove = 从论断的账本中删除一条（版主）
    .claim = 论断
    .entry = /evidence list 中的编号（#）

cmd-evidence-restore = 让作为无关新闻撤下的一条重新显示在论断下（版主）
    .claim = 论断
    .entry = /evidence list withheld:true 中的编号（#）


cmd-digest = 设置并管理每日论断（版主）

cmd-digest-setup = 设置每日帖子的频道、时间和时区
    .channel = 发帖的频道
    .time = 发帖的当地时间，HH:MM（24 小时制）
    .timezone = IANA 时区名，例如 Asia/Shanghai
    .language = 帖子的语言
    .language-zh = 中文
    .language-en = 英文
    .news = 每条帖子附带的新闻数（1-5）
    .thread = 为每条帖子开一个讨论串
    .moderator_role = 同样可以管理本机器人的角色
    .ping_role = 每条每日帖子都会提及的身份组（保持到 /digest ping off）
    .recap = 每周回顾在星期几发布（例如 周日），或 off 关闭
    .days = 在星期几发布，例如 周一至周五、周一、周三、周五 或 每天（不填则保持不变）

cmd-digest-now = 立即发布今天的论断（每天一次）

cmd-digest-ping = 每日帖子提及的身份组

cmd-digest-ping-off = 每日帖子不再提及身份组

cmd-digest-status = 查看设置、下一次和上一次发帖

cmd-digest-pause = 暂停每日发帖

cmd-digest-resume = 恢复每日发帖

cmd-digest-web = 本服务器的公开计票页面

cmd-digest-web-enable = 开启公开计票页面并获取链接
    .index = 允许搜索引擎收录页面（默认：否）

cmd-digest-web-disable = 关闭公开计票页面（链接立即失效）

cmd-digest-web-rotate = 为计票页面换一个新链接，旧链接失效

cmd-feeds = 管理本服务器的新闻源（版主）

cmd-feeds-add = 添加新闻源（先抓取并检查）
    .url = 新闻源地址（RSS、Atom 或 JSON Feed）
    .name = 显示的名称（默认：新闻源标题）

cmd-feeds-remove = 从本服务器移除新闻源
    .feed = 新闻源

cmd-feeds-list = 列出本服务器的新闻源及其状态

cmd-feeds-status = 各新闻源的状态：上次成功、上次错误、下次抓取、窗口内条数

cmd-feeds-enable = 立即重试已停用的新闻源
    .feed = 新闻源

cmd-feeds-test = 抓取新闻源并预览内容（不添加）
    .url = 新闻源地址

cmd-feeds-filter = 按词语排除或只保留某个新闻源的条目（不分大小写，中英文皆可）；不带选项则显示当前规则
    .feed = 新闻源
    .exclude = 排除包含这些词语或短语的条目，用逗号分隔
    .include = 只保留包含其中某个词语或短语的条目，用逗号分隔
    .clear = 移除这个新闻源的过滤规则

cmd-help = 这个机器人做什么、怎么用

cmd-me = 你的投票、连续参与和与多数一致的比例
    .hide = 在排行榜上隐藏自己（true）或重新显示（false）
    .web = 以你现在的名字出现在计票页面的排行榜上（show），或退出（hide）
    .web-show = 显示
    .web-hide = 隐藏

cmd-leaderboard = 最活跃的成员与连续参与
    .page = 页码

cmd-news = 与某条论断相关的新闻（默认：今天的论断）
    .claim = 论断

cmd-tally = 查看某条论断或全部论断的投票统计
    .claim = 论断（默认：全部）
    .export = 以 CSV 附件导出全部统计、证据账本和成员的判断（版主）
