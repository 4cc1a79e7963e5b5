"""docker-compose.yml: PostgreSQL, a one-shot migration, two web replicas, one scheduler.

There is no Docker engine in CI, so the file is read as YAML and checked for what the
README promises of it; each service's command must be one `engagebot` accepts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import _parser

REPO_ROOT = Path(__file__).resolve().parents[1]
ENGAGEBOT_SERVICES = ("migrate", "web", "scheduler")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(compose["volumes"]) == {"postgres-data"}
    found: dict[str, Any] = compose["services"]
    return found


def test_it_has_the_four_roles(services: dict[str, Any]) -> None:
    assert set(services) == {"postgres", "migrate", "web", "scheduler"}
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
    assert parsed.command == {"migrate": "db", "web": "serve", "scheduler": "serve"}[name]
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
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }


def test_two_web_replicas_never_tick_and_one_scheduler_does(services: dict[str, Any]) -> None:
    web, scheduler = services["web"], services["scheduler"]
    assert web["deploy"]["replicas"] == 2
    assert web["environment"]["ENGAGEBOT_SCHEDULER"] == "off"
    assert web["ports"] == ["3000-3001:3000"]  # one host port per replica
    assert scheduler["deploy"]["replicas"] == 1
    assert scheduler["environment"]["ENGAGEBOT_SCHEDULER"] == "on"
    assert "ports" not in scheduler


def test_the_image_runs_engagebot_and_checks_its_health() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["engagebot", "serve"]' in dockerfile
    assert "/healthz" in dockerfile and "pip install --no-cache-dir ." in dockerfile
