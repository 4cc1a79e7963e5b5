"""The "You said, we did" statement as a file to publish: markdown or a standalone HTML page.

Every piece of text people typed is escaped for the format, so it shows as typed and can
neither format the page nor inject markup. Markdown puts each item on one line, so line
breaks within feedback become spaces there; the HTML page keeps them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from bot.statements import (
    Statement,
    StatementItem,
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


_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:46rem;margin:2rem auto;"
    "padding:0 1rem;color:#1b1b1b}"
    "li{margin-bottom:1rem}li p{margin:0;white-space:pre-line}"
    ".about{color:#505a5f;font-size:.9em}"
)


def html_page(title: str, body: list[str]) -> str:
    """A complete HTML document around `body` (markup, its text already escaped), with its
    own small style sheet and nothing to fetch."""
    title = html.escape(title)
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{title}</h1>",
    ]
    return "\n".join([*head, *body, "</main>", "</body>", "</html>"]) + "\n"


def item_html(item: StatementItem) -> str:
    """One item: what users said, who and when, and what was done."""
    e = html.escape
    return (
        "<li>"
        f'<p class="said"><strong>You said:</strong> {e(item.said)}</p>'
        f'<p class="about">{e(item_about(item))}</p>'
        f'<p class="did"><strong>{e(item.outcome)}:</strong> {e(item.did)}</p>'
        "</li>"
    )


def statement_html(statement: Statement) -> str:
    e = html.escape
    body = [
        f'<p class="period">{e(period_text(statement))}</p>',
        f'<p class="summary">{e(summary_text(statement))}</p>',
    ]
    for group in statement.themes:
        body += [f"<h2>{e(group.theme)} ({len(group.items)})</h2>", "<ul>"]
        body += [item_html(item) for item in group.items]
        body.append("</ul>")
    return html_page(statement_title(statement), body)


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
