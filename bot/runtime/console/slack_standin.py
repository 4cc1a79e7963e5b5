"""A stand-in for Slack's Web API on localhost: `engagebot console` talks to it instead of
Slack, and so do the tests (stdlib only, with the process's clock).

Point the bot at it with ``SLACK_API_URL=standin.url``. Every call is recorded as a
:class:`SlackCall` and answered as Slack would. The bot works after ``ack()`` on a worker
thread, so tests wait with :meth:`SlackStandIn.wait_for`. The tests' fake Slack
(tests/fake_slack.py) is this, with failures injected through `_refusal` and `_answering`.

Files are uploaded as Slack's external flow has it (``upload_files`` in bot/base/slack_web.py
makes the three calls): ``files.getUploadURLExternal`` gives an ``upload_url`` on the
stand-in itself, the bytes are POSTed there (recorded as method "file_upload"), and
``files.completeUploadExternal`` shares them; :meth:`SlackStandIn.uploaded_files` has them.

Posted messages (with their metadata) are kept per conversation, and
``conversations.history`` answers from them, newest first, a page at a time.

Several workspaces, as OAuth distribution sees them: :meth:`SlackStandIn.install_code` is
the code Slack hands the installer's browser for a workspace, ``oauth.v2.access`` turns it
into that workspace's own bot token, ``auth.test`` answers for the workspace of the token
it is called with, and after :meth:`SlackStandIn.revoke` every call with that workspace's
token answers ``token_revoked``. Any other token is the default workspace's (TEAM_ID).
"""

from __future__ import annotations

import contextlib
import copy
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from storage.clock import utc_now

TEAM_ID = "T0001"
TEAM_NAME = "Test workspace"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0001"
DROP = 0  # a Refusal's `status` that answers nothing and closes the connection

# Args that slack_sdk JSON-encodes into form bodies; decoded so tests see Python objects.
_JSON_ARGS = frozenset(
    {"view", "blocks", "attachments", "metadata", "unfurls", "user_auth_blocks", "files"}
)

Responder = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class SlackCall:
    """One request the fake received: API method (or "response_url"), decoded args, headers.

    Header names are lower-cased. ``response`` is what the fake answered (for inspection);
    ``arrived`` when the request did (``time.monotonic()``).
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    response: Any = None
    arrived: float = field(default_factory=time.monotonic)


@dataclass
class UploadedFile:
    """A file shared by files.completeUploadExternal: its bytes, and where it was shared
    (``channel`` None: a private file, shared nowhere)."""

    file_id: str
    filename: str
    title: str
    content: bytes
    channel: str | None
    initial_comment: str | None


@dataclass
class _Upload:
    filename: str
    content: bytes | None = None  # None until the bytes are POSTed to the upload URL


@dataclass(frozen=True)
class Refusal:
    """How a call is answered instead of as Slack would: `status` (DROP: no answer at all),
    `headers`, and `error` (the Web API's "error", or the whole body elsewhere)."""

    error: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Workspace:
    team_id: str
    team_name: str

    @property
    def bot_user_id(self) -> str:
        return f"UBOT{self.team_id[1:]}"

    @property
    def bot_id(self) -> str:
        return f"BBOT{self.team_id[1:]}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a scheduler's threads connect at once
    fake: SlackStandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    do_GET = do_POST  # slack_sdk always POSTs, but GET with a query string is legal too

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


def _parse_args(query: str, raw: bytes, content_type: str) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        args.update(json.loads(raw or b"{}"))
    elif raw:
        args.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in _JSON_ARGS & args.keys():
        if isinstance(args[key], str):
            with contextlib.suppress(ValueError):  # not JSON after all: keep it as sent
                args[key] = json.loads(args[key])
    return args


def _token(headers: Mapping[str, str], args: Mapping[str, Any]) -> str | None:
    """The token a Web API call was made with (slack_sdk sends it as a bearer header)."""
    bearer = headers.get("authorization", "")
    if bearer.startswith("Bearer "):
        return bearer[len("Bearer ") :]
    return str(args["token"]) if args.get("token") else None


def with_block_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`blocks` as Slack keeps them once posted or opened: a block sent without a block_id
    gets one Slack makes up, so that buttons with the same action_id in several blocks are
    still told apart by the block they are in."""
    return [
        block if block.get("block_id") else {**block, "block_id": secrets.token_urlsafe(4)}
        for block in blocks
    ]


def complete_view(view: Mapping[str, Any], view_id: str) -> dict[str, Any]:
    """``view`` as an app sends it, plus the fields Slack adds (id, team_id, app_id, ...)."""
    result: dict[str, Any] = dict.fromkeys(("private_metadata", "callback_id", "external_id"), "")
    result.update(type="modal", blocks=[], clear_on_close=False, notify_on_close=False)
    result.update(previous_view_id=None, root_view_id=view_id, app_id=APP_ID, bot_id=BOT_ID)
    result.update(copy.deepcopy(dict(view)), id=view_id, team_id=TEAM_ID)
    result.update(app_installed_team_id=TEAM_ID)
    result.setdefault("state", {"values": {}})
    result.setdefault("hash", f"1700000000.{view_id.lower()}")
    return result


class SlackStandIn:
    """Fake Slack Web API + response_url endpoint, bound to 127.0.0.1 on a free port."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[SlackCall] = []
        self._overrides: dict[str, Responder] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._uploads: dict[str, _Upload] = {}
        self._shared_files: list[UploadedFile] = []
        self._history: dict[str, list[dict[str, Any]]] = {}  # conversation -> its messages
        self._codes: dict[str, _Workspace] = {}  # install codes not yet exchanged
        self._tokens: dict[str, _Workspace] = {}  # bot tokens oauth.v2.access gave out
        self._revoked: set[str] = set()
        self._seq = 0
        self._last_ts_micros = 0
        # Ids a run makes must not repeat an earlier run's (the console keeps its database).
        self._run = secrets.token_hex(3).upper()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._canned: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "api.test": lambda a: {"ok": True, "args": a},
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_access,
            "apps.connections.open": lambda a: {"ok": True, "url": "ws://127.0.0.1:1/"},
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "chat.postMessage": self._post_message,
            "chat.update": self._post_message,
            "chat.postEphemeral": lambda a: {"ok": True, "message_ts": self._next_ts()},
            "chat.delete": lambda a: {"ok": True, "channel": a.get("channel"), "ts": a.get("ts")},
            "chat.getPermalink": self._permalink,
            "users.info": lambda a: {"ok": True, "user": self._user(a["user"])},
            "conversations.info": lambda a: {"ok": True, "channel": self._channel(a["channel"])},
            "conversations.join": lambda a: {"ok": True, "channel": self._channel(a["channel"])},
            "conversations.open": self._open_dm,
            "conversations.history": self._conversation_history,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    def start(self) -> Self:
        """Start serving in a daemon thread; returns self."""
        self._server = server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        # A short poll interval makes stop() quick (the default 0.5s adds up over a suite).
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """Web API base URL, what SLACK_API_URL / WebClient(base_url=...) should be."""
        return self.base_url + "/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url whose POSTs are recorded as method "response_url" with args["_name"]."""
        return f"{self.base_url}/response/{name}"

    def calls(self, method: str | None = None) -> list[SlackCall]:
        """Recorded calls in arrival order, optionally only those of one method."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def uploaded_files(self) -> list[UploadedFile]:
        """Files shared by files.completeUploadExternal, in the order they were."""
        with self._lock:
            return list(self._shared_files)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[SlackCall]:
        """Poll until at least ``count`` calls of ``method`` arrived; return all of them.

        Raises AssertionError listing every call seen if the count isn't reached in time.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"expected {count} {method!r} call(s) within {timeout}s, got {len(found)}."
                    f" Calls seen:\n{self.describe()}"
                )
            time.sleep(0.01)

    def describe(self) -> str:
        """A one-line-per-call listing of everything recorded (for assertion messages)."""
        lines = [f"  {c.method} {json.dumps(c.args, default=str)[:300]}" for c in self.calls()]
        return "\n".join(lines) or "  (none)"

    def reset(self) -> None:
        """Forget the calls recorded and the files uploaded."""
        with self._lock:
            self._calls.clear()
            self._uploads.clear()
            self._shared_files.clear()

    def install_code(self, team_id: str, team_name: str) -> str:
        """The code Slack sends the installer back with, once they allow the app into
        workspace `team_id`; ``oauth.v2.access`` exchanges it (once) for a bot token."""
        code = f"code-{team_id}-{self._next()}"
        with self._lock:
            self._codes[code] = _Workspace(team_id, team_name)
        return code

    def bot_token(self, team_id: str) -> str:
        """The bot token ``oauth.v2.access`` last gave workspace `team_id`."""
        with self._lock:
            tokens = [token for token, ws in self._tokens.items() if ws.team_id == team_id]
        if not tokens:
            raise AssertionError(f"no bot token was given to {team_id}")
        return tokens[-1]

    def revoke(self, team_id: str) -> None:
        """The app leaves workspace `team_id`: its tokens answer token_revoked from now on."""
        with self._lock:
            self._revoked.update(t for t, ws in self._tokens.items() if ws.team_id == team_id)

    def set_response(self, method: str, payload: Responder) -> None:
        """Override the canned answer for ``method`` (a dict, or a callable taking the args)."""
        with self._lock:
            self._overrides[method] = payload

    def set_user(self, user_id: str, **fields: Any) -> None:
        """Customise what users.info returns for ``user_id`` (e.g. tz=..., is_admin=True)."""
        with self._lock:
            self._users.setdefault(user_id, {}).update(fields)

    def set_channel(self, channel_id: str, **fields: Any) -> None:
        """Customise what conversations.info returns for ``channel_id``."""
        with self._lock:
            self._channels.setdefault(channel_id, {}).update(fields)

    def _handle(self, handler: _Handler) -> None:
        arrived = time.monotonic()
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        extra: dict[str, str] = {}
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :]
            args = _parse_args(parts.query, raw, headers.get("content-type", ""))
            token = _token(headers, args)
            status, extra, payload = self._answer(method, args, token)
            body, ctype = json.dumps(payload).encode(), "application/json; charset=utf-8"
        elif parts.path.startswith("/response/"):
            method = "response_url"
            args = {**json.loads(raw or b"{}"), "_name": parts.path[len("/response/") :]}
            refusal = self._refusal(method, args)
            status, payload = (refusal.status, refusal.error) if refusal else (200, "ok")
            extra = refusal.headers if refusal else {}
            body, ctype = payload.encode(), "text/html"
        elif parts.path.startswith("/upload/"):
            method = "file_upload"
            status, extra, payload, args = self._receive_upload(parts.path[len("/upload/") :], raw)
            body, ctype = payload.encode(), "text/plain; charset=utf-8"
        else:
            handler.send_error(404)
            return
        with self._lock:
            self._calls.append(SlackCall(method, args, headers, payload, arrived))
        if status == DROP or not self._answering(method, args):
            handler.close_connection = True  # no answer at all, as when the network fails
            return
        with contextlib.suppress(OSError):  # a caller gone meanwhile hears nothing
            handler.send_response(status)
            for name, value in {"Content-Type": ctype, **extra}.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

    def _refusal(self, method: str, args: Mapping[str, Any]) -> Refusal | None:
        """How to refuse this call rather than do it; None: do it and answer as Slack would."""
        return None

    def _answering(self, method: str, args: Mapping[str, Any]) -> bool:
        """Once the call is done and recorded, before its answer: whether to send it (False
        closes the connection unanswered)."""
        return True

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], Any]:
        refusal = self._refusal(method, args)
        if refusal is not None:
            return refusal.status, refusal.headers, {"ok": False, "error": refusal.error}
        with self._lock:
            revoked = token in self._revoked
            workspace = self._tokens.get(token or "")
        if revoked:
            return 200, {}, {"ok": False, "error": "token_revoked"}
        if method == "auth.test" and workspace is not None:
            return 200, {}, self._auth_test(args, workspace)
        with self._lock:
            override = self._overrides.get(method)
        if override is not None:
            return 200, {}, override(args) if callable(override) else copy.deepcopy(override)
        canned = self._canned.get(method)
        if canned is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        try:
            return 200, {}, canned(args)
        except KeyError as missing:  # a required arg was not sent
            return 200, {}, {"ok": False, "error": f"missing_argument:{missing.args[0]}"}

    def _next(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def _next_ts(self) -> str:
        """A message ts as Slack makes them: when it was posted, never the same twice. By
        the process's clock, as the bot's: a moved clock (the console's, a test's) moves
        Slack's with it, so "posted since the claim" means the same to both."""
        self._next()  # ids the fake makes count every ts too
        now = utc_now()
        with self._lock:
            micros = max(
                int(now.timestamp()) * 1_000_000 + now.microsecond, self._last_ts_micros + 1
            )
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _auth_test(
        self, args: dict[str, Any], workspace: _Workspace | None = None
    ) -> dict[str, Any]:
        if workspace is None:  # the default workspace's token (or any unknown one)
            team, team_id, user_id, bot_id = TEAM_NAME, TEAM_ID, BOT_USER_ID, BOT_ID
        else:
            team, team_id = workspace.team_name, workspace.team_id
            user_id, bot_id = workspace.bot_user_id, workspace.bot_id
        answer = {"ok": True, "url": f"https://{team_id.lower()}.slack.com/", "team": team}
        answer.update(user="engagebot", team_id=team_id, user_id=user_id, bot_id=bot_id)
        return {**answer, "is_enterprise_install": False}

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """Exchange an install code for the workspace's bot token, as oauth.v2.access does."""
        with self._lock:
            workspace = self._codes.pop(str(args.get("code")), None)
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        token = f"xoxb-{workspace.team_id}-{secrets.token_hex(6)}"
        with self._lock:
            self._tokens[token] = workspace
        answer = {"ok": True, "access_token": token, "token_type": "bot", "app_id": APP_ID}
        answer["scope"] = "commands,chat:write"
        answer.update(bot_user_id=workspace.bot_user_id, enterprise=None)
        answer.update(team={"id": workspace.team_id, "name": workspace.team_name})
        return {**answer, "authed_user": {"id": "UINSTALLER"}, "is_enterprise_install": False}

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        view = dict(args["view"])
        if args.get("view_id"):  # views.update keeps the view's id
            view_id = str(args["view_id"])
        elif "user_id" in args:  # views.publish: one Home tab per user
            fresh = f"V{self._run}{self._next():04d}"
            with self._lock:
                view_id = self._home_views.setdefault(str(args["user_id"]), fresh)
        else:
            view_id = f"V{self._run}{self._next():04d}"
        result = complete_view(view, view_id)
        result.update(state={"values": {}}, hash=f"1700000000.{self._next():08x}")
        return {"ok": True, "view": result}

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        if channel[:1] in ("U", "W"):  # posting to a user id lands in the DM with them
            channel = "D" + channel[1:]
        ts = str(args.get("ts") or self._next_ts())  # chat.update keeps the ts
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
        message.update(
            {k: args[k] for k in ("text", "blocks", "thread_ts", "metadata") if k in args}
        )
        with self._lock:
            kept = self._history.setdefault(channel, [])
            edited = next((old for old in kept if old["ts"] == ts), None) if "ts" in args else None
            if edited is None:
                kept.append(copy.deepcopy(message))
            else:  # an edit keeps what it does not replace, metadata included
                edited.update(copy.deepcopy(message))
        answer = {"ok": True, "channel": channel, "ts": ts, "text": args.get("text")}
        return {**answer, "message": message}

    def _conversation_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Messages posted to a conversation after ``oldest``, newest first, paged by
        ``cursor``; their metadata only with ``include_all_metadata``."""
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        with self._lock:
            kept = self._history.get(str(args["channel"]), [])
            newer = [copy.deepcopy(m) for m in reversed(kept) if float(m["ts"]) > oldest]
        page = newer[start : start + limit]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            for message in page:
                message.pop("metadata", None)
        more = start + limit < len(newer)
        cursor = str(start + limit) if more else ""
        answer = {"ok": True, "messages": page, "has_more": more}
        return {**answer, "response_metadata": {"next_cursor": cursor}}

    def _permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args["channel"], str(args["message_ts"])
        link = f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _user(self, user_id: str) -> dict[str, Any]:
        name = f"user.{user_id.lower()}"
        real_name = f"Test User {user_id}"
        user: dict[str, Any] = {"id": user_id, "team_id": TEAM_ID, "name": name}
        user.update(real_name=real_name, tz="Europe/London", tz_offset=0, deleted=False)
        user.update(is_admin=False, is_owner=False, is_bot=False)
        user["profile"] = {"real_name": real_name, "display_name": name}
        with self._lock:
            user.update(copy.deepcopy(self._users.get(user_id, {})))
        return user

    def _channel(self, channel_id: str) -> dict[str, Any]:
        channel: dict[str, Any] = {"id": channel_id, "name": f"channel-{channel_id.lower()}"}
        channel.update(is_channel=True, is_private=False, is_archived=False, is_member=True)
        with self._lock:
            channel.update(copy.deepcopy(self._channels.get(channel_id, {})))
        return channel

    def _open_dm(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args["users"]).split(",")[0]
        return {"ok": True, "channel": {"id": "D" + user_id[1:], "is_im": True, "user": user_id}}

    def _upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, _length = str(args["filename"]), int(args["length"])
        file_id = f"F{self._run}{self._next():04d}"
        with self._lock:
            self._uploads[file_id] = _Upload(filename)
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _receive_upload(
        self, file_id: str, raw: bytes
    ) -> tuple[int, dict[str, str], str, dict[str, Any]]:
        """The upload URL's answer to the POSTed bytes: status, headers, body, recorded args."""
        args: dict[str, Any] = {"_file_id": file_id, "_bytes": len(raw)}
        refusal = self._refusal("file_upload", args)
        if refusal is not None:
            return refusal.status, refusal.headers, refusal.error, args
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return 404, {}, "file_not_found", args
            upload.content = raw
        return 200, {}, f"OK - {len(raw)}", args

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = args["files"]
        channel = args.get("channel_id") or None
        shared: list[UploadedFile] = []
        with self._lock:
            for entry in wanted:
                upload = self._uploads.get(str(entry.get("id")))
                if upload is None or upload.content is None:
                    return {"ok": False, "error": "file_not_found"}
                title = str(entry.get("title") or upload.filename)
                shared.append(
                    UploadedFile(
                        entry["id"], upload.filename, title, upload.content, channel,
                        args.get("initial_comment"),
                    )
                )  # fmt: skip
            self._shared_files += shared
        return {"ok": True, "files": [self._file_object(file) for file in shared]}

    def _file_object(self, file: UploadedFile) -> dict[str, Any]:
        where: dict[str, list[str]] = {"channels": [], "groups": [], "ims": []}
        if file.channel:
            where["ims" if file.channel.startswith("D") else "channels"].append(file.channel)
        link = f"https://test.slack.com/files/{BOT_USER_ID}/{file.file_id}/{file.filename}"
        answer: dict[str, Any] = {"id": file.file_id, "name": file.filename, "title": file.title}
        answer.update(size=len(file.content), user=BOT_USER_ID, permalink=link)
        return {**answer, **where}
