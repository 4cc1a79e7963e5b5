"""Producer teams: creating and editing them, their outputs, members and settings."""
