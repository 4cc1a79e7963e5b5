"""The people behind Slack user ids, as a person reads them: "Jane Smith (U0123ABC)".

Exports and the audit log store and write Slack user ids; a name is looked up as they are
written (`NameOf`: Slack's users.info, `bot/people/slack_names.py`, or the console's identities)
and never stored, so a name is always today's and nothing here needs erasing. Where no name
is known (no Slack to ask, a person Slack no longer knows) the id stands alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Slack user ids: "U" (or "W" on Enterprise Grid) then capitals and digits.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")
# A label `person_label` wrote: anything, then the id in brackets at the end.
_LABELLED_ID = re.compile(rf".*\(({SLACK_USER_ID.pattern})\)", re.DOTALL)

# A person's name from their Slack user id; None when it is not known.
NameOf = Callable[[str], str | None]


def no_names(_user_id: str) -> None:
    """Knows no one: every id is shown alone."""
    return None


def person_label(user_id: str, name: str | None) -> str:
    """ "Jane Smith (U0123ABC)", or the id alone when no name is known."""
    return f"{name} ({user_id})" if name else user_id


def user_id_in(text: str) -> str:
    """The Slack user id of a label `person_label` wrote ("Jane Smith (U0123ABC)" gives
    "U0123ABC"); any other text as it is, a bare id included."""
    labelled = _LABELLED_ID.fullmatch(text.strip())
    return labelled[1] if labelled else text.strip()


def first_known(*sources: NameOf) -> NameOf:
    """A `NameOf` asking each source in turn until one knows the name."""

    def name_of(user_id: str) -> str | None:
        return next((name for source in sources if (name := source(user_id))), None)

    return name_of
