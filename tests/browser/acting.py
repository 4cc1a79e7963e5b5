"""What a person does in the browser, as the browser tests do it: fill a field, follow a
link or press a button and wait for the page it leads to, send a form."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait


def fill(browser: Any, name: str, text: str) -> None:
    """Type `text` into the field whose id is `name`, in place of what it held."""
    field = browser.find_element("id", name)
    field.clear()
    field.send_keys(text)


def follow(browser: Any, element: Any) -> None:
    """Click `element`, and wait for the page it leads to (the last one gone)."""
    page = browser.find_element("tag name", "html")
    element.click()
    WebDriverWait(browser, 10).until(staleness_of(page))


def send(browser: Any) -> None:
    """Press the form's submit button, and wait for the page it leads to."""
    follow(browser, browser.find_element("css selector", "button[type=submit]"))
