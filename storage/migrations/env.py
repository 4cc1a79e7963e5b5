"""Alembic environment: the URL comes from engagebot's settings, the target from the models
and the OAuth installation tables."""

from alembic import context
from sqlalchemy import engine_from_config, pool, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.installations import INSTALLATION_METADATA

config = context.config
# The models, and slack_sdk's installation tables, which are not models of ours.
target_metadata = [SQLModel.metadata, INSTALLATION_METADATA]
# Any fixed number, the same in every process: see run_migrations_online.
MIGRATION_LOCK = 0x656E6761


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            # SQLite alters tables by copying them; batch mode does that for us.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Replicas starting together all upgrade: one migrates while the others
                # wait here, then find nothing left to do (the lock ends with the commit).
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
