"""How the domain reports bad input: a message per field, named as the form and CSV name it."""

from __future__ import annotations

from datetime import date

from bot.text import LIST_SEPARATOR, too_long

FieldErrors = dict[str, str]
RECORD_ID_MAX = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's largest


def is_record_id(number: int) -> bool:
    """Whether `number` can be a record's id; a larger one would fail in the database."""
    return 1 <= number <= RECORD_ID_MAX


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


def check_past_date(errors: FieldErrors, field: str, day: date | None, today: date) -> None:
    if day is None:
        errors[field] = "Choose a date."
    elif day > today:
        errors[field] = f"The date can't be in the future (today is {today.isoformat()})."
