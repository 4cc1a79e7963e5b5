"""Validate manifest.yml against Slack's published app manifest JSON Schema."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.installs.distribution import BOT_SCOPES, REDIRECT_PATH

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "manifest.yml"
DEFAULT_SCHEMA_PATH = REPO_ROOT.parent / "shared/slack/manifest.schema.1.0.0.json"
EVENTS_PATH = "/slack/events"


def _schema_path() -> Path:
    override = os.environ.get("ENGAGEBOT_MANIFEST_SCHEMA")
    return Path(override) if override else DEFAULT_SCHEMA_PATH


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    with MANIFEST_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    path = _schema_path()
    if not path.is_file():
        reason = (
            f"Slack manifest schema not found at {path}; "
            "set ENGAGEBOT_MANIFEST_SCHEMA to the path of manifest.schema.1.0.0.json"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def test_manifest_validates_against_slack_schema(
    manifest: dict[str, Any], schema: dict[str, Any]
) -> None:
    validator_cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    validator_cls.check_schema(schema)
    errors = sorted(validator_cls(schema).iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors
    )


def test_background_color_is_hex(manifest: dict[str, Any]) -> None:
    # The schema declares this pattern under a non-standard "regex" keyword,
    # which JSON Schema validators ignore, so check it here.
    colour = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", colour), colour


def test_all_urls_point_at_slack_events(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    (command,) = manifest["features"]["slash_commands"]
    urls = {
        "slash command url": command["url"],
        "event_subscriptions.request_url": settings["event_subscriptions"]["request_url"],
        "interactivity.request_url": settings["interactivity"]["request_url"],
        "interactivity.message_menu_options_url": settings["interactivity"][
            "message_menu_options_url"
        ],
    }
    for name, url in urls.items():
        assert url.startswith("https://"), f"{name} must be https: {url}"
        assert url.endswith(EVENTS_PATH), f"{name} must end in {EVENTS_PATH}: {url}"


def test_the_oauth_redirect_url_is_bolts(manifest: dict[str, Any]) -> None:
    (url,) = manifest["oauth_config"]["redirect_urls"]
    assert url.startswith("https://") and url.endswith(REDIRECT_PATH), url


def test_socket_mode_enabled(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_bot_scopes_are_least_privilege(manifest: dict[str, Any]) -> None:
    """Each scope is there for a reason, given beside BOT_SCOPES (bot/installs/distribution.py),
    which is also what an OAuth install asks for."""
    scopes = manifest["oauth_config"]["scopes"]
    assert tuple(scopes["bot"]) == BOT_SCOPES
    assert len(set(BOT_SCOPES)) == len(BOT_SCOPES), "duplicate bot scopes"
    assert not scopes.get("user"), "the bot needs no user scopes"
