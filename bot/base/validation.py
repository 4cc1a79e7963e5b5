"""How the domain reports bad input: a message per field, named as the form and CSV name it."""

from __future__ import annotations

import json
from collections.abc import Collection, Sized
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from bot.base.text import LIST_SEPARATOR, too_long

if TYPE_CHECKING:  # the command line checks dates with this module, loading no SQLAlchemy
    from sqlmodel import Session, SQLModel

FieldErrors = dict[str, str]
Record = TypeVar("Record", bound="SQLModel")
RECORD_ID_MAX = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's largest
# No record is dated before this (ENGAGEBOT_EARLIEST_DATE sets another): 1900-01-01 is a
# mistyped year, not an engagement.
DEFAULT_EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD_MAX = 10  # nor more than this many years ahead: 3026 for 2026 is a slip too


def is_record_id(number: int) -> bool:
    """Whether `number` can be a record's id; a larger one would fail in the database."""
    return 1 <= number <= RECORD_ID_MAX


def record_id_in(value: object) -> int | None:
    """The record id that `value` (what a button or a form carries back) holds: digits,
    within what an id can be; None for anything else, which only a stale or broken client
    sends (an id no record can have, "²", "abc")."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if is_record_id(number) else None


def json_object(text: str | None) -> dict[str, Any]:
    """`text` as the JSON object the bot wrote (a form's metadata, a button's value); empty
    for anything else, which only a broken client sends back."""
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class Invalid(Exception):
    """Input that cannot be saved; nothing was written."""

    def __init__(self, errors: FieldErrors) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def check_required_text(
    errors: FieldErrors, field: str, label: str, text: str | None, limit: int
) -> None:
    if not text or not text.strip():
        errors[field] = f"{label} is required."
        return
    check_optional_text(errors, field, label, text, limit)


def check_optional_text(
    errors: FieldErrors, field: str, label: str, text: str | None, limit: int
) -> None:
    problem = too_long(label, text or "", limit)
    if problem:
        errors[field] = problem


def check_names(errors: FieldErrors, field: str, label: str, names: list[str], limit: int) -> None:
    """Names that are stored one per row and exported joined by LIST_SEPARATOR."""
    for name in names:
        if LIST_SEPARATOR in name:
            errors[field] = f"{label} '{name}' may not contain '{LIST_SEPARATOR}'."
        elif len(name) > limit:
            errors[field] = f"{label} '{name[:40]}…' is over {limit} characters."


def latest_date(today: date) -> date:
    """The last date a person may type: YEARS_AHEAD_MAX years from today (from 29 February,
    the 28th)."""
    leap_day = (today.month, today.day) == (2, 29)
    return today.replace(year=today.year + YEARS_AHEAD_MAX, day=28 if leap_day else today.day)


def check_past_date(
    errors: FieldErrors,
    field: str,
    day: date | None,
    today: date,
    earliest: date = DEFAULT_EARLIEST_DATE,
) -> None:
    """A date up to today, such as when an engagement took place, and not before `earliest`."""
    if day is None:
        errors[field] = "Choose a date."
    elif day > today:
        errors[field] = f"The date can't be in the future (today is {today.isoformat()})."
    elif day < earliest:
        errors[field] = f"The date can't be before {earliest.isoformat()}: check the year."


def check_coming_date(
    errors: FieldErrors,
    field: str,
    day: date | None,
    today: date,
    *,
    missing: str | None,
    kept: date | None = None,
) -> None:
    """A date from today on, such as when a change takes effect, and not more than
    YEARS_AHEAD_MAX years ahead. `missing` is the message when none was chosen (None: the
    date may be left out); `kept` is a date an edit may keep although it has passed."""
    if day is None:
        if missing is not None:
            errors[field] = missing
    elif day < today and day != kept:
        errors[field] = f"The date can't be in the past (today is {today.isoformat()})."
    elif day > (latest := latest_date(today)):
        errors[field] = (
            f"The date can't be more than {YEARS_AHEAD_MAX} years ahead "
            f"(after {latest.isoformat()}): check the year."
        )


def no_longer_exists(what: str, note: str = "") -> str:
    """What a person is told of a record deleted since they saw it (`what`: "Change #4",
    "That team", "One of the chosen outputs"; `note`: " (it may have been undone)")."""
    return f"{what} no longer exists{note}."


def still_there(
    session: Session,
    model: type[Record],
    record_id: int | None,
    errors: FieldErrors,
    field: str,
    what: str,
    note: str = "",
) -> Record | None:
    """The record `record_id` names (None if it names none). One deleted since the form was
    opened is None too, and `field`'s error says so (`no_longer_exists`)."""
    record = session.get(model, record_id) if record_id is not None else None
    if record_id is not None and record is None:
        errors[field] = no_longer_exists(what, note)
    return record


def all_still_there(
    found: Sized, ids: Collection[int], errors: FieldErrors, field: str, what: str
) -> bool:
    """Whether every record chosen (`ids`) was `found`; else `field`'s error says one of the
    chosen `what` is gone."""
    if len(found) == len(set(ids)):
        return True
    errors[field] = no_longer_exists(f"One of the chosen {what}")
    return False
