"""The public pages' templates (`templates/public/`), and the emails' (`templates/email/`),
in English or Welsh.

One Jinja2 environment a language, made on first use and kept: autoescape on (what a
team typed is text, never markup) but in the emails' text (`*.txt`), StrictUndefined (a
name not given is an error, not an empty string), and the i18n extension with the
language's catalogue, so a template's `_()` and `{% trans %}` are the interface's words in
that language. The catalogues are
Babel's `.po` files in `locale/`, read once a process (no compiled `.mo` to keep in step).
What a team wrote is never translated; the domain's own words are (`words.py`).
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

ENGLISH, WELSH = "en", "cy"
LANGUAGES = (ENGLISH, WELSH)
DOMAIN = "messages"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The interface's words in `language` (English: as written in the templates)."""
    if language == ENGLISH:
        return gettext.NullTranslations()
    catalogue = files("handlers.web") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with catalogue.open("rb") as po:
        compiled = BytesIO()
        write_mo(compiled, read_po(po, locale=language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=PackageLoader("handlers.web", "templates"),
        autoescape=select_autoescape(disabled_extensions=("txt",), default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # mypy: the i18n extension (above) adds this method to the environment when it loads.
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["long_date"] = lambda day: long_date(day, language)
    return env


def long_date(day: date, language: str) -> str:
    """ "7 December 2026", "7 Rhagfyr 2026"."""
    return format_date(day, "d MMMM y", locale=language)


def render(language: str, template: str, **context: Any) -> str:
    """The page `template` (under `templates/`) in `language`, rendered with `context`."""
    return environment(language).get_template(template).render(language=language, **context)
