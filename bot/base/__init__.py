"""What every layer between the runtime and storage stands on: the clock's days and time
zones, the settings, logging, the Slack WebClient, typed text's limits and escaping, the
way bad input is reported, the fixed vocabularies and spreadsheet-safe cells.
"""
