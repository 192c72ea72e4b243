# Slash commands as Discord shows them: each message is a command's description; its attributes
# describe the command's options (`.option`) and name the option's choices (`.option-choice`).
# Command and option names are the bot's interface and stay as they are in every language.

cmd-claim = Claims of the essay

cmd-claim-today = Today's claim in this server

cmd-claim-show = Show one claim
    .id = The claim

cmd-claim-list = List the claims, ten per page
    .page = Page number

cmd-claim-due = Predictions whose deadline has passed, with the community's verdict

cmd-claim-resolve = Record whether a prediction came true (moderators)
    .id = The prediction
    .outcome = Did it come true?
    .outcome-yes = yes
    .outcome-no = no
    .outcome-unclear = unclear
    .note = A short note (sources, reasoning)
cmd-claim-scorecard = The essay's predictions: came true, did not, unclear, pending, with this server's verdict

cmd-claim-suggest = Suggest a claim for this server (the moderators decide)
    .text = The claim, in Chinese or English (the other language may follow)
    .kind = A prediction (it can come true) or an opinion
    .kind-prediction = prediction
    .kind-opinion = opinion
    .deadline = For a prediction: by when (YYYY-MM-DD)

cmd-claim-queue = Suggestions waiting for a decision (moderators)

cmd-claim-mine = Your suggestions and what became of them

cmd-evidence = The evidence ledger: the news members judged for and against each claim

cmd-evidence-list = A claim's ledger, newest first
    .claim = The claim
    .page = Page number
    .withheld = Show the stories withheld as off-topic instead (moderators)

cmd-evidence-add = Bring a story to a claim's ledger
    .claim = The claim
    .url = The story's link (a web page or a feed)
    .stance = Does it support or contradict the claim?
    .stance-supports = supports
    .stance-contradicts = contradicts

cmd-evidence-remove = Remove an entry from a claim's ledger (moderators)
    .claim = The claim
    .entry = The entry's number (#) from /evidence list

cmd-evidence-restore = Show a story withheld as off-topic beside its claim again (moderators)
    .claim = The claim
    .entry = The entry's number (#) from /evidence list withheld:true


cmd-digest = Set up and run the daily digest (moderators)

cmd-digest-setup = Choose the channel, time and time zone of the daily post
    .channel = Channel to post in
    .time = Local time of the post, HH:MM (24-hour)
    .timezone = IANA time zone, e.g. Asia/Shanghai
    .language = Language of the posts
    .language-zh = zh
    .language-en = en
    .news = News items per post (1-5)
    .thread = Open a discussion thread on each post
    .moderator_role = A role whose members may also moderate the digest
    .ping_role = A role each daily post mentions (it stays until /digest ping off)
    .recap = A weekly recap on this weekday at the post time (e.g. sun), or off
    .days = Weekdays to post on, e.g. mon-fri, mon,wed,fri or daily (kept when left out)

cmd-digest-now = Post today's digest now (once per day)

cmd-digest-ping = The role the daily post mentions

cmd-digest-ping-off = Stop mentioning a role in the daily post

cmd-digest-status = Show the digest's settings, next post and last post

cmd-digest-pause = Pause the daily post

cmd-digest-resume = Resume the daily post

cmd-digest-web = The server's public tally page

cmd-digest-web-enable = Turn on the public tally page and get its link
    .index = Let search engines index the page (default: no)

cmd-digest-web-disable = Turn off the public tally page (its link stops working at once)

cmd-digest-web-rotate = Give the tally page a new link; the old one stops working

cmd-feeds = Manage this server's news feeds (moderators)

cmd-feeds-add = Add a feed (it is fetched and checked first)
    .url = The feed's URL (RSS, Atom or JSON Feed)
    .name = A name to show (default: the feed's title)

cmd-feeds-remove = Remove a feed from this server
    .feed = The feed

cmd-feeds-list = List this server's feeds and their health

cmd-feeds-status = Each feed's health: last success, last error, next attempt, items in the window

cmd-feeds-enable = Retry a disabled feed now
    .feed = The feed

cmd-feeds-test = Fetch a feed and show what it holds, without adding it
    .url = The feed's URL

cmd-feeds-filter = Drop or keep a feed's items by words (any case, both languages); no options shows it
    .feed = The feed
    .exclude = Drop items naming any of these words or phrases, separated by commas
    .include = Keep only items naming one of these words or phrases, separated by commas
    .clear = Remove this feed's filter

cmd-help = What this bot does and how to use it

cmd-me = Your votes, streaks and how often you side with the majority
    .hide = Hide yourself from the leaderboard (true) or show again (false)
    .web = Appear on the tally page's leaderboard under your current name (show), or leave it (hide)
    .web-show = show
    .web-hide = hide

cmd-leaderboard = Most active members and their streaks
    .page = Page number

cmd-news = News related to a claim (default: today's)
    .claim = The claim

cmd-tally = The running tally of one claim, or of all claims
    .claim = The claim (default: all)
    .export = Attach the whole tally, the evidence ledger and the calls as CSV (moderators)
