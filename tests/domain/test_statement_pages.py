"""The statements' HTML pages (Jinja2 templates in `bot/statements/templates/`) against
hostile text: whatever people typed shows as typed, in a page whose markup is the
template's alone, and template syntax in their text is never run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser

import pytest
from jinja2 import StrictUndefined, UndefinedError

from bot.statements.pages import page_templates, render_page
from bot.statements.users_and_uses import (
    AnnouncedChange,
    SegmentMethods,
    SegmentUses,
    Use,
    UserType,
    UsesStatement,
)
from bot.statements.users_and_uses_formats import uses_html
from bot.statements.you_said_we_did import Statement, StatementItem, ThemeGroup
from bot.statements.you_said_we_did_formats import statement_html

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
# Each would do something if it were read as markup or as a template (a name the page's
# context holds, a loop, an include, a comment, a raw block, a filter, a Python attribute).
HOSTILE = (
    "<script>alert('x')</script>",
    '"><img src=x onerror="alert(1)">',
    "it's & <b>bold</b> &amp; &lt;",
    "{{ 7 * 7 }}",
    "{{ title }}",
    "{% for x in range(3) %}loop{% endfor %}",
    '{% include "statements/page.html" %}',
    "{# hidden #}",
    "{% raw %}{{ x }}{% endraw %}",
    "{{ statement.__class__.__init__.__globals__ }}",
    "${x} <%= x %> {x}",
)
# The elements the templates write: nothing else may appear, whatever the text.
ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "main",
    "h1", "h2", "h3", "ul", "li", "p", "strong", "em",
}  # fmt: skip


class Page(HTMLParser):
    """A page as a browser would read it: its elements and its text, entities decoded."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: set[str] = set()
        self.attributes: set[tuple[str, str | None]] = set()
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.add(tag)
        self.attributes.update(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def item(text: str, segment: str | None = None) -> StatementItem:
    return StatementItem(1, date(2026, 1, 5), text, segment, "done", text)


def said_we_did(text: str) -> Statement:
    """`text` in every place the "You said, we did" page shows typed text."""
    return Statement(text, *Q1, (ThemeGroup(text, (item(text, text),)),), {"done": 1})


def users_and_uses(text: str) -> UsesStatement:
    """`text` in every place the "Users and uses" page shows typed text."""
    return UsesStatement(
        team_name=text,
        output_name=text,
        period_from=Q1[0],
        period_to=Q1[1],
        engagements=1,
        feedback=1,
        user_types=(UserType(text, 1, 1, (text, text)),),
        uses=(SegmentUses(text, (Use(text, (text,)),)),),
        methods=(SegmentMethods(text, ((text, 1),)),),
        changed=(item(text, text),),
        changes=(AnnouncedChange(text, text, Q1[1], Q1[0]),),
    )


PAGES: dict[str, Callable[[str], str]] = {
    "you said, we did": lambda text: statement_html(said_we_did(text)),
    "users and uses": lambda text: uses_html(users_and_uses(text)),
}


@pytest.mark.parametrize("page_of", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize("text", HOSTILE)
def test_typed_text_shows_as_typed_and_is_never_markup_or_template(
    page_of: Callable[[str], str], text: str
) -> None:
    page = Page(page_of(text))
    assert page.elements <= ELEMENTS
    assert page.attributes <= {
        ("lang", "en"), ("charset", "utf-8"), ("class", "period"), ("class", "summary"),
        ("class", "said"), ("class", "about"), ("class", "did"),
        ("name", "viewport"), ("content", "width=device-width, initial-scale=1"),
    }  # fmt: skip
    shown = "".join(page.text)
    assert text in shown  # in the page's text, as typed: not run, not dropped
    assert "49" not in shown and "looploop" not in shown and "<!DOCTYPE" not in shown


def test_a_page_of_very_long_text_shows_all_of_it() -> None:
    text = "<long> & " * 20_000  # 180,000 characters: no limit on what a page holds
    for page_of in PAGES.values():
        assert "".join(Page(page_of(text)).text).count("<long> & ") >= 20_000


def test_line_breaks_and_quotes_in_a_name_reach_the_page() -> None:
    page = statement_html(said_we_did('Team "A"\nand\tB'))
    assert "<title>You said, we did: Team &#34;A&#34;\nand\tB</title>" in page


def test_the_templates_escape_everything_and_refuse_a_name_not_given() -> None:
    templates = page_templates()
    assert templates is page_templates()  # made once
    assert templates.autoescape is True and templates.undefined is StrictUndefined
    with pytest.raises(UndefinedError, match="'title' is undefined"):
        render_page("statements/page.html")
