"""People and their personal data: names beside Slack user ids, who may do what, what is
personal, its retention and erasure, and the audit log as a report.
"""
