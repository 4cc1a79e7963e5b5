"""Requests shaped and signed exactly as Slack sends them to an app's Request URL.

Builders return plain dicts (workspace ids shared with :mod:`bot.runtime.console.slack_standin`);
:func:`encode` makes the body Slack would send and :func:`signed_headers` signs it. The
console feeds them to the app; the tests POST them to the real server.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

from bot.runtime.console.slack_standin import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, complete_view
from storage.clock import utc_now

TEAM_DOMAIN = "test-workspace"
VERIFICATION_TOKEN = "verification-token-unused"
# Default response_url: refuses connections at once. Pass SlackStandIn.response_url() instead.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/unset"
FORM = "application/x-www-form-urlencoded"
_JSON_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})
_seq = itertools.count(1)
# Slack's ids are unique for ever; counting from 1 in each process is not, so every id made
# here also carries this process's random token (a console run must not repeat the last one's).
RUN = secrets.token_hex(4)


def _trigger_id() -> str:
    n = next(_seq)
    digest = hashlib.sha256(f"{RUN}{n}".encode()).hexdigest()[:32]
    return f"{1700000000000 + n}.{1000000000 + n}.{digest}"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def sign(signing_secret: str, timestamp: int | str, body: bytes | str) -> str:
    """Slack v0 signature: ``v0=`` + hex HMAC-SHA256(secret, ``v0:{timestamp}:{body}``)."""
    raw = body.encode() if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    signing_secret: str,
    body: bytes | str,
    content_type: str = FORM,
    *,
    timestamp: int | str | None = None,
    tamper: bool = False,
) -> dict[str, str]:
    """Headers Slack sends with ``body``; ``tamper=True`` signs a different body (bad signature).

    Also usable for in-process ``BoltRequest``s. ``timestamp`` defaults to now.
    """
    # Bolt checks this against the real clock (a replayed request is refused), never ours.
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.encode() if isinstance(body, str) else body
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(signing_secret, ts, raw + b"tampered" if tamper else raw),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }


def encode(payload: Mapping[str, Any] | str) -> tuple[bytes, str]:
    """Encode a builder's dict (or a ready form body str) as Slack would: (body, content type)."""
    if isinstance(payload, str):
        return payload.encode(), FORM
    if payload.get("type") in _JSON_TYPES:
        return json.dumps(payload).encode(), "application/json"
    if "type" in payload:  # interactivity and options loads
        return urlencode({"payload": json.dumps(payload)}).encode(), FORM
    return urlencode(payload).encode(), FORM  # slash command fields


_TEXT = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_ONE_OPTION = frozenset({"static_select", "external_select", "radio_buttons", "overflow"})
_MANY_OPTIONS = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})
# Pickers report selected_<noun>[s] and start from initial_<noun>[s]: date, time, user, ...
_PICKERS = frozenset({"datepicker", "timepicker", "users_select", "multi_users_select"})
_PICKERS |= {f"{m}{k}_select" for m in ("", "multi_") for k in ("conversations", "channels")}
_MISSING: Any = object()


def _option(element: Mapping[str, Any], given: Any) -> dict[str, Any] | None:
    """An option object for ``given``: an option dict, a (text, value) pair or a value."""
    if given is None or isinstance(given, Mapping):
        return None if given is None else dict(given)
    if isinstance(given, tuple):
        return {"text": _plain(str(given[0])), "value": str(given[1])}
    known = list(element.get("options", []))
    known += [o for group in element.get("option_groups", []) for o in group["options"]]
    known += [*element.get("initial_options", []), element.get("initial_option") or {}]
    for opt in known:
        if opt.get("value") == str(given):
            return copy.deepcopy(opt)
    if element["type"].endswith("external_select"):  # options come from the app: any value
        return {"text": _plain(str(given)), "value": str(given)}
    values = [o.get("value") for o in known if o]
    raise ValueError(f"{given!r} is not an option of {element.get('action_id')!r}: {values}")


def _element_state(element: Mapping[str, Any], given: Any) -> dict[str, Any]:
    """The state Slack reports for ``element`` after the user entered ``given``."""
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind in _TEXT:
        value = element.get("initial_value") if given is _MISSING else given
        state["value"] = None if value is None else str(value)
    elif kind in _PICKERS:
        noun = kind.removeprefix("multi_").removesuffix("_select").removesuffix("picker")
        noun = noun.removesuffix("s") + ("s" if kind.startswith("multi_") else "")
        value = element.get(f"initial_{noun}") if given is _MISSING else given
        value = value.isoformat() if isinstance(value, date) else value
        if kind.startswith("multi_"):
            value = [] if value is None else [value] if isinstance(value, str) else list(value)
        state[f"selected_{noun}"] = value
    elif kind in _ONE_OPTION:
        chosen = element.get("initial_option") if given is _MISSING else _option(element, given)
        state["selected_option"] = chosen
    elif kind in _MANY_OPTIONS:
        if given is _MISSING:
            state["selected_options"] = copy.deepcopy(element.get("initial_options", []))
        else:
            items = [] if given is None else [given] if isinstance(given, str | tuple) else given
            state["selected_options"] = [_option(element, item) for item in items]
    else:
        raise ValueError(f"unsupported element type {kind!r}")
    return state


def state_values(view: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> dict:
    """``view.state.values`` as Slack would submit it: block_id -> action_id -> element state.

    ``answers`` maps input block_id to a simple value: str / date for text, number and date
    inputs; option value(s) for static selects, radios and checkboxes; (text, value) pair(s)
    for external selects; id(s) for conversation/user pickers; None for empty. Inputs not
    answered keep their element's initial value. Unknown block_ids raise KeyError.
    """
    remaining = dict(answers or {})
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            element, block_id = block["element"], block["block_id"]
            given = remaining.pop(block_id, _MISSING)
            values[block_id] = {element["action_id"]: _element_state(element, given)}
    if remaining:
        raise KeyError(f"no input blocks {sorted(remaining)} in view; it has {sorted(values)}")
    return values


def full_view(view: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> dict:
    """``view`` (as opened, or as the fake returned it) as Slack echoes it, with state ``values``.

    ``values`` defaults to :func:`state_values` with no answers (every initial value).
    """
    result = complete_view(view, view.get("id") or f"V{RUN.upper()}{next(_seq):04d}")
    result["state"] = {"values": dict(values) if values is not None else state_values(result)}
    return result


def _find_block_id(source: Mapping[str, Any] | None, action_id: str, kind: str = "") -> str:
    """The block_id holding ``action_id`` (of a type ending in ``kind``), if unambiguous."""
    found = []
    for block in (source or {}).get("blocks", []):
        for e in (block.get("element"), block.get("accessory"), *block.get("elements", [])):
            if isinstance(e, Mapping) and e.get("action_id") == action_id:
                found += [block.get("block_id")] if str(e.get("type")).endswith(kind) else []
    if len(found) > 1:
        raise ValueError(f"action_id {action_id!r} is in blocks {found}: pass block_id=")
    return found[0] if found else "actions"


def user(user_id: str) -> dict[str, str]:
    """The ``user`` object of interaction payloads."""
    name = f"user.{user_id.lower()}"
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


def _interaction(kind: str, user_id: str, **fields: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = {"type": kind, "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN}}
    envelope["user"] = user(user_id)
    envelope.update(api_app_id=APP_ID, token=VERIFICATION_TOKEN, enterprise=None)
    return {**envelope, "is_enterprise_install": False, **fields}


def _container(
    channel_id: str,
    view: Mapping[str, Any] | None,
    values: Mapping[str, Any] | None = None,
    **message: Any,
) -> dict:
    """Where an action happened: a view (modal / Home tab, with its state `values` so far)
    or a message in a channel."""
    if view is not None:
        completed = full_view(view, values)
        return {"view": completed, "container": {"type": "view", "view_id": completed["id"]}}
    message = {"type": "message", "channel_id": channel_id, "is_ephemeral": False, **message}
    return {"container": message, "channel": {"id": channel_id, "name": "general"}}


def slash_command(
    text: str = "",
    user_id: str = "U0001",
    channel_id: str = "C0001",
    command: str = "/engage",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str | None = None,
    channel_name: str = "general",
) -> dict[str, str]:
    """Slash command form fields (use channel_name="directmessage" for a DM)."""
    fields = {"token": VERIFICATION_TOKEN, "team_id": TEAM_ID, "team_domain": TEAM_DOMAIN}
    fields.update(channel_id=channel_id, channel_name=channel_name, user_id=user_id)
    fields.update(user_name=user(user_id)["username"], command=command, text=text)
    fields.update(api_app_id=APP_ID, is_enterprise_install="false", response_url=response_url)
    return {**fields, "trigger_id": trigger_id or _trigger_id()}


def block_actions(
    action_id: str,
    value: Any = None,
    user_id: str = "U0001",
    channel_id: str = "C0001",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str | None = None,
    *,
    block_id: str | None = None,
    action_type: str = "button",
    view: Mapping[str, Any] | None = None,
    message: Mapping[str, Any] | None = None,
    ephemeral: bool = False,
) -> dict[str, Any]:
    """A block_actions payload for one action (a button click by default).

    Where: ``view=`` a modal/Home tab (no channel, message or response_url then);
    ``ephemeral=True`` an ephemeral message (no ``message``); else ``message`` (default: a
    bot message). Non-button ``action_type``s take ``value`` as :func:`state_values` does.
    block_id defaults to the block holding ``action_id`` in the view/message, else "actions"
    (ValueError if several blocks hold it).
    """
    block_id = block_id or _find_block_id(view or message, action_id)
    action: dict[str, Any] = {"type": action_type, "action_id": action_id, "block_id": block_id}
    if action_type == "button":
        action["text"] = _plain("Button")
        action.update({} if value is None else {"value": str(value)})
    else:  # the element's new state, reported as in view state
        action.update(_element_state({"type": action_type, "action_id": action_id}, value))
    action["action_ts"] = _slack_ts()
    fields: dict[str, Any] = {"trigger_id": trigger_id or _trigger_id(), "actions": [action]}
    msg = {"type": "message", "text": "", "user": BOT_USER_ID, "bot_id": BOT_ID, "blocks": []}
    msg.update({"ts": f"{1700000000 + next(_seq)}.000100", **(message or {})})
    fields.update(_container(channel_id, view, None, message_ts=msg["ts"], is_ephemeral=ephemeral))
    if view is None:
        fields.update({} if ephemeral else {"message": msg})
        fields.update(state={"values": {}}, response_url=response_url)
    return _interaction("block_actions", user_id, **fields)


def view_submission(
    view: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    user_id: str = "U0001",
    trigger_id: str | None = None,
    response_urls: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A view_submission of ``view`` (as the bot opened it, or as the fake returned it).

    ``values`` is the full state values dict, usually :func:`state_values`; by default every
    input keeps its initial value. ``response_urls`` only for response_url_enabled inputs.
    """
    fields = {"trigger_id": trigger_id or _trigger_id(), "response_urls": response_urls or []}
    return _interaction("view_submission", user_id, view=full_view(view, values), **fields)


def view_closed(
    view: Mapping[str, Any], user_id: str = "U0001", is_cleared: bool = False
) -> dict[str, Any]:
    """A view_closed payload (Slack sends it only if the view had notify_on_close)."""
    return _interaction("view_closed", user_id, view=full_view(view), is_cleared=is_cleared)


def global_shortcut(
    callback_id: str, user_id: str = "U0001", trigger_id: str | None = None
) -> dict[str, Any]:
    """A global shortcut (type "shortcut") payload."""
    ids = {"callback_id": callback_id, "trigger_id": trigger_id or _trigger_id()}
    return _interaction("shortcut", user_id, action_ts=_slack_ts(), **ids)


def message_shortcut(
    callback_id: str,
    user_id: str = "U0001",
    channel_id: str = "C0001",
    message_text: str = "",
    message_ts: str = "1700000000.000100",
    message_user: str = "U0002",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A message shortcut (type "message_action") payload for a message in a channel."""
    message = {"type": "message", "user": message_user, "ts": message_ts, "text": message_text}
    fields: dict[str, Any] = {"callback_id": callback_id, "trigger_id": trigger_id or _trigger_id()}
    fields.update(action_ts=_slack_ts(), channel={"id": channel_id, "name": "general"})
    fields.update(message_ts=message_ts, message={**message, "team": TEAM_ID})
    return _interaction("message_action", user_id, response_url=response_url, **fields)


def block_suggestion(
    action_id: str,
    block_id: str | None = None,
    value: str = "",
    user_id: str = "U0001",
    view: Mapping[str, Any] | None = None,
    channel_id: str = "C0001",
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An options load (type "block_suggestion"): ``value`` is the text typed in the select.

    block_id defaults to the external select holding ``action_id`` in ``view`` (else: message);
    ``values`` is the view's state so far (default: every initial value).
    """
    block_id = block_id or _find_block_id(view, action_id, "external_select")
    fields = _container(channel_id, view, values, message_ts="1700000000.000100")
    fields.update(action_id=action_id, block_id=block_id, value=value)
    return _interaction("block_suggestion", user_id, **fields)


def event(event_dict: Mapping[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """An Events API ``event_callback`` envelope around ``event_dict``."""
    now = int(utc_now().timestamp())
    auth = {"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}
    envelope: dict[str, Any] = {"token": VERIFICATION_TOKEN, "team_id": TEAM_ID}
    envelope["context_team_id"] = TEAM_ID
    envelope.update(context_enterprise_id=None, api_app_id=APP_ID, type="event_callback")
    envelope.update(event={"event_ts": f"{now}.000100", **event_dict}, event_time=now)
    envelope.update(event_id=event_id or f"Ev{next(_seq):08d}", is_ext_shared_channel=False)
    envelope["authorizations"] = [{**auth, "is_enterprise_install": False}]
    return {**envelope, "event_context": f"4-{hashlib.sha256(b'%d' % now).hexdigest()[:40]}"}


def app_uninstalled() -> dict[str, Any]:
    """Slack's word that the app was uninstalled from the workspace."""
    return event({"type": "app_uninstalled"})


def tokens_revoked(
    bot: Sequence[str] = (BOT_USER_ID,), oauth: Sequence[str] = ()
) -> dict[str, Any]:
    """Slack's word that tokens were revoked: the bot's (its user id) and people's."""
    return event({"type": "tokens_revoked", "tokens": {"oauth": list(oauth), "bot": list(bot)}})


def app_home_opened(
    user_id: str = "U0001", tab: str = "home", view: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An app_home_opened event; Slack includes ``view`` only once a Home was published."""
    body = {"type": "app_home_opened", "user": user_id, "channel": "D" + user_id[1:], "tab": tab}
    return event(body if view is None else {**body, "view": full_view({"type": "home", **view})})


def _slack_ts() -> str:
    """When Slack says something happened: by the process's clock, as the stand-in's
    message timestamps are (bot/runtime/console/slack_standin.py)."""
    return f"{utc_now().timestamp():.6f}"
