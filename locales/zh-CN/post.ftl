# 每日帖子、投票统计，以及各处（Discord、终端）共用的词语。

## 问题、选项与论断类型

question-stance = 你同意吗？
question-verdict = 截止日期已过：它成真了吗？
choice-agree = 同意
choice-disagree = 不同意
choice-unsure = 不确定
choice-yes = 成真了
choice-no = 没成真
choice-early = 言之尚早
kind-prediction = 预测
kind-opinion = 观点

## 版主记录的裁定

outcome-yes = 已成真
outcome-no = 未成真
outcome-unclear = 尚无定论

## 帖子

post-read-essay = 阅读原文
post-round = 第 { $round } 轮
post-deadline = 截止日期
post-related-news = 相关新闻
post-no-news = 近期没有与此论断相关的新闻。
post-thread-name = 讨论: { $claim }
tally-choice = { $emoji } { $label } { $count } ({ $percent }%)
tally-voters = { $voters } 人投票
tally-reactions = 也可用表情回应
tally-round-head = 第 { $round } 轮 · { $date }
tally-round-votes = { $voters } 票
tally-not-posted = 这条论断还没有在本服务器发布过。
tally-earlier-locked = 🔒 在本轮投票后，才能看到之前各轮的结果。
tally-agreement-change = 同意比例较第一轮变化 { $change } 个百分点
tally-resolved = ⚖️ 版主裁定：
tally-rounds-not-shown = 另有 { $count } 轮较早的结果未在此显示。

## 摘要频道里的通知

notice-feed-disabled = ⚠️ 新闻源 **{ $name }** 持续失败，已停用：{ $reason }
    版主可用 `/feeds enable` 重试，或 `/feeds remove` 移除。

## 每周回顾

recap-title = 每周回顾：{ $first } 至 { $last }
recap-claims = 本周的论断
recap-claim-line = { $date } · `{ $id }` { $claim }
    { $split }
recap-biggest-change = 看法变化最大
recap-change-line = `{ $id }` { $claim }：赞同比例自第一轮以来变化 { $points } 个百分点
recap-most-disputed = 争议最大
recap-disputed-line = `{ $id }` { $claim }
    { $split }
recap-due-soon = 未来 30 天内到期的预测
recap-due-line = `{ $id }` { $claim } · { $deadline } 到期
recap-most-active = 最活跃的成员
recap-active-line = { $member } · { $count } 票
recap-none = 本周没有。
recap-evidence = 证据
recap-evidence-added = 本周成员为账本提交了 { $count } 条新闻。
