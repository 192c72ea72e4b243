# `preview` 与 `claims show` 在终端里打印的内容。

terminal-date-round = 日期: { $date }   轮次: { $round }
terminal-related-news = 相关新闻:
terminal-no-news = （窗口内没有与此论断相关的新闻）
terminal-news-meta = { $source } · { $date } · score { $score }
terminal-essay = 原文: { $url }
terminal-deadline = 截止: { $deadline }
