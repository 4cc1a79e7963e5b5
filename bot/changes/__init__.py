"""Upcoming changes to a statistic: announcing them, the alerts ahead of them, and the
subscriptions that say who hears about them.
"""
