# 计票图：/tally 附带的 PNG，以及论断链接预览中的图片。

chart-caption = 第 { $round } 轮 · { $voters } 人投票
chart-no-votes = 还没有投票
chart-legend = { $label } { $count }（{ $percent }%）
chart-rounds-title = 各轮占比（%）
chart-axis-round = 轮次
chart-resolved = 已有结果：{ $outcome }
