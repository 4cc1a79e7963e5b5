"""The browser the public site's tests drive: Debian's chromium through chromedriver,
driven by selenium. Without chromium, chromedriver or axe-core (node_modules/,
scripts/build_assets) the tests are skipped where run by hand, and fail in CI (CI=true) or
with ENGAGEBOT_REQUIRE_BROWSER=1: .ci/run installs chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import AXE, ROOT, WIDTH


def browser_required() -> bool:
    return os.environ.get("CI") == "true" or bool(os.environ.get("ENGAGEBOT_REQUIRE_BROWSER"))


def _missing(reason: str) -> None:
    if browser_required():
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        _missing("no chromium and chromedriver (apt-get install chromium chromium-driver)")
    if not AXE.is_file():
        _missing(f"no {AXE.relative_to(ROOT)}: run scripts/build_assets")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        f"--window-size={WIDTH},900",
    ):
        options.add_argument(argument)
    # The driver named, so selenium looks for none to download.
    session = webdriver.Chrome(service=Service(executable_path=str(driver)), options=options)
    session.set_script_timeout(30)
    yield session
    session.quit()


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: the pages read the same on both (tests/e2e/test_public_site.py)."""
    path = tmp_path / "engagebot.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"
