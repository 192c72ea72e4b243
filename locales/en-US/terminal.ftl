# What `preview` and `claims show` print in a terminal.

terminal-date-round = Date: { $date }   Round: { $round }
terminal-related-news = Related news:
terminal-no-news = (no news in the window bears on this claim)
terminal-news-meta = { $source } · { $date } · score { $score }
terminal-essay = Essay: { $url }
terminal-deadline = Deadline: { $deadline }
