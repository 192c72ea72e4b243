# The tally chart: the PNG attached to /tally, and the picture of a claim's link preview.

chart-caption = Round { $round } · { $voters ->
    [one] { $voters } vote
   *[other] { $voters } votes
}
chart-no-votes = No votes yet
chart-legend = { $label } { $count } ({ $percent }%)
chart-rounds-title = Share by round (%)
chart-axis-round = Round
chart-resolved = Resolved: { $outcome }
