"""The spine: typed events, the in-process bus and the clocks every part shares."""
