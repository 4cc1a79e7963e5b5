"""How the domain reports bad input: a message per field, named as the form and CSV name it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.base.text import LIST_SEPARATOR, too_long

FieldErrors = dict[str, str]
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
