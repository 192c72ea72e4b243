# 成员建议：/claim suggest、/claim queue（版主）、/claim mine。

suggestion-section = 成员建议
claim-suggested-by = 💡 由 { $member } 建议

suggestion-no-text = 请写出论断本身：一句成员可以赞同或反对的话。
suggestion-too-short = 论断至少需要 { $min } 个字符。
suggestion-too-long = 论断最多 { $max } 个字符。
suggestion-unknown-kind = `{ $input }` 不是类型：请写 `prediction`（预测）或 `opinion`（观点）。
suggestion-bad-deadline = `{ $input }` 不是日期：请用 YYYY-MM-DD，例如 2030-01-01。
suggestion-deadline-opinion = 只有预测才有截止日期；观点请不要填写。
suggestion-deadline-passed = 预测的截止日期必须晚于今天。
suggestion-too-many = 你已有 { $max } 条建议在等待版主处理。等其中一条有了结果，就可以再提（见 /claim mine）。
suggestion-no-reason = 请说明理由：提出建议的成员会看到它。
suggestion-already-decided = 建议 #{ $id } 已经处理过了。

suggestion-due = 截止 { $deadline }
suggestion-filed = 谢谢！建议 #{ $id } 正在等待版主处理：
    { $suggestion }
    每人同时最多可有 { $max } 条待处理；/claim mine 可查看你的建议的结果。
suggestion-by = 建议者：{ $member }

suggestion-approve = 通过
suggestion-edit = 编辑
suggestion-reject = 拒绝
suggestion-queue-title = { $count } 条建议待处理
suggestion-queue-help = 通过的建议会加入本服务器的轮换，在每一轮中排在文章的论断之后。
suggestion-queue-empty = 没有待处理的建议。
suggestion-queue-footer = 显示 { $count } 条中的 { $shown } 条，最早的在前
suggestion-approved = 已通过 #{ $id }：它以 `{ $claim }` 加入轮换。
suggestion-rejected = 已拒绝 #{ $id }；成员可以在 /claim mine 中看到你的理由。
suggestion-edited = 已保存对 #{ $id } 的编辑；它仍在等待通过。

suggestion-mine-title = 你的建议
suggestion-mine-none = 你还没有建议过论断。试试 /claim suggest。
suggestion-status-pending = ⏳ 等待版主处理
suggestion-status-approved = ✅ 已通过：`{ $claim }` 已加入本服务器的轮换
suggestion-status-rejected = ❌ 已拒绝：{ $reason }

suggestion-form-edit-title = 编辑建议 #{ $id }
suggestion-form-reject-title = 拒绝建议 #{ $id }
suggestion-form-text-zh = 中文论断
suggestion-form-text-en = 英文论断
suggestion-form-kind = 类型：prediction 或 opinion
suggestion-form-deadline = 截止日期（预测，YYYY-MM-DD）
suggestion-form-deadline-placeholder = 例如 2030-01-01
suggestion-form-reason = 理由（成员会看到）
