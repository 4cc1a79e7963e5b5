"""Self-tests for the Slack test doubles: the fake Web API and the request builders."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.runtime.console import payloads
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequester

SECRET = "test-signing-secret"
MODAL = {
    "type": "modal",
    "callback_id": "log_engagement",
    "private_metadata": '{"team": 3}',
    "title": {"type": "plain_text", "text": "Log engagement"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "method",
            "label": {"type": "plain_text", "text": "How"},
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [
                    {"text": {"type": "plain_text", "text": "Email"}, "value": "email"},
                    {"text": {"type": "plain_text", "text": "Meeting"}, "value": "meeting"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "date",
            "label": {"type": "plain_text", "text": "When"},
            "element": {"type": "datepicker", "action_id": "value", "initial_date": "2024-05-01"},
        },
        {
            "type": "input",
            "block_id": "org",
            "label": {"type": "plain_text", "text": "Organisation"},
            "element": {"type": "external_select", "action_id": "value"},
        },
    ],
}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token="xoxb-test")


def test_records_calls_and_decodes_form_encoded_blocks(slack: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    first = client(slack).chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = client(slack).chat_postMessage(channel="C1", text="again")

    [call, _] = slack.wait_for("chat.postMessage", count=2)
    assert call.args["blocks"] == blocks  # sent as a JSON string inside a form body
    assert call.args["channel"] == "C1"
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert float(second["ts"]) > float(first["ts"])
    link = client(slack).chat_getPermalink(channel="C1", message_ts=first["ts"])
    assert (
        link["permalink"] == f"https://test.slack.com/archives/C1/p{first['ts'].replace('.', '')}"
    )


def test_views_open_records_view_and_returns_it_with_an_id(slack: FakeSlack) -> None:
    response = client(slack).views_open(trigger_id="t1", view=MODAL)

    [call] = slack.wait_for("views.open")
    assert call.args["view"] == MODAL
    assert response["view"]["id"].startswith("V")
    assert response["view"]["callback_id"] == "log_engagement"
    updated = client(slack).views_update(view_id=response["view"]["id"], view=MODAL)
    assert updated["view"]["id"] == response["view"]["id"]


def test_fail_next_with_rate_limit_then_recovers(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", error="ratelimited", status=429)

    with pytest.raises(SlackApiError) as failure:
        client(slack).chat_postMessage(channel="C1", text="hi")
    assert failure.value.response.status_code == 429
    assert failure.value.response.headers["Retry-After"] == "1"
    assert failure.value.response["error"] == "ratelimited"
    assert client(slack).chat_postMessage(channel="C1", text="hi")["ok"]


def test_set_response_unknown_method_and_users_info(slack: FakeSlack) -> None:
    slack.set_response("team.info", {"ok": True, "team": {"id": "T0001"}})
    slack.set_user("U9", tz="America/New_York", is_admin=True)

    assert client(slack).team_info()["team"]["id"] == "T0001"
    with pytest.raises(SlackApiError, match="unknown_method"):
        client(slack).api_call("no.such.method")
    user = client(slack).users_info(user="U9")["user"]
    assert (user["tz"], user["is_admin"], user["id"]) == ("America/New_York", True, "U9")


def test_records_response_url_posts(slack: FakeSlack) -> None:
    WebhookClient(slack.response_url("cmd")).send(text="Saved", response_type="ephemeral")

    [call] = slack.wait_for("response_url")
    assert call.args == {"text": "Saved", "response_type": "ephemeral", "_name": "cmd"}


def test_wait_for_lists_calls_seen_on_timeout(slack: FakeSlack) -> None:
    client(slack).auth_test()
    with pytest.raises(AssertionError, match=r"(?s)'views\.open'.*auth\.test"):
        slack.wait_for("views.open", timeout=0.05)


class _VerifyingHandler(BaseHTTPRequestHandler):
    """Answers 200 if Slack's signature verifies, else 401 (as Bolt does)."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        valid = SignatureVerifier(SECRET).is_valid_request(body, dict(self.headers.items()))
        self.send_response(200 if valid else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"valid": %s}' % (b"true" if valid else b"false"))

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def verifier_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VerifyingHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_requester_signatures_verify_unless_tampered_or_stale(verifier_url: str) -> None:
    requester = SlackRequester(verifier_url, SECRET)
    payload = payloads.slash_command("log Met ONS")

    ok = requester.send(payload)
    assert (ok.status, ok.json) == (200, {"valid": True})
    assert requester.send(payload, tamper=True).status == 401
    assert requester.send(payload, timestamp=int(time.time()) - 600).status == 401
    headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert requester.send(payloads.app_home_opened("U1"), extra_headers=headers).status == 200


def test_state_values_builds_element_states_and_keeps_initial_values() -> None:
    values = payloads.state_values(MODAL, {"summary": "Met ONS", "method": "meeting"})

    assert values["summary"]["value"] == {"type": "plain_text_input", "value": "Met ONS"}
    assert values["method"]["value"]["selected_option"]["value"] == "meeting"
    assert values["date"]["value"] == {"type": "datepicker", "selected_date": "2024-05-01"}
    assert values["org"]["value"]["selected_option"] is None
    org = payloads.state_values(MODAL, {"org": ("Office for National Statistics", "ons")})["org"]
    assert org["value"]["selected_option"]["value"] == "ons"
    with pytest.raises(ValueError, match="meeting"):
        payloads.state_values(MODAL, {"method": "carrier pigeon"})
    with pytest.raises(KeyError):
        payloads.state_values(MODAL, {"no_such_block": "x"})


def test_payloads_dispatch_through_bolt(slack: FakeSlack) -> None:
    """The builders' payloads, signed by the requester's scheme, are what Bolt understands."""
    app = App(client=client(slack), signing_secret=SECRET, process_before_response=True)
    seen: dict[str, Any] = {}
    app.command("/engage")(lambda ack, command: (ack(), seen.update(command=command)))
    app.view("log_engagement")(lambda ack, view: (ack(), seen.update(view=view)))
    app.action("go")(lambda ack, body: (ack(), seen.update(action=body)))
    app.options("value")(lambda ack, body: (ack(options=[]), seen.update(options=body)))
    app.shortcut("log")(lambda ack, body: (ack(), seen.update(shortcut=body)))
    app.event("app_home_opened")(lambda event: seen.update(event=event))

    def dispatch(payload: dict[str, Any]) -> int:
        body, content_type = payloads.encode(payload)
        headers = payloads.signed_headers(SECRET, body, content_type)
        return app.dispatch(BoltRequest(body=body.decode(), headers=headers)).status

    submitted = payloads.state_values(MODAL, {"summary": "Met ONS", "method": "meeting"})
    assert dispatch(payloads.slash_command("log", user_id="U7")) == 200
    assert dispatch(payloads.view_submission(MODAL, submitted, user_id="U7")) == 200
    assert dispatch(payloads.block_actions("go", "1", ephemeral=True)) == 200
    assert dispatch(payloads.block_suggestion("value", view=MODAL, value="off")) == 200
    assert dispatch(payloads.message_shortcut("log", message_text="hello")) == 200
    assert dispatch(payloads.app_home_opened("U7")) == 200
    assert seen["command"]["user_id"] == "U7"
    assert seen["view"]["state"]["values"] == submitted
    assert seen["view"]["private_metadata"] == '{"team": 3}'
    assert seen["action"]["container"]["is_ephemeral"] is True
    assert seen["options"]["block_id"] == "org"
    assert seen["shortcut"]["message"]["text"] == "hello"
    assert seen["event"]["user"] == "U7"


def test_each_installed_workspace_has_its_own_token(slack: FakeSlack) -> None:
    code = slack.install_code("T0002", "Second workspace")
    granted = client(slack).oauth_v2_access(client_id="1.2", client_secret="s", code=code)
    assert granted["team"] == {"id": "T0002", "name": "Second workspace"}
    token = granted["access_token"]
    assert token == slack.bot_token("T0002")
    with pytest.raises(SlackApiError, match="invalid_code"):
        client(slack).oauth_v2_access(client_id="1.2", client_secret="s", code=code)

    mine = WebClient(token=token, base_url=slack.url).auth_test()
    assert (mine["team_id"], mine["user_id"]) == ("T0002", "UBOT0002")
    assert client(slack).auth_test()["team_id"] == "T0001"  # any other token: the default

    slack.revoke("T0002")
    with pytest.raises(SlackApiError, match="token_revoked"):
        WebClient(token=token, base_url=slack.url).chat_postMessage(channel="C1", text="hi")
