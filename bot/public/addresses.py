"""The address a team picks for its public pages: `<ENGAGEBOT_PUBLIC_URL>/<address>/`."""

from __future__ import annotations

import re

from sqlmodel import Session

from storage.public import address_holder

ADDRESS_MAX = 60  # as stored
_ADDRESS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The site's own paths beside the teams' (handlers/web/site.py).
RESERVED = frozenset({"static", "email"})
ADDRESS_HINT = "lower-case letters, digits and hyphens, e.g. prices-division"


def address_problem(
    *, session: Session, address: str | None, team_id: int | None
) -> tuple[str | None, str | None]:
    """The address to store for `address` as typed (None: no public pages), and what is
    wrong with it, if anything: its form, or that another team, in any workspace, has it."""
    if not address or not address.strip():
        return None, None
    typed = address.strip().lower()
    if len(typed) > ADDRESS_MAX:
        return None, f"An address can be at most {ADDRESS_MAX} characters."
    if not _ADDRESS.fullmatch(typed):
        return None, f"Use {ADDRESS_HINT}."
    if typed in RESERVED:
        return None, f"“{typed}” is the site's own: choose another."
    holder = address_holder(session=session, address=typed)
    if holder is not None and holder != team_id:
        return None, f"Another team has the address “{typed}”: choose another."
    return typed, None
