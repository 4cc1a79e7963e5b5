"""Feedback from users: recording it, and the decisions on it."""
