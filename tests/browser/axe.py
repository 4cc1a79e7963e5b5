"""axe-core on the page a browser shows, at WCAG 2.2 AA, and its screenshot kept under /tmp
(public-site-*.png) to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path("/tmp")
WIDTH = 1280


def passes_axe(browser: Any, page: str) -> None:
    """axe-core finds nothing at WCAG 2.2 AA on the page shown; its screenshot is kept."""
    # Given by the driver, past the page's Content-Security-Policy as a person's
    # extension would be: the page itself allows no inline script.
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(result => done(result.violations.map("
        "v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)}))));",
        WCAG_22_AA,
    )
    assert violations == [], f"{page}: {violations}"
    screenshot(browser, page)


def screenshot(browser: Any, page: str) -> None:
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(WIDTH, max(height, 600))
    name = page.replace("/", "-").replace("?lang=", "-").strip("-") or "index"
    browser.save_screenshot(str(SCREENSHOTS / f"public-site-{name}.png"))
    browser.set_window_size(WIDTH, 900)
