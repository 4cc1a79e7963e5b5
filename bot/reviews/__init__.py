"""A team's engagement review: its figures, the post and its chart, the formats for
`engagebot review`, and when it falls due.
"""
