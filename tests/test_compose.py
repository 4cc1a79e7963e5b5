"""docker-compose.yml: PostgreSQL, a one-shot migration, two replicas of several processes.

There is no Docker engine in CI, so the file is read as YAML and checked for what the
docs/operator/deploying.md promises of it; each service's command must be one `engagebot` accepts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.base.config import load_settings
from bot.runtime.cli import _parser
from bot.runtime.serving import GRACEFUL_SECONDS

REPO_ROOT = Path(__file__).resolve().parents[1]
ENGAGEBOT_SERVICES = ("migrate", "web")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(compose["volumes"]) == {"postgres-data"}
    found: dict[str, Any] = compose["services"]
    return found


def test_it_has_the_three_roles(services: dict[str, Any]) -> None:
    assert set(services) == {"postgres", "migrate", "web"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


@pytest.mark.parametrize("name", ENGAGEBOT_SERVICES)
def test_each_engagebot_service_runs_a_real_command_of_the_image(
    services: dict[str, Any], name: str
) -> None:
    service = services[name]
    program, *arguments = service["command"]
    assert program == "engagebot"
    parsed = _parser().parse_args(arguments)  # exits (failing the test) if not a command
    assert parsed.command == {"migrate": "db", "web": "serve"}[name]
    assert service["build"] == "." and service["env_file"] == ".env"
    url = service["environment"]["DATABASE_URL"]
    assert re.fullmatch(
        r"postgresql://engagebot:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432/engagebot", url
    )


def test_migrations_run_once_before_any_replica_starts(services: dict[str, Any]) -> None:
    assert services["migrate"]["command"] == ["engagebot", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "healthcheck" in services["postgres"]
    assert services["web"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"}
    }


def test_two_replicas_of_two_processes_every_one_may_tick(services: dict[str, Any]) -> None:
    """The scheduler's lease lets one process tick (bot/runtime/ticker.py): no role of its own."""
    web = services["web"]
    assert web["deploy"]["replicas"] == 2
    assert web["ports"] == ["3000-3001:3000"]  # one host port per replica
    settings = load_settings(web["environment"])
    assert settings.workers == 2 and settings.threads == 8 and settings.scheduler_enabled


def test_a_stop_leaves_time_for_the_requests_in_flight(services: dict[str, Any]) -> None:
    grace = services["web"]["stop_grace_period"]
    assert grace.endswith("s") and int(grace.removesuffix("s")) > GRACEFUL_SECONDS


def test_postgresql_takes_every_processs_pool(services: dict[str, Any]) -> None:
    """Up to 15 connections a process (SQLAlchemy's pool: 5, and 10 more at a peak)."""
    command = services["postgres"]["command"]
    allowed = int(command[command.index("-c") + 1].removeprefix("max_connections="))
    web = services["web"]
    processes = web["deploy"]["replicas"] * int(web["environment"]["ENGAGEBOT_WORKERS"])
    assert allowed >= processes * 15 + 10


def test_the_image_runs_engagebot_and_checks_its_health() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["engagebot", "serve"]' in dockerfile
    assert "/healthz" in dockerfile and "pip install --no-cache-dir --no-deps ." in dockerfile
