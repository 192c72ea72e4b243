# What `preview` and `claims show` print in a terminal.

terminal-date-round = Date: { $date }   Round: { $round }
terminal-related-news = Related news:
terminal-no-news = (no news in the window bears on this claim)
terminal-news-meta = { $source } · { $date } · score { $score }
terminal-essay = Essay: { $url }
terminal-deadline = Deadline: { $deadline }
terminal-explain-title = Why these items:
terminal-explain-line = { $rank }. { $share } of the claim's own score; matched terms (weight): { $terms }
terminal-explain-none = (none)
terminal-explain-dense = dense rank { $rank } ({ $similarity })
terminal-sample-source = Sample news
eval-header = { $items } items, { $keywords ->
    [yes] with keywords
   *[no] without keywords
}, { $chinese ->
    [pairs] Chinese as character pairs
   *[words] Chinese as words
}
eval-claim = { $id } { $precision }  ({ $relevant } relevant in the set)
eval-mean = mean precision@3: { $mean } over { $claims } claims
eval-empty = claims shown nothing: { $ids }
eval-none = none
eval-unlabeled = claims no item is labeled for, and what they were shown (for reading; not in the mean):
eval-embeddings = meaning fused in by { $model } (reciprocal rank fusion): it took part for { $used } of { $claims } claims
eval-embeddings-prefixes = put before each claim text: { $query }; before each item: { $document }
eval-dense-rank = (by meaning: { $rank })
eval-embeddings-cost = embedding: { $items } items in { $items_ms } ms ({ $per_item } ms per item), { $texts } claim texts in { $claims_ms } ms
terminal-feed-unreachable = feed { $url } could not be read: { $why }
terminal-claims-valid = { $path }: ok, { $count } claims in { $sections } sections
terminal-claims-invalid = { $path }: { $count ->
    [one] one problem
   *[other] { $count } problems
}
terminal-no-such-claim = no claim `{ $id }`; see `claims list`
terminal-no-such-claim-near = no claim `{ $id }`; did you mean: { $near }
