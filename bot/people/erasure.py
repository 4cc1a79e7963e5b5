"""Erasing one person's personal data everywhere engagebot keeps it (`engagebot erase`).

The person is named by email, by full name, or both. Every feedback item whose contact is
that person loses its contact details (`bot/people/personal_data.py: clear_contact`), and every
mention of the email or the full name in free text (`FREE_TEXT`: every column a person
types into, the names of organisations and tags too), in the audit log's record of
earlier changes, and in the requests still waiting in the inbox for their work (so the
record their work makes holds it erased too), becomes "[erased]"; the erasure itself is
logged without the values it removed (`withhold_values`). A name erased that another
organisation (or tag) already has takes the record's number after it, as names are
unique. The
email matches ignoring case; the name ignoring case and spacing, as whole words, so that
"Jo Bloggs" is not found inside "Jo Bloggsworth". A name must have two words at least: one
word alone ("Will", "Grace") would be found in ordinary sentences.

The email subscriptions of the address (`bot/mail/`) are deleted: the queue names a
subscriber by the subscription's number, never the address, so none is left there, and
what was still owed to it is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel

from bot.feedback.recording import EMAIL
from bot.people.personal_data import FREE_TEXT, clear_contact, held_contact_fields
from storage.auditing import withhold_values
from storage.email_subscriptions import subscriptions_of_address
from storage.models import (
    AuditEntry,
    Engagement,
    Feedback,
    FeedbackDecision,
    InboxItem,
    Insight,
    Opportunity,
    Organisation,
    Theme,
    UpcomingChange,
)
from storage.personal_data import contacts_matching, name_taken, rows_mentioning

ERASED = "[erased]"
IN_AUDIT_LOG = "(audit log)"  # stands for the team in the report of the log's entries
IN_INBOX = "(inbox)"  # and of the requests waiting in the inbox
EVERY_TEAM = "(every team)"  # stands for the team of what all teams share: names in the register
# A record as the report names it: "change #4".
NOUNS: dict[type[SQLModel], str] = {
    Feedback: "feedback",
    Engagement: "engagement",
    Insight: "insight",
    UpcomingChange: "change",
    Opportunity: "opportunity",
    Organisation: "organisation",
    Theme: "tag",
}
UNIQUE_NAMES = (Organisation, Theme)
# JSON that may quote a person, searched inside: the audit log's record of earlier values,
# and the requests waiting in the inbox (model, column, as the report names it, noun).
JSON_HOLDING = (
    (AuditEntry, "change", IN_AUDIT_LOG, "entry"),
    (InboxItem, "body", IN_INBOX, "request"),
)
EMAIL_MAX = 254
NAME_MAX = 120


class ErasureRefused(ValueError):
    """The person was not named in a way that can be matched safely; the message says why."""


@dataclass(frozen=True)
class Person:
    """Who to erase: an email, a full name (as words), or both."""

    email: str | None
    name_words: tuple[str, ...]

    @property
    def described(self) -> str:
        return " / ".join(part for part in (self.email, " ".join(self.name_words)) if part)


@dataclass(frozen=True)
class Change:
    """One record that holds (or held) the person's data, and the fields changed."""

    team: str
    record: str  # "feedback #12", "decision #3 on feedback #12", "engagement #4", ...
    fields: tuple[str, ...]


def person_to_erase(email: str | None, name: str | None) -> Person:
    """The person named by `email` and/or `name`; raise `ErasureRefused` if neither is
    usable: blank, not an email address, a single word, or too long."""
    if email is None and name is None:
        raise ErasureRefused("say whose data to erase: --email ADDRESS and/or --name 'Full Name'")
    clean_email = None
    if email is not None:
        clean_email = email.strip()
        if len(clean_email) > EMAIL_MAX or not EMAIL.match(clean_email):
            raise ErasureRefused(f"--email {email!r} is not an email address")
    words: tuple[str, ...] = ()
    if name is not None:
        words = tuple(name.split())
        if not words:
            raise ErasureRefused("--name is empty: give the person's full name")
        if len(words) < 2:
            raise ErasureRefused(
                f"--name {name.strip()!r} is one word: give the full name as recorded (one "
                "word would be found in ordinary sentences), or erase by --email"
            )
        if len(" ".join(words)) > NAME_MAX:
            raise ErasureRefused(f"--name is longer than a contact name can be ({NAME_MAX})")
    return Person(clean_email, words)


def erase_person(
    *, session: Session, person: Person, now: datetime, dry_run: bool = False
) -> list[Change]:
    """Remove `person`'s data from every record holding it and return what changed, by
    team and record; with `dry_run`, change nothing and return what would change."""
    patterns = _patterns(person)
    changes: list[Change] = []
    if not dry_run:
        withhold_values(session)
    for item in contacts_matching(
        session=session, email=person.email, name_words=person.name_words
    ):
        if not _is_contact(item, person):
            continue
        changes.append(_change(session, item, held_contact_fields(item)))
        if not dry_run:
            clear_contact(item, now)
            session.add(item)
    subscribed = (
        subscriptions_of_address(session=session, email=person.email) if person.email else []
    )
    for subscription in subscribed:
        changes.append(
            Change(subscription.team.name, f"email subscription #{subscription.id}", ("email",))
        )
        if not dry_run:
            session.delete(subscription)
    fragments: list[tuple[str, ...]] = [(person.email,)] if person.email else []
    if person.name_words:
        fragments.append(person.name_words)
    for model, columns in FREE_TEXT:
        for row in rows_mentioning(
            session=session, model=model, columns=columns, fragments=fragments
        ):
            fields = [column for column in columns if _redacted(getattr(row, column), patterns)]
            if not fields:
                continue
            if not dry_run:
                erased = {column: _redacted(getattr(row, column), patterns) for column in fields}
                for column, text in erased.items():
                    setattr(row, column, _unique(session, row, column, text))
                session.add(row)
            changes.append(_change(session, row, fields))
    for holder, column, where, noun in JSON_HOLDING:
        for row in rows_mentioning(
            session=session, model=holder, columns=(column,), fragments=fragments
        ):
            scrubbed = _scrubbed(getattr(row, column), patterns)
            if scrubbed == getattr(row, column):
                continue
            if not dry_run:
                setattr(row, column, scrubbed)
                session.add(row)
            changes.append(Change(where, f"{noun} #{row.id}", (column,)))
    session.flush()
    return _merged_by_record(changes)


def erasure_report(person: Person, changes: Sequence[Change], *, dry_run: bool) -> list[str]:
    """What `engagebot erase` prints: each record changed, by team, with its fields."""
    verb = "Would erase" if dry_run else "Erased"
    logged = [change for change in changes if change.team == IN_AUDIT_LOG]
    waiting = [change for change in changes if change.team == IN_INBOX]
    changes = [change for change in changes if change.team not in (IN_AUDIT_LOG, IN_INBOX)]
    records = f"{len(changes)} record{'' if len(changes) == 1 else 's'}"
    lines = [f"{verb} the personal data of {person.described} in {records}:"]
    lines += [f"  {change.team}: {change.record}: {', '.join(change.fields)}" for change in changes]
    if logged:
        lines.append(f"  and in the audit log: {_entries(len(logged))} quoting them")
    if waiting:
        requests = f"{len(waiting)} request{'' if len(waiting) == 1 else 's'}"
        lines.append(f"  and in the inbox: {requests} waiting for their work, quoting them")
    if dry_run:
        lines.append("Dry run: nothing was changed. Run it again without --dry-run to erase.")
    return lines


def _entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def _patterns(person: Person) -> list[re.Pattern[str]]:
    patterns = []
    if person.email:
        # Not inside a longer address: "sam@example.org" is not in "xsam@example.org.uk".
        patterns.append(
            re.compile(rf"(?<![\w.+-]){re.escape(person.email)}(?![\w-]|\.[\w-])", re.IGNORECASE)
        )
    if person.name_words:
        joined = r"\s+".join(re.escape(word) for word in person.name_words)
        patterns.append(re.compile(rf"(?<!\w){joined}(?!\w)", re.IGNORECASE))
    return patterns


def _redacted(text: str | None, patterns: Sequence[re.Pattern[str]]) -> str | None:
    """`text` with every match replaced by the marker; None when nothing matched."""
    if not text:
        return None
    changed = text
    for pattern in patterns:
        changed = pattern.sub(ERASED, changed)
    return changed if changed != text else None


def _scrubbed(value: Any, patterns: Sequence[re.Pattern[str]]) -> Any:
    """An audit entry's change (JSON: dicts, lists, text) with every match erased."""
    if isinstance(value, str):
        return _redacted(value, patterns) or value
    if isinstance(value, dict):
        return {key: _scrubbed(item, patterns) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, patterns) for item in value]
    return value


def _is_contact(item: Feedback, person: Person) -> bool:
    email = (item.contact_email or "").strip().lower()
    name = " ".join((item.contact_name or "").split()).lower()
    return bool(
        (person.email and email == person.email.lower())
        or (person.name_words and name == " ".join(person.name_words).lower())
    )


def _unique(session: Session, row: Any, column: str, text: str | None) -> str | None:
    """`text`, the erased value of `row`'s `column`; an organisation's or tag's name that
    another already has takes the record's number after it ("[erased] (#12)"), as names
    are unique in the register."""
    if not isinstance(row, UNIQUE_NAMES) or column != "name" or text is None:
        return text
    taken = name_taken(session=session, model=type(row), name=text, other_than=row.id)
    return f"{text} (#{row.id})" if taken else text


def _change(session: Session, row: Any, fields: Sequence[str]) -> Change:
    if isinstance(row, FeedbackDecision):
        item = session.get(Feedback, row.feedback_id)
        assert item is not None  # a decision goes with its item
        return Change(item.team.name, f"decision #{row.id} on feedback #{item.id}", tuple(fields))
    team = EVERY_TEAM if isinstance(row, UNIQUE_NAMES) else row.team.name
    return Change(team, f"{NOUNS[type(row)]} #{row.id}", tuple(fields))


def _merged_by_record(changes: Sequence[Change]) -> list[Change]:
    """One change per record (its contact and its text are found apart), by team, then in
    the order found: contacts, feedback, decisions, engagements, insights, each by number."""
    fields: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        known = fields.setdefault((change.team, change.record), [])
        known += [field for field in change.fields if field not in known]
    ordered = sorted(fields.items(), key=lambda pair: pair[0][0].lower())
    return [Change(team, record, tuple(names)) for (team, record), names in ordered]
