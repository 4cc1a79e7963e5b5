"""`engagebot audit`: the audit log as lines a person can read, or as JSON.

The log keeps Slack user ids (who acted, who recorded a record, ...); `name_of` gives the
names to show beside them (`bot/people/names.py`): in the lines as "Jane Smith (U0123ABC)", in
JSON as a `names` object from id to name, the ids kept as they are."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.people.names import NameOf, no_names, person_label
from storage.audit import staff_fields
from storage.models import AuditEntry


@dataclass(frozen=True)
class _People:
    """The Slack user ids of an entry, and how they are shown."""

    name_of: NameOf
    staff: dict[str, frozenset[str]] = field(default_factory=staff_fields)

    def label(self, user_id: str) -> str:
        return person_label(user_id, self.name_of(user_id))

    def shown(self, entry: AuditEntry, field_name: str, value: Any) -> Any:
        """A field's value as shown: a member of staff by name and id."""
        if isinstance(value, str) and field_name in self.staff.get(entry.table_name, ()):
            return self.label(value)
        return value

    def ids(self, entry: AuditEntry) -> Iterator[str]:
        """Who acted, and the people the entry's staff fields hold."""
        yield entry.actor
        for field_name, value in entry.change.items():
            if field_name in self.staff.get(entry.table_name, ()):
                values = value.values() if _is_change(value) else [value]
                yield from (one for one in values if isinstance(one, str))


def audit_lines(
    entries: Iterable[AuditEntry], timezone: ZoneInfo, name_of: NameOf = no_names
) -> list[str]:
    """One line per entry: when (in `timezone`), who, from where, what, and the change."""
    people = _People(name_of)
    return [
        f"{entry.at.astimezone(timezone):%Y-%m-%d %H:%M:%S %Z}  {people.label(entry.actor)} "
        f"({entry.origin})  {entry.action} {entry.table_name} {entry.record_id}"
        f"{_described(entry, people)}"
        for entry in entries
    ]


def audit_json(
    entries: Iterable[AuditEntry], timezone: ZoneInfo, name_of: NameOf = no_names
) -> str:
    """The entries as a JSON array, each moment with its offset in `timezone`, and the
    names of the people whose ids it holds, where known."""
    people = _People(name_of)
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
                "names": {
                    user_id: name for user_id in people.ids(entry) if (name := name_of(user_id))
                },
            }
            for entry in entries
        ],
        indent=2,
        ensure_ascii=False,
    )


def _described(entry: AuditEntry, people: _People) -> str:
    """`field: old -> new` for a changed field, `field=value` for a record's values (those
    with one)."""
    parts = []
    for field_name, value in entry.change.items():
        if _is_change(value):
            old, new = (
                _shown(people.shown(entry, field_name, value[key])) for key in ("old", "new")
            )
            parts.append(f"{field_name}: {old} -> {new}")
        elif value is not None:
            parts.append(f"{field_name}={_shown(people.shown(entry, field_name, value))}")
    return f"  {'; '.join(parts)}" if parts else ""


def _is_change(value: Any) -> bool:
    return isinstance(value, dict) and value.keys() == {"old", "new"}


def _shown(value: Any) -> str:
    # Quoted as JSON, so text with spaces, quotes or line breaks stays on one line.
    return json.dumps(value, ensure_ascii=False)
