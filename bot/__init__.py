"""The engagebot application, in layers: `runtime/` (settings read at start, app assembly,
serving, the command line, the console) above `handlers/`; the domain, one package a
capability (engagements, feedback, changes, reviews, statements, ...), below them; and
`base/`, which every layer above storage may use. ARCHITECTURE.md draws them."""
