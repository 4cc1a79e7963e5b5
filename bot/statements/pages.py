"""HTML pages rendered from the Jinja2 templates in `bot/statements/templates/` (package
data, shipped in the wheel): one environment, made on first use and kept.

Every value a template prints is escaped (autoescape), so text people typed shows as typed
and is never read as markup or as template syntax: `{{ }}` in a feedback item is text, as
templates are compiled from their files alone. A name a template uses that its caller did
not give is an error (StrictUndefined), not an empty string on a published page.

jinja2 is imported on first use, not with this module, so the command line starts without
it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = "templates"  # the folder in the `bot.statements` package


@cache
def page_templates() -> Environment:
    """The environment every page is rendered with, loaded once."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("bot.statements", TEMPLATES),
        autoescape=True,  # every template here is HTML
        undefined=StrictUndefined,
        # A line holding only a {% tag %} leaves nothing in the page, so a template can be
        # laid out for reading without changing what it renders.
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(template: str, **context: Any) -> str:
    """The page `template` (a path under `bot/statements/templates/`) rendered with `context`."""
    return page_templates().get_template(template).render(**context)
