"""Replicas deployed together all run the migrations at start: on PostgreSQL one migrates
while the others wait, and every one of them starts."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from storage.migrate import alembic_config
from tests.clocked import engagebot
from tests.conftest import POSTGRES_SERVER, _create_postgres, _postgres_admin


@pytest.fixture
def empty_postgres(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database with no tables at all (needs the server `postgres_url` is on)."""
    name = f"engagebot_upgrade_{uuid.uuid4().hex[:8]}"
    _create_postgres(name)
    yield f"{POSTGRES_SERVER}/{name}"
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_three_upgrades_at_once_on_an_empty_database_all_succeed(
    empty_postgres: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": empty_postgres}
    upgrades = [
        subprocess.Popen(
            engagebot("db", "upgrade"),
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for upgrade in upgrades:
        out, errors = upgrade.communicate(timeout=120)
        assert upgrade.returncode == 0, errors
        assert out == "The database is up to date.\n"
    engine = create_engine(empty_postgres)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(empty_postgres)).get_current_head()
    assert versions == [(head,)]
