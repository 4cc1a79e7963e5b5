"""Engagement: recording an activity, opportunities to take part, prompts about outputs
overdue for engagement, and insights shared across teams.
"""
