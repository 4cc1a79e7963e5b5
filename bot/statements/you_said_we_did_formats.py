"""The "You said, we did" statement as a file to publish: markdown or a standalone HTML page.

Every piece of text people typed is escaped for the format, so it shows as typed and can
neither format the page nor inject markup. Markdown puts each item on one line, so line
breaks within feedback become spaces there; the HTML page, a Jinja2 template
(`bot/statements/templates/statements/`, autoescaped: `bot/statements/pages.py`), keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from bot.statements.pages import render_page
from bot.statements.you_said_we_did import (
    Statement,
    StatementRefused,
    item_about,
    latest_digest_period,
    period_text,
    statement_title,
    summary_text,
    you_said_we_did,
)
from storage.teams import team_named

# Markdown's inline syntax, HTML and entities: backslash-escaped, which CommonMark allows
# for any ASCII punctuation. Line-start syntax (lists, headings) cannot arise, as user text
# only ever follows other text on its line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def escape_markdown(text: str) -> str:
    """`text` on one line, shown literally by a markdown renderer."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def statement_markdown(statement: Statement) -> str:
    md = escape_markdown
    lines = [
        f"# {md(statement_title(statement))}",
        "",
        period_text(statement),
        "",
        summary_text(statement),
    ]
    for group in statement.themes:
        lines += ["", f"## {md(group.theme)} ({len(group.items)})", ""]
        for item in group.items:
            lines += [
                f"- **You said:** {md(item.said)} _({md(item_about(item))})_",
                f"  - **{item.outcome}:** {md(item.did)}",
            ]
    return "\n".join(lines) + "\n"


def statement_html(statement: Statement) -> str:
    """The statement as a standalone HTML page (`bot/statements/templates/statements/`)."""
    return render_page(
        "statements/you_said_we_did.html",
        title=statement_title(statement),
        period=period_text(statement),
        summary=summary_text(statement),
        statement=statement,
        about=item_about,
    )


FORMATS: dict[str, Callable[[Statement], str]] = {
    "markdown": statement_markdown,
    "html": statement_html,
}


def publish(
    *,
    session: Session,
    team_name: str,
    period_from: date | None,
    period_to: date | None,
    fmt: str,
    today: date,
) -> str:
    """The statement of the team named, in `fmt`, for the period given, or by default the
    last full calendar quarter before `today`. Raises `StatementRefused`."""
    team = team_named(session=session, name=team_name)
    if team is None:
        raise StatementRefused(f"no team is called {team_name!r}")
    if (period_from is None) != (period_to is None):
        raise StatementRefused(
            "give both --from and --to, or neither for the last full calendar quarter"
        )
    if period_from is None or period_to is None:
        period_from, period_to = latest_digest_period("quarterly", today)
    statement = you_said_we_did(
        session=session, team=team, period_from=period_from, period_to=period_to
    )
    return FORMATS[fmt](statement)
