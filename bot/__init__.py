"""The engagebot application: configuration, app assembly, command line, serving, domain rules."""
