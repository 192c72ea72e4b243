# Members' suggestions: /claim suggest, /claim queue (moderators), /claim mine.

suggestion-section = Members' suggestions
claim-suggested-by = 💡 Suggested by { $member }

suggestion-no-text = Write the claim itself: one sentence a member could agree or disagree with.
suggestion-too-short = A claim needs at least { $min } characters.
suggestion-too-long = A claim may have at most { $max } characters.
suggestion-unknown-kind = `{ $input }` is not a kind: write `prediction` or `opinion`.
suggestion-bad-deadline = `{ $input }` is not a date: use YYYY-MM-DD, e.g. 2030-01-01.
suggestion-deadline-opinion = Only predictions have a deadline; leave it out for an opinion.
suggestion-deadline-passed = A prediction's deadline must be after today.
suggestion-too-many = You already have { $max } suggestions waiting for the moderators. Once they decide one, you can suggest another (see /claim mine).
suggestion-no-reason = Say why: the member will read the reason.
suggestion-already-decided = Suggestion #{ $id } has already been decided.

suggestion-due = due { $deadline }
suggestion-filed = Thank you! Suggestion #{ $id } is waiting for the moderators:
    { $suggestion }
    You may have { $max } waiting at once; /claim mine shows what became of yours.
suggestion-by = Suggested by { $member }

suggestion-approve = Approve
suggestion-edit = Edit
suggestion-reject = Reject
suggestion-queue-title = { $count ->
    [one] 1 suggestion waiting
   *[other] { $count } suggestions waiting
}
suggestion-queue-help = Approved suggestions join this server's rotation, after the essay's claims in each round.
suggestion-queue-empty = No suggestion is waiting.
suggestion-queue-footer = Showing { $shown } of { $count }, oldest first
suggestion-approved = Approved #{ $id }: it joins the rotation as `{ $claim }`.
suggestion-rejected = Rejected #{ $id }; the member can read your reason in /claim mine.
suggestion-edited = Saved your edit of #{ $id }; it is still waiting for approval.

suggestion-mine-title = Your suggestions
suggestion-mine-none = You have not suggested a claim yet. Try /claim suggest.
suggestion-status-pending = ⏳ Waiting for the moderators
suggestion-status-approved = ✅ Approved: `{ $claim }` is in this server's rotation
suggestion-status-rejected = ❌ Rejected: { $reason }

suggestion-form-edit-title = Edit suggestion #{ $id }
suggestion-form-reject-title = Reject suggestion #{ $id }
suggestion-form-text-zh = The claim in Chinese
suggestion-form-text-en = The claim in English
suggestion-form-kind = Kind: prediction or opinion
suggestion-form-deadline = Deadline (predictions, YYYY-MM-DD)
suggestion-form-deadline-placeholder = e.g. 2030-01-01
suggestion-form-reason = Why? The member will read this.
