"""Tables, keyword-only query functions and Alembic migrations."""
