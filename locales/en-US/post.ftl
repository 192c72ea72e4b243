# The daily post, tallies and the words shared by every surface (Discord, terminal).

## Questions, choices and kinds of claim

question-stance = Do you agree?
question-verdict = The deadline has passed: did it come true?
choice-agree = Agree
choice-disagree = Disagree
choice-unsure = Unsure
choice-yes = Came true
choice-no = Did not
choice-early = Too early
kind-prediction = Prediction
kind-opinion = Opinion

## Outcomes a moderator records

outcome-yes = came true
outcome-no = did not come true
outcome-unclear = unclear

## The post

post-read-essay = Read the essay
post-round = round { $round }
post-deadline = Deadline
post-related-news = Related news
post-no-news = No recent news bears on this claim.
post-thread-name = Discuss: { $claim }
# One choice in a tally: emoji, label, count and share.
tally-choice = { $emoji } { $label } { $count } ({ $percent }%)
tally-voters = { $voters ->
    [one] { $voters } vote
   *[other] { $voters } votes
}
tally-reactions = reactions count too
tally-round-head = Round { $round } · { $date }
tally-round-votes = { $voters } votes
tally-not-posted = This claim has not been posted in this server yet.
tally-earlier-locked = 🔒 Vote in this round to see how earlier rounds voted.
tally-agreement-change = Agreement since the first round: { $change } points
tally-resolved = ⚖️ Resolved:
tally-rounds-not-shown = { $count ->
    [one] 1 earlier round is not shown here.
   *[other] { $count } earlier rounds are not shown here.
}

## Notices in the digest channel

notice-feed-disabled = ⚠️ The feed **{ $name }** kept failing and is disabled: { $reason }
    Moderators can retry it with `/feeds enable` or drop it with `/feeds remove`.

## The weekly recap

recap-title = Weekly recap: { $first } to { $last }
recap-claims = This week's claims
recap-claim-line = { $date } · `{ $id }` { $claim }
    { $split }
recap-biggest-change = Biggest change of opinion
recap-change-line = `{ $id }` { $claim }: agreement { $points } points since its first round
recap-most-disputed = Most disputed
recap-disputed-line = `{ $id }` { $claim }
    { $split }
recap-due-soon = Predictions falling due in the next 30 days
recap-due-line = `{ $id }` { $claim } · due { $deadline }
recap-most-active = Most active members
recap-active-line = { $member } · { $count ->
        [one] { $count } vote
       *[other] { $count } votes
    }
recap-none = Nothing this week.
recap-evidence = Evidence
recap-evidence-added = { $count ->
    [0] No story was brought to the ledgers this week.
    [one] { $count } story was brought to the ledgers this week.
   *[other] { $count } stories were brought to the ledgers this week.
}
