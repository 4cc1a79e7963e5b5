"""`engagebot audit`: the audit log as lines a person can read, or as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from storage.models import AuditEntry


def audit_lines(entries: Iterable[AuditEntry], timezone: ZoneInfo) -> list[str]:
    """One line per entry: when (in `timezone`), who, from where, what, and the change."""
    return [
        f"{entry.at.astimezone(timezone):%Y-%m-%d %H:%M:%S %Z}  {entry.actor} "
        f"({entry.origin})  {entry.action} {entry.table_name} {entry.record_id}"
        f"{_described(entry.change)}"
        for entry in entries
    ]


def audit_json(entries: Iterable[AuditEntry], timezone: ZoneInfo) -> str:
    """The entries as a JSON array, each moment with its offset in `timezone`."""
    return json.dumps(
        [
            {
                "at": entry.at.astimezone(timezone).isoformat(),
                "actor": entry.actor,
                "origin": entry.origin,
                "action": entry.action,
                "table": entry.table_name,
                "record_id": entry.record_id,
                "change": entry.change,
            }
            for entry in entries
        ],
        indent=2,
        ensure_ascii=False,
    )


def _described(change: dict[str, Any]) -> str:
    """`field: old -> new` for a changed field, `field=value` for a record's values (those
    with one)."""
    parts = []
    for field, value in change.items():
        if isinstance(value, dict) and value.keys() == {"old", "new"}:
            parts.append(f"{field}: {_shown(value['old'])} -> {_shown(value['new'])}")
        elif value is not None:
            parts.append(f"{field}={_shown(value)}")
    return f"  {'; '.join(parts)}" if parts else ""


def _shown(value: Any) -> str:
    # Quoted as JSON, so text with spaces, quotes or line breaks stays on one line.
    return json.dumps(value, ensure_ascii=False)
