"""`engagebot console`: the same bot in a terminal, with a local stand-in for Slack."""
