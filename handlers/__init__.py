"""Slack listeners: one module per feature, each with `register(app, ...)`."""
