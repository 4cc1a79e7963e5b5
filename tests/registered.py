"""What the app registers, read without Slack: every listener's kind and constraint (a
command, a callback_id, an action_id), and the `/engage` subcommands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.base.config import load_settings
from handlers.engage import Subcommand
from handlers.listeners import register_listeners

# What Slack is told the app takes: its commands, shortcuts and events.
MANIFEST = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text("utf-8"))
FEATURES = MANIFEST["features"]
COMMANDS = {command["command"] for command in FEATURES.get("slash_commands", [])}
SHORTCUTS = {shortcut["callback_id"]: shortcut["type"] for shortcut in FEATURES["shortcuts"]}
EVENTS = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])


class Recorder:
    """Stands in for the Bolt App: records what each listener registers for."""

    def __init__(self) -> None:
        self.registered: dict[str, list[Any]] = {}

    def _record(self, kind: str, constraint: Any = None) -> Callable[[Any], Any]:
        def decorator(function: Any) -> Any:
            self.registered.setdefault(kind, []).append(constraint)
            return function

        return decorator

    def command(self, command: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return self._record("command", command)

    def shortcut(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return self._record("shortcut", constraints)

    def event(self, event: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return self._record("event", event)

    def action(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return self._record("action", constraints)

    def view(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return self._record("view", constraints)

    def options(self, constraints: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return self._record("options", constraints)

    # Bolt's middleware, use and error take the function itself (`@app.error`).
    def middleware(self, function: Any) -> Any:
        return self._record("middleware")(function)

    def use(self, function: Any) -> Any:
        return self._record("middleware")(function)

    def error(self, function: Any) -> Any:
        return self._record("error")(function)


def registered() -> tuple[Recorder, list[Subcommand]]:
    """Every listener the app registers, and the `/engage` subcommands."""
    recorder = Recorder()
    settings = load_settings({"DATABASE_URL": "sqlite://"})  # registering connects to nothing
    engage = register_listeners(recorder, settings)  # type: ignore[arg-type]
    return recorder, engage.subcommands
