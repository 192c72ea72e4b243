# Replies to members and moderators.

## Errors

error-guild-only = This command works in a server only. / 此命令只能在服务器中使用。
error-apology = Sorry, something went wrong on our side. It has been logged; please try again later.
error-not-moderator = Only members with Manage Server or the moderator role can use this command.
error-invalid-input = Invalid input{ $what }: check the option's value and try again.
error-options-outdated = This command's options are out of date; please try again in a minute.
error-no-such-claim = There is no claim `{ $id }`. See /claim list for all of them.
error-unknown-button = This bot does not know this button; it may be left from an older version of the bot.
error-bad-time = `{ $input }` is not a time: use HH:MM, 24-hour, e.g. 09:30
error-bad-timezone = `{ $input }` is not an IANA time zone name: try Asia/Shanghai, Europe/Berlin or UTC
error-bad-days = “{ $input }” is not a weekday. Nothing was changed. Write days like mon-fri, mon,wed,fri, weekends or daily (周一至周五 works too).
error-no-days = The list of days is empty. Nothing was changed. Write days like mon-fri, mon,wed,fri or daily.

## Days and times

weekday-mon = Mon
weekday-tue = Tue
weekday-wed = Wed
weekday-thu = Thu
weekday-fri = Fri
weekday-sat = Sat
weekday-sun = Sun
days-every-day = every day
days-range = { $from }–{ $to }
list-separator = {", "}
local-time = { $weekday } { $date } { $time }

## Votes

vote-post-gone = This post no longer exists.
vote-wrong-question = That choice does not apply to this post.
vote-changed = Changed to **{ $choice }** (was { $previous }).
vote-not-recorded = Your vote could not be recorded just now. Please try again in a moment.
vote-recorded = Your vote is recorded: **{ $choice }**.

## /digest

digest-set-up = Set up: posting daily at { $time } { $zone } in { $channel }. Next post: { $next }
digest-set-up-ping = Each daily post mentions { $role } (until /digest ping off).
digest-ping-off = The daily post mentions no role from now on.
digest-no-channel = No channel yet: run /digest setup first.
digest-could-not-post = Could not post: { $reason }. Check the channel's permissions, then run /digest setup again.
digest-posted = Posted: { $link }
digest-already-posted = Today's digest is already posted: { $link }
digest-status-title = Daily digest
digest-status-channel = Channel: { $channel }
digest-status-not-set = not set
digest-status-time = Time: { $time } { $zone }
digest-status-language = Language: { $language }
digest-status-news = News per post: { $count }
digest-status-thread = Thread: { $thread }
digest-status-feeds = Feeds: { $count }
digest-status-moderator-role = Moderator role: { $role }
digest-status-ping = Each post mentions: { $role }
digest-status-broken = ⚠️ Stopped until /digest setup is run again: { $reason }
digest-status-paused = ⏸ Paused
digest-status-not-set-up = Not set up
digest-status-upcoming = Next posts ({ $zone }):
digest-status-upcoming-line = • { $when } · { $relative }
digest-status-days = Days: { $days }
digest-set-up-recap = A weekly recap goes out every { $day } at the post time (recap:off stops it).
digest-status-recap = Weekly recap: { $day }
digest-status-recap-off = Weekly recap: off
error-bad-recap-day = “{ $input }” is not one weekday. Nothing was changed. Write one day like sun or 周日, or off to stop the recap.
digest-set-up-on-days = Set up: posting on { $days } at { $time } { $zone } in { $channel } (other days are days off, not missed). Next post: { $next }
digest-status-last = Last post: { $date } · `{ $claim }` · { $link }
digest-status-last-failed = it did not reach Discord
digest-status-last-sending = on its way to Discord
word-on = on
word-off = off
digest-paused = The daily post is paused. /digest resume brings it back.
digest-resumed = The daily post is back on.

## /claim

claim-todays-post = Today's post: { $link }
claim-day-off = No post today: it is a day off here. This claim comes next, on { $when } ({ $zone }).
claim-not-posted-yet = Today's claim is not posted yet (due { $time } { $zone }).
claim-votes-here = Votes in this server
claim-list-footer = Page { $page }/{ $pages } · { $count } claims · /claim list page:{ $next }
claim-due-line = `{ $id }` · due { $deadline }
claim-due-none = No prediction is past its deadline yet.
claim-due-title = Predictions past their deadline
claim-only-predictions = Only predictions can be resolved.
claim-resolved = Recorded for `{ $id }`: { $outcome }.

## /tally

tally-export = The tally (one line per claim and round), the evidence ledger and members' calls on resolved predictions, as CSV:
tally-no-votes = No votes yet.
tally-most-agreed = 👍 Most agreed: { $claim }
tally-most-disputed = ⚖️ Most disputed: { $claim }
tally-most-voted = 🗳️ Most voted: { $claim }
tally-newest = 🆕 Newest: { $claim }
tally-all-title = All tallies

## /me and /leaderboard

me-title = Your record
me-votes = Votes cast: { $count }
me-current-streak = Current streak: { $count }
me-longest-streak = Longest streak: { $count }
me-majority = Sided with the majority: { $share }
me-hidden = 🙈 You are hidden from the leaderboard.
me-visible = You appear on the leaderboard (/me hide:true hides you).
leaderboard-title = Leaderboard
leaderboard-line = { $rank }. { $member } · { $votes } votes · streak { $current } · best { $longest }
leaderboard-empty = Nobody has voted yet.

## /feeds

feeds-not-added = Not added: { $reason }
feeds-list-full = Not added: this server already has { $max } feeds, the most allowed (FEEDS_PER_SERVER). Remove one with /feeds remove first.
feeds-already-listed = That feed is already on this server's list.
feeds-not-listed = That feed is not on this server's list.
feeds-added = Added **{ $name }** ({ $count } items).
feeds-removed = Removed **{ $name }**.
feeds-not-fetched = not fetched yet
feeds-none = No feeds. Add one with /feeds add.
feeds-list-title = Feeds ({ $count })
feeds-status-title = Feed health
feeds-status-none = No feeds.
feeds-never = never
feeds-disabled = ⛔ Disabled: { $reason }
feeds-health-line = last success { $success } · next attempt { $next } · items in window { $items }
feeds-last-error = last error ({ $failures }×): { $error }
feeds-enabled-stored = **{ $name }** is enabled again; { $count } items fetched.
feeds-enabled-unchanged = **{ $name }** is enabled again (nothing new).
feeds-enabled-held = **{ $name }** is enabled again. Its site is busy (FEED_HOST_RATE), so it will be fetched { $when }.
feeds-enabled-failed = **{ $name }** is enabled again, but this fetch failed: { $reason }. It will be retried.
feeds-test-ok = ✓ **{ $title }**: { $count } items
feeds-test-untitled = (untitled)
feeds-test-failed = ✗ Not usable as a feed: { $reason }
feeds-unknown = Pick one of this server's feeds from the suggestions.
feeds-found-linked = Found through { $page }, which names it as its feed: <{ $url }>
feeds-found-usual = { $page } names no feed; its site serves one at <{ $url }>
feeds-choose = { $page } names { $count ->
    [one] one feed
   *[other] { $count } feeds
}. Run /feeds add again with the address of the one you want:
feeds-filter-none = **{ $name }** has no filter: all its items are read.
feeds-filter-set = Filter on **{ $name }**:
feeds-filter-include = only items naming: { $terms }
feeds-filter-exclude = never items naming: { $terms }
feeds-filter-too-many = Not changed: at most { $max } words or phrases in each list.
feeds-filter-too-long = Not changed: “{ $term }” is longer than { $max } characters.
feeds-filter-no-words = Not changed: “{ $input }” holds no word or phrase. Separate them with commas; use clear:true to remove the filter.

## /help

help-text =
    Every day I post one claim from the essay to this server, with the news that bears on it most. Vote with the buttons (or react with an emoji); you can change your vote at any time.

    {"**"}Members**
    `/claim today` today's claim · `/claim show` one claim · `/claim list` all claims
    `/tally` the running tally · `/news` related news · `/help` this help

    {"**"}Moderators** (Manage Server or the moderator role)
    `/digest setup` channel, time, time zone, language, days, weekly recap · `/digest now` post today's digest now
    `/digest status` settings · `/digest pause` / `/digest resume`
    `/feeds add` `/feeds remove` `/feeds list` `/feeds test` `/feeds filter` manage the news feeds
