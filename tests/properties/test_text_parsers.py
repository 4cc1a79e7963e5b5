"""Whatever is typed, the text parsers answer: a value, or a refusal that says why."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.base.text import escape_mrkdwn, preview, split_list, storable, too_long, unescape_mrkdwn
from bot.base.validation import Invalid
from bot.base.vocabulary import PROFILES
from bot.changes.alerts import DEFAULT_LEAD_DAYS, MAX_LEAD_DAYS, lead_days
from bot.changes.subscriptions import find_target
from bot.runtime import cli
from bot.teams.editing import parse_lead_days, parse_outputs, parse_target_days, zone_name
from bot.users.map import UsersMapRefused, find_scope
from bot.users.who import WhoAnswer, WhoChoices, WhoUnknown, who
from handlers.decisions import MERGE_COMMAND
from storage.database import Database
from storage.teams import WantedOutput
from tests.e2e.helpers import make_team
from tests.properties.conftest import APP_EXAMPLES
from tests.properties.strategies import ANY_TEXT, TYPED

TODAY = date(2026, 3, 15)


@given(ANY_TEXT)
def test_escaping_is_undone_exactly(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert not {"<", ">"} & set(escaped)
    assert unescape_mrkdwn(escaped) == text


@given(ANY_TEXT)
def test_a_preview_is_short_and_safe(text: str) -> None:
    shown = preview(text, 80)
    assert len(unescape_mrkdwn(shown)) <= 80
    assert not {"<", ">", "\n"} & set(shown)


@given(ANY_TEXT, st.integers(0, 4000))
def test_too_long_refuses_only_what_is_over_and_says_so(text: str, limit: int) -> None:
    problem = too_long("The summary", text, limit)
    assert (problem is None) == (len(text) <= limit)
    if problem:
        assert problem.startswith("The summary is ") and f"{limit:,}" in problem


@given(st.one_of(ANY_TEXT, st.none()))
def test_split_list_gives_clean_distinct_names(text: str | None) -> None:
    names = split_list(text)
    for name in names:
        assert name and name == " ".join(name.split())
        assert "," not in name and ";" not in name
    assert len({name.lower() for name in names}) == len(names)
    assert split_list(", ".join(names)) == names


@given(ANY_TEXT)
def test_outputs_parse_or_name_the_line(text: str) -> None:
    outputs, problem = parse_outputs(text)
    if problem is not None:
        assert outputs == [] and problem.strip()
    else:
        assert all(output.name and output.profile in PROFILES for output in outputs)


@given(
    st.lists(
        st.builds(
            WantedOutput,
            # A name with "->" in it is a rename, as the form's hint says.
            st.text(min_size=1, max_size=30)
            .map(lambda name: " ".join(name.split()))
            .filter(lambda name: name and "->" not in name),
            st.sampled_from(sorted(PROFILES)),
            st.booleans(),
        ),
        max_size=8,
        unique_by=lambda output: output.name.lower(),
    )
)
def test_outputs_as_written_read_back(outputs: list[WantedOutput]) -> None:
    written = "\n".join(
        f"{o.name} | {o.profile}" + (" | retired" if o.retired else "") for o in outputs
    )
    assert parse_outputs(written) == (outputs, None)


@given(st.one_of(ANY_TEXT, st.none()))
def test_lead_days_parse_or_say_why(text: str | None) -> None:
    stored, problem = parse_lead_days(text)
    if problem is not None:
        assert stored is None and problem.strip()
    elif stored is not None:
        assert parse_lead_days(stored) == (stored, None)  # stored as it reads back
        days = lead_days(stored)  # and as the alerts read it
        assert list(days) == [int(day) for day in stored.split(",")]
        assert all(1 <= day <= MAX_LEAD_DAYS for day in days)


@given(st.one_of(ANY_TEXT, st.none()))
def test_stored_lead_days_are_read_whatever_they_hold(text: str | None) -> None:
    days = lead_days(text)
    assert days and list(days) == sorted(set(days), reverse=True)
    assert days == DEFAULT_LEAD_DAYS or all(1 <= day <= MAX_LEAD_DAYS for day in days)


@given(st.one_of(ANY_TEXT, st.none(), st.integers(-5, 4000).map(str)))
def test_target_days_parse_or_say_why(text: str | None) -> None:
    days, problem = parse_target_days(text)
    if problem is not None:
        assert days is None and problem.strip()
    elif days is not None:
        assert parse_target_days(str(days)) == (days, None)


@given(st.one_of(ANY_TEXT, st.sampled_from(["europe/london", " Asia/Tokyo ", "UTC", "Mars/Base"])))
def test_time_zones_parse_or_say_why(text: str) -> None:
    name, problem = zone_name(text)
    if problem is not None:
        assert name is None and problem.strip()
    elif name is not None:
        assert zone_name(name) == (name, None)


@given(TYPED)
def test_merge_command_reads_two_numbers_or_nothing(text: str) -> None:
    found = MERGE_COMMAND.fullmatch(text.strip())
    if found:
        assert all(number.isdigit() for number in found.groups())


@given(st.one_of(TYPED, st.dates().map(date.isoformat)))
def test_command_line_days_parse_or_say_why(text: str) -> None:
    try:
        day = cli._day(text)
    except argparse.ArgumentTypeError as refused:
        assert str(refused).strip()
    else:
        assert cli._day(day.isoformat()) == day


@given(st.one_of(TYPED, st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)))
def test_command_line_moments_parse_or_say_why(text: str) -> None:
    try:
        moment = cli._moment(text)
    except argparse.ArgumentTypeError as refused:
        assert str(refused).strip()
    else:
        assert moment.tzinfo is not None and cli._moment(moment.isoformat()) == moment


@pytest.fixture
def teams(database: Database) -> Database:
    make_team(database, "Prices", "CPRICES", "Consumer price inflation | high")
    make_team(database, "Trade", "CTRADE", "Consumer price inflation | low\nExports | high")
    return database


# Text reaches these as the command's text, NUL characters dropped (handlers/engage.py).
TYPED_IN = ANY_TEXT.map(storable)


@settings(max_examples=APP_EXAMPLES)
@given(text=TYPED_IN)
def test_subscription_targets_are_found_or_refused_with_a_reason(teams: Database, text: str):
    with teams.transaction() as session:
        try:
            target = find_target(session=session, text=text)
        except Invalid as invalid:
            assert set(invalid.errors) == {"target"} and invalid.errors["target"].strip()
        else:
            assert target.team.name in ("Prices", "Trade")


@settings(max_examples=APP_EXAMPLES)
@given(text=TYPED_IN)
def test_users_map_scopes_are_found_or_refused_with_a_reason(teams: Database, text: str):
    with teams.transaction() as session:
        try:
            scope = find_scope(session=session, text=text, person_team=None)
        except UsersMapRefused as refused:
            assert str(refused).strip()
        else:
            assert scope.team.name in ("Prices", "Trade")


@settings(max_examples=APP_EXAMPLES)
@given(text=TYPED_IN)
def test_who_answers_whatever_is_asked(teams: Database, text: str):
    with teams.transaction() as session:
        answer = who(session=session, text=text, today=TODAY)
    assert isinstance(answer, WhoAnswer | WhoChoices | WhoUnknown)
