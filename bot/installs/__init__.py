"""Installing engagebot in several workspaces (OAuth distribution), and uninstalling."""
