# The evidence ledger: the Evidence panel of a post, the ledger, the resolution card, calls and
# the scorecard.

## Stances on a story

stance-supports = Supports
stance-contradicts = Contradicts
stance-offtopic = Off-topic

## The Evidence panel

evidence-button = Evidence
evidence-panel-title = Evidence: { $claim }
evidence-panel-help = Does each story support the claim, contradict it, or not bear on it? Your marks build the claim's ledger; you can change them at any time.
evidence-marked = Marked story { $number }: **{ $stance }**.
evidence-your-mark = your mark: { $stance }
evidence-withheld-line = 🚫 Withheld from this claim as off-topic.
evidence-panel-empty = This post showed no news, so there is nothing to judge.
evidence-not-recorded = The database is not answering right now, so your mark was not recorded. Please try again in a minute.

## The ledger

evidence-ledger-title = Ledger: { $claim }
evidence-withheld-title = Withheld as off-topic: { $claim }
evidence-ledger-footer = { $id } · page { $page } of { $pages } · { $total ->
    [one] { $total } story
   *[other] { $total } stories
}
evidence-none = No evidence on this claim yet. Mark the news under a daily post, or bring a story with /evidence add.
evidence-none-withheld = No story is withheld from this claim.
evidence-brought-by = brought by { $member }
evidence-strongest-for = Strongest evidence for
evidence-strongest-against = Strongest evidence against

## Members bring evidence; moderators tidy the ledger

evidence-added = Filed as entry #{ $id }: { $story }
    { $counts }
evidence-merged = That story is already entry #{ $id }; your stance was added to it: { $story }
    { $counts }
evidence-add-limit = You have brought { $max ->
    [one] { $max } story
   *[other] { $max } stories
} today, the most one member may bring in a day. Try again tomorrow.
evidence-add-busy = Your previous link is still being read. Wait for its answer, then add the next one.
evidence-unreadable = That link could not be read: { $reason }
evidence-no-such-entry = This claim's ledger has no entry #{ $id }. /evidence list shows the entries and their numbers.
evidence-not-withheld = Entry #{ $id } is not withheld.
evidence-removed = Removed entry #{ $id } from the ledger: { $story }
evidence-restored = Entry #{ $id } shows beside its claim again; members' off-topic marks no longer hide it: { $story }

## The resolution card

resolution-card-title = Resolved: { $claim }
resolution-card-outcome = The prediction **{ $outcome }**.
resolution-card-stance = What the server thought
resolution-card-round = { $percent }% agreed in round { $round } ({ $voters ->
    [one] { $voters } vote
   *[other] { $voters } votes
})
resolution-card-round-empty = Nobody voted in round { $round }.
resolution-card-never-asked = The claim was never posted in this server.
resolution-card-verdict = Verdict votes after the deadline
resolution-card-no-verdict = Nobody gave a verdict.
resolution-card-posted = The resolution card is posted in { $channel }.

## Calls, in /me

me-calls-title = Your calls
me-calls = { $right } of { $counted } right ({ $percent }%)
me-calls-uncounted = None of your calls counts yet: unsure stances and unclear outcomes count neither way.
me-calls-none = No prediction you took a stance on has been resolved yet.
me-call-line = { $mark } `{ $id }`: you said { $stance }; it { $outcome }

## The scorecard

scorecard-title = Scorecard: { $essay }
scorecard-summary = Came true { $yes } · did not { $no } · unclear { $unclear } · pending { $pending }
scorecard-came-true = Came true
scorecard-did-not = Did not
scorecard-unclear = Unclear
scorecard-pending = Pending
scorecard-server = This server's verdict: { $verdict } ({ $voters ->
    [one] { $voters } vote
   *[other] { $voters } votes
})
scorecard-server-none = This server's verdict: none yet
