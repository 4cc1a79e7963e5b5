"""People shown by name beside their Slack id, and their id read back from that."""

from __future__ import annotations

import pytest

from bot.people.names import first_known, person_label, user_id_in


@pytest.mark.parametrize(
    ("user_id", "name", "shown"),
    [("U0123ABC", "Jane Smith", "Jane Smith (U0123ABC)"), ("U0123ABC", None, "U0123ABC")],
)
def test_a_person_is_shown_by_name_with_the_id_beside_it(
    user_id: str, name: str | None, shown: str
) -> None:
    assert person_label(user_id, name) == shown
    assert user_id_in(shown) == user_id


@pytest.mark.parametrize(
    ("text", "user_id"),
    [
        ("Bob (HR) Smith (W0BOB)", "W0BOB"),  # brackets in the name
        ("  Jane Smith (U0123ABC) ", "U0123ABC"),
        ("Jane Smith", "Jane Smith"),  # no id: kept as typed
        ("Jane (not an id)", "Jane (not an id)"),
        ("", ""),
    ],
)
def test_the_id_is_read_back_from_a_label(text: str, user_id: str) -> None:
    assert user_id_in(text) == user_id


def test_names_are_taken_from_the_first_source_that_knows_them() -> None:
    name_of = first_known({"U1": "Console Alice"}.get, {"U1": "Slack", "U2": "Bob"}.get)
    assert [name_of(user_id) for user_id in ("U1", "U2", "U3")] == ["Console Alice", "Bob", None]
