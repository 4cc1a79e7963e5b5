"""The log redaction, rewritten to read a line in linear time (issue #13), blanks exactly
what the patterns it replaced did, on inputs made of the pieces those patterns turn on, and
never lets a password or token through. Its speed is bench/redaction_bench.py's."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.base.logs import REDACTED, Redactor

# The patterns before the rewrite: right, but quadratic on a long run of a scheme's letters.
OLD_SLACK_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)(?:\.[A-Za-z0-9]+)?-[A-Za-z0-9-]+")
OLD_URL_PASSWORD = re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?=@)", re.I)


def old_redact(text: str) -> str:
    text = OLD_SLACK_TOKEN.sub(REDACTED, text)
    return OLD_URL_PASSWORD.sub(lambda found: found["keep"] + REDACTED, text)


# Every character the patterns look at, and the words they look for. "://" comes only after
# a letter: the new pattern also blanks a password after "1://", which the old one kept.
PIECES = ["xoxb", "xapp", "xoxe.", "s://", "-", ".", "+", ":", "/", "@", " ", "\n", "_", "a", "Z"]
ADVERSARIAL = st.lists(st.sampled_from([*PIECES, "9", "é"]), max_size=80).map("".join)
PASSWORD = st.text(st.characters(blacklist_categories=["Z", "C"], blacklist_characters="@"))


@given(ADVERSARIAL)
def test_it_blanks_what_the_old_patterns_blanked(text: str) -> None:
    assert Redactor([]).redact(text) == old_redact(text)


@given(ADVERSARIAL, PASSWORD.filter(bool), ADVERSARIAL)
def test_a_url_password_never_survives_whatever_surrounds_it(
    before: str, password: str, after: str
) -> None:
    url = f"postgresql+psycopg://engagebot:{password}@db.internal/engagebot"
    shown = Redactor([]).redact(f"{before} {url} {after}")
    assert f" postgresql+psycopg://engagebot:{REDACTED}@db.internal/engagebot " in shown


@given(ADVERSARIAL, st.sampled_from(["xoxb", "xoxp", "xapp", "xoxe.xoxp"]), ADVERSARIAL)
def test_a_token_never_survives_whatever_surrounds_it(before: str, kind: str, after: str) -> None:
    shown = Redactor([]).redact(f"{before} {kind}-1-2-SecretValue {after}")
    assert "SecretValue" not in shown
