"""Block Kit views as pure functions: data in, JSON-ready dicts out."""
