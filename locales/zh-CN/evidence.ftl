# 证据账本：每日帖子的“证据”面板、账本、结果卡片、成员的判断和成绩单。

## 对一条新闻的立场

stance-supports = 支持
stance-contradicts = 反驳
stance-offtopic = 无关

## 证据面板

evidence-button = 证据
evidence-panel-title = 证据：{ $claim }
evidence-panel-help = 每条新闻是支持这个论断、反驳它，还是与它无关？你的标记会记入这个论断的账本，随时可以更改。
evidence-marked = 已将第 { $number } 条标记为 **{ $stance }**。
evidence-your-mark = 你的标记：{ $stance }
evidence-withheld-line = 🚫 已作为无关新闻从这个论断下撤下。
evidence-panel-empty = 这条帖子没有附新闻，没有可以评判的内容。
evidence-not-recorded = 数据库暂时没有响应，你的标记没有记下。请过一分钟再试。

## 账本

evidence-ledger-title = 账本：{ $claim }
evidence-withheld-title = 作为无关新闻撤下的：{ $claim }
evidence-ledger-footer = { $id } · 第 { $page } / { $pages } 页 · 共 { $total } 条
evidence-none = 这个论断还没有证据。可以在每日帖子下标记新闻，或用 /evidence add 提交一条。
evidence-none-withheld = 这个论断下没有被撤下的新闻。
evidence-brought-by = 由 { $member } 提交
evidence-strongest-for = 最有力的支持证据
evidence-strongest-against = 最有力的反驳证据

## 成员提交证据；版主整理账本

evidence-added = 已记为第 #{ $id } 条：{ $story }
    { $counts }
evidence-merged = 这条新闻已是第 #{ $id } 条，你的立场已加入：{ $story }
    { $counts }
evidence-add-limit = 你今天已提交 { $max } 条，这是每人每天的上限。请明天再来。
evidence-add-busy = 你上一个链接还在读取中。请等它有了结果，再添加下一个。
evidence-unreadable = 无法读取这个链接：{ $reason }
evidence-no-such-entry = 这个论断的账本里没有第 #{ $id } 条。/evidence list 会列出各条及其编号。
evidence-not-withheld = 第 #{ $id } 条并未被撤下。
evidence-removed = 已从账本删除第 #{ $id } 条：{ $story }
evidence-restored = 第 #{ $id } 条已重新显示在论断下，成员的“无关”标记不会再把它撤下：{ $story }

## 结果卡片

resolution-card-title = 已有结果：{ $claim }
resolution-card-outcome = 这个预测 **{ $outcome }**。
resolution-card-stance = 本服务器当时的看法
resolution-card-round = 第 { $round } 轮 { $percent }% 同意（{ $voters } 票）
resolution-card-round-empty = 第 { $round } 轮无人投票。
resolution-card-never-asked = 这个论断从未在本服务器发布过。
resolution-card-verdict = 截止日期后的裁决投票
resolution-card-no-verdict = 无人参与裁决。
resolution-card-posted = 结果卡片已发布在 { $channel }。

## /me 中的判断

me-calls-title = 你的判断
me-calls = 判断正确 { $right } / { $counted }（{ $percent }%）
me-calls-uncounted = 你的判断暂时都不计入：“不确定”的立场和无定论的结果都不算对错。
me-calls-none = 你表过态的预测还没有一个有结果。
me-call-line = { $mark } `{ $id }`：你选了“{ $stance }”；结果：{ $outcome }

## 成绩单

scorecard-title = 成绩单：{ $essay }
scorecard-summary = 成真 { $yes } · 未成真 { $no } · 无定论 { $unclear } · 待定 { $pending }
scorecard-came-true = 成真
scorecard-did-not = 未成真
scorecard-unclear = 无定论
scorecard-pending = 待定
scorecard-server = 本服务器的裁决：{ $verdict }（{ $voters } 票）
scorecard-server-none = 本服务器的裁决：尚无
