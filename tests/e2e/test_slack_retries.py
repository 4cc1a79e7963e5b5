"""A listener's calls to Slack are retried as the scheduler's are: after a 429 (once
Retry-After has passed), a 5xx, or a connection that drops without an answer."""

from __future__ import annotations

import pytest

from bot.runtime.console.payloads import slash_command
from tests.conftest import RunningBot
from tests.fake_slack import DROP

pytestmark = pytest.mark.any_date


@pytest.mark.parametrize("status", [429, 503, 504, DROP])
def test_a_form_slack_fails_to_open_once_is_opened_on_the_next_try(
    bot: RunningBot, status: int
) -> None:
    bot.slack.fail_next("views.open", "ratelimited" if status == 429 else "fatal_error", status)
    bot.requester.send(slash_command("log", channel_id="CPRICES"))
    first, again = bot.slack.wait_for("views.open", count=2, timeout=10)
    assert first.response["ok"] is False
    assert again.response["ok"] is True
    assert again.args["view"] == first.args["view"]
