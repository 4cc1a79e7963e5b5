"""The rules of personal data with no database: the retention period, and whom an erasure
may name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import JSON, String
from sqlmodel import SQLModel

from bot.base.config import ConfigError, load_settings
from bot.people.erasure import ErasureRefused, Person, person_to_erase
from bot.people.personal_data import AUDIT_LOG, FREE_TEXT, INBOX, NOT_FREE_TEXT
from bot.people.retention import months_before


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2029, 3, 1, 12, 0), 24, datetime(2027, 3, 1, 12, 0)),
        (datetime(2029, 1, 15, 8, 30), 2, datetime(2028, 11, 15, 8, 30)),
        (datetime(2029, 3, 31, 23, 59), 1, datetime(2029, 2, 28, 23, 59)),
        (datetime(2028, 2, 29, 0, 0), 12, datetime(2027, 2, 28, 0, 0)),
        (datetime(2028, 3, 31, 0, 0), 1, datetime(2028, 2, 29, 0, 0)),
    ],
)
def test_months_before_counts_calendar_months(
    moment: datetime, months: int, expected: datetime
) -> None:
    aware = moment.replace(tzinfo=UTC)
    assert months_before(aware, months) == expected.replace(tzinfo=UTC)


def test_the_retention_period_defaults_to_24_months_and_is_checked() -> None:
    assert load_settings({}).personal_data_months == 24
    assert load_settings({"ENGAGEBOT_PERSONAL_DATA_MONTHS": " 36 "}).personal_data_months == 36
    for bad in ("0", "-1", "2.5", "two years"):
        with pytest.raises(ConfigError, match="ENGAGEBOT_PERSONAL_DATA_MONTHS must be a whole"):
            load_settings({"ENGAGEBOT_PERSONAL_DATA_MONTHS": bad})


def test_a_person_is_named_by_email_name_or_both() -> None:
    assert person_to_erase(" Sam@Example.org ", None) == Person("Sam@Example.org", ())
    assert person_to_erase(None, "  Sam   de  Souza ") == Person(None, ("Sam", "de", "Souza"))
    both = person_to_erase("sam@example.org", "Sam Smith")
    assert both.described == "sam@example.org / Sam Smith"


@pytest.mark.parametrize(
    ("email", "name", "said"),
    [
        (None, None, "say whose data to erase"),
        ("sam", None, "is not an email address"),
        ("sam@example", None, "is not an email address"),
        ("a@b.c" + "c" * 250, None, "is not an email address"),
        (None, "", "--name is empty"),
        (None, "Sam", "is one word"),
        (None, "Sam " + "x" * 120, "longer than a contact name can be"),
    ],
)
def test_a_person_named_unsafely_is_refused(email: str | None, name: str | None, said: str) -> None:
    with pytest.raises(ErasureRefused, match=said):
        person_to_erase(email, name)


def test_every_text_column_is_searched_by_erase_or_said_why_not() -> None:
    """A new column of text is searched by `engagebot erase` (FREE_TEXT), or named in
    NOT_FREE_TEXT with the reason it cannot quote a member of the public; the contact's
    (PERSONAL), staff's Slack ids (SLACK_USER) and workspace ids need no word."""
    searched = {f"{model.__tablename__}.{name}" for model, names in FREE_TEXT for name in names}
    searched |= {AUDIT_LOG, INBOX}
    text_columns = {
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(getattr(column.type, "impl_instance", column.type), String | JSON)
        and not {"personal", "slack_user"} & set(column.info)
        and column.name != "workspace_id"
    }
    unclassified = text_columns - searched - set(NOT_FREE_TEXT)
    assert unclassified == set(), "say in bot/people/personal_data.py whether erase searches these"
    assert searched & set(NOT_FREE_TEXT) == set()
    assert set(NOT_FREE_TEXT) <= text_columns, "reasons kept for columns that are gone"
