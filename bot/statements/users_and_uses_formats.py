"""The "users and uses" statement as a file to publish: markdown or a standalone HTML page
(a template in `bot/statements/templates/statements/`), escaped as
`bot/statements/you_said_we_did_formats.py` escapes the "You said, we did" statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.base.clock import zone_named
from bot.statements import users_and_uses as wording
from bot.statements.pages import render_page
from bot.statements.users_and_uses import (
    ANNOUNCED,
    HOW,
    NO_ENGAGEMENT,
    NO_RESULT,
    NO_USER_TYPES,
    NO_USES,
    RESULT,
    WHAT_FOR,
    WHO,
    UsesStatement,
    change_text,
    methods_text,
    twelve_months_to,
    user_type_text,
    users_and_uses,
    uses_period_text,
    uses_summary,
    uses_title,
)
from bot.statements.you_said_we_did import OUTCOMES, StatementItem, StatementRefused, item_about
from bot.statements.you_said_we_did_formats import escape_markdown
from bot.users.map import UsersMapRefused, scope_named


def _by_outcome(items: tuple[StatementItem, ...]) -> list[tuple[str, list[StatementItem]]]:
    """The items under their outcome ("Done", "Planned"), in the order given."""
    grouped = groupby(items, lambda item: item.status)
    return [(OUTCOMES[status], list(group)) for status, group in grouped]


def uses_markdown(statement: UsesStatement) -> str:
    md = escape_markdown
    lines = [
        f"# {md(uses_title(statement))}",
        "",
        uses_period_text(statement),
        "",
        md(uses_summary(statement)),
        "",
        f"## {WHO}",
        "",
    ]
    for user_type in statement.user_types:
        line = f"- **{md(user_type.segment)}**: {user_type_text(user_type)}."
        if user_type.organisations:
            line += f" Organisations: {md(', '.join(user_type.organisations))}."
        lines.append(line)
    if not statement.user_types:
        lines.append(NO_USER_TYPES)
    lines += ["", f"## {WHAT_FOR}"]
    for group in statement.uses:
        lines += ["", f"### {md(group.segment)}", ""]
        for use in group.uses:
            said_by = f" _({md(', '.join(use.said_by))})_" if use.said_by else ""
            lines.append(f"- {md(use.text)}{said_by}")
    if not statement.uses:
        lines += ["", NO_USES]
    lines += ["", f"## {HOW}", ""]
    lines += [
        f"- **{md(methods.segment)}**: {md(methods_text(methods))}" for methods in statement.methods
    ]
    if not statement.methods:
        lines.append(NO_ENGAGEMENT)
    lines += ["", f"## {RESULT}"]
    for outcome, items in _by_outcome(statement.changed):
        lines += ["", f"### {outcome} ({len(items)})", ""]
        for item in items:
            lines += [
                f"- **You said:** {md(item.said)} _({md(item_about(item))})_",
                f"  - **{item.outcome}:** {md(item.did)}",
            ]
    if statement.changes:
        lines += ["", f"### {ANNOUNCED} ({len(statement.changes)})", ""]
        lines += [
            f"- **{md(change.title)}**: {md(change_text(change))}" for change in statement.changes
        ]
    if not statement.changed and not statement.changes:
        lines += ["", NO_RESULT]
    return "\n".join(lines) + "\n"


def uses_html(statement: UsesStatement) -> str:
    """The statement as a standalone HTML page (`bot/statements/templates/statements/`)."""
    return render_page(
        "statements/users_and_uses.html",
        title=uses_title(statement),
        period=uses_period_text(statement),
        summary=uses_summary(statement),
        statement=statement,
        changed=_by_outcome(statement.changed),
        about=item_about,
        words=wording,  # its headings and wording
    )


FORMATS: dict[str, Callable[[UsesStatement], str]] = {
    "markdown": uses_markdown,
    "html": uses_html,
}


def publish_users_and_uses(
    *,
    session: Session,
    team_name: str,
    output_name: str | None,
    period_from: date | None,
    period_to: date | None,
    fmt: str,
    now: datetime,
    default_zone: ZoneInfo,
) -> str:
    """The statement of the team named (or one of its outputs), in `fmt`, for the period
    given, or by default the twelve months up to today in the team's time zone. Raises
    `StatementRefused`."""
    try:
        scope = scope_named(session=session, team_name=team_name, output_name=output_name)
    except UsersMapRefused as refused:
        raise StatementRefused(str(refused)) from None
    if (period_from is None) != (period_to is None):
        raise StatementRefused("give both --from and --to, or neither for the last twelve months")
    zone = zone_named(scope.team.timezone, default_zone)
    if period_from is None or period_to is None:
        period_from, period_to = twelve_months_to(now.astimezone(zone).date())
    statement = users_and_uses(
        session=session, scope=scope, period_from=period_from, period_to=period_to, zone=zone
    )
    return FORMATS[fmt](statement)
