# The public tally page (/digest web) and the Discord replies about it.

web-language-name = English
web-essay-by = An essay by { $author }.
web-read-essay = Read the essay
web-server-title = { $essay }: the server's tally
web-no-claims = No claim has been posted in this server yet.
web-highlights = Highlights
web-most-agreed = Most agreed:
web-most-disputed = Most disputed:
web-biggest-shift = Biggest shift across rounds:
web-points = { $points } points
web-claims = Every claim posted so far
web-col-claim = Claim
web-col-rounds = Rounds
web-col-votes = Votes
web-col-split = Split
web-col-deadline = Deadline
web-col-verdict = Verdict votes
web-col-resolution = Resolution
web-col-rank = Rank
web-resolution-label = Resolution:
web-col-round = Round
web-col-date = Date
web-col-member = Member
web-col-streak = Current streak
web-col-longest = Longest streak
web-due = Predictions due and resolved
web-none-due = No prediction's deadline has passed yet.
web-unresolved = Not resolved yet
web-scorecard = The essay's scorecard
web-score-predictions = Predictions in the essay
web-score-due = Deadline passed
web-score-came-true = Came true
web-score-did-not = Did not come true
web-score-unclear = Unclear
web-score-awaiting = Awaiting a resolution
web-score-members-right = Members' majority called it right
web-of = { $part } of { $whole }
web-deadline = deadline { $date }
web-chart-title = Agreement by round
web-chart-point = round { $round }: { $share }% agree
web-chart-caption = Share of members who agree, in each round; the table below gives every count.
web-rounds = Each round's votes
web-verdict = Did it come true?
web-back = Back to every claim
web-leaderboard = Leaderboard
web-leaderboard-who = Only members who chose to appear here (/me web:show) are listed, under the name they had then.
web-leaderboard-empty = No member has chosen to appear here yet.
web-not-found = Not found
web-method-not-allowed = Only GET and HEAD are allowed.
web-too-many-requests = Too many requests; try again in a moment.

# Discord replies.
web-not-served = This bot serves no web page: its operator has to set WEB_ADDR (and PUBLIC_URL) first.
web-not-enabled = This server's page is off: turn it on with /digest web enable.
web-enabled = This server's tally page is on: { $link }
    Anyone with the link can read it. /digest web rotate gives a new link and kills this one; /digest web disable turns the page off.
web-rotated = New link: { $link }
    The old link no longer works.
web-disabled = The tally page is off; its link no longer works.
web-was-off = The tally page was already off.
web-open-page = Tally page
web-me-shown = You are on the tally page's leaderboard as { $name }.
web-me-hidden = You are no longer on the tally page's leaderboard.

## The claim page's evidence ledger

web-ledger = Evidence ledger
web-ledger-empty = No evidence on this claim yet.
web-ledger-story = Story
web-ledger-added = Added

web-chart-resolved = Resolved: { $outcome }

## The claim page's chart, and what a link to a page unfolds into (Open Graph)

web-chart-title-of = Agreement by round: { $claim }
web-chart-once = Agreement so far: { $share }% in round { $round }. A line shows its movement once a second round has votes.
web-preview-server = { $claims ->
    [one] One claim
   *[other] { $claims } claims
} from { $essay }, with this server's votes in every round.
web-preview-claim = { $section } · { $kind }. Round { $round }: { $split }
web-preview-image = The votes on “{ $claim }”, round by round
