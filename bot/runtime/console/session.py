"""`engagebot console`: the real Bolt app, listeners and storage, with Slack replaced by a
stand-in in this process. What the person types becomes the payloads Slack would send;
what the bot sends to Slack's Web API is shown in the terminal."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bot.base.clock import duration_words
from bot.base.config import Settings
from bot.base.mail import Email
from bot.base.text import escape_mrkdwn
from bot.runtime.app import build_app, build_scheduler
from bot.runtime.console import payloads
from bot.runtime.console.bolt_driver import BoltDriver, TrackedExecutor
from bot.runtime.console.forms import Directory, FieldAsker, FormCancelled, initial_answer
from bot.runtime.console.mailbox import Mailbox, email_text
from bot.runtime.console.public_site import ConsoleSite
from bot.runtime.console.render import Choice, render_blocks, render_modal_header
from bot.runtime.console.saved_files import files_folder, save_privately
from bot.runtime.console.slack_standin import SlackStandIn, with_block_ids
from bot.runtime.console.terminal import InputClosed, Interrupted, Terminal
from handlers.listeners import COMMAND
from storage.clock import CLOCK, utc_now
from storage.console import (
    console_clock_ahead,
    identity_for,
    identity_names,
    keep_console_clock,
)
from storage.database import Database
from storage.migrate import upgrade

HELP = """\
Type what you would type in Slack:
  /engage ...                  a slash command (try /engage help)
  any other text               a message from you in the current channel
Console commands:
  :click N                     press button or pick menu option N
  :home                        open engagebot's App Home tab
  :shortcut log_engagement     run the global shortcut
  :shortcut record_feedback N  run the message shortcut on message N
  :as NAME                     become another person (a Slack username: bob.smith)
  :in #CHANNEL                 move to another channel
  :read [#CHANNEL]             show a channel's messages
  :messages                    show your direct messages from engagebot
  :mail                        show the emails engagebot would have sent
  :tick                        run the scheduler's due work now
  :time +7d                    move the clock forward (d, h or w) and run what fell due
  :help                        this help
  :quit                        leave (Ctrl-D works too)
In a form: Enter keeps the value shown in [brackets], '-' empties a field,
'?' lists a search's options, channels are typed as #name (several: #a, #b),
:cancel closes the form unsaved."""

CHANNEL_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")  # Slack's rule for channel names
PERSON_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,20}")  # and for usernames
SAY_WHO = "Say who, as Slack names people: :as bob.smith (letters, digits, '.', '-' and '_')"
SAY_WHERE = "Say where, as Slack names channels: :in #prices-team"
TIME_STEP = re.compile(r"^\+(\d+)([hdw])$")
UNITS = {"h": "hours", "d": "days", "w": "weeks"}
# How far `:time` moves: past these, dates overflow, and the database could never open again.
TIME_STEP_MAX = timedelta(weeks=52)
TIME_AHEAD_MAX = timedelta(days=5 * 365)


@dataclass(frozen=True)
class Origin:
    """Where a button was shown, so a click is reported to the app as Slack would."""

    channel_id: str | None = None
    message: dict[str, Any] | None = None  # a channel message
    view: dict[str, Any] | None = None  # the Home tab
    ephemeral: bool = False
    visible_to: str | None = None  # an ephemeral message's only reader


@dataclass(frozen=True)
class ChannelMessage:
    number: int
    channel_id: str
    author: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    edited: bool = False


class Console:
    def __init__(self, settings: Settings, terminal: Terminal, user: str, channel: str) -> None:
        # Refused before the stand-in and the database start, so nothing is left running.
        person_name(user)
        channel_name(channel)
        self.terminal = terminal
        self.slack = SlackStandIn().start()
        self.settings = settings.model_copy(
            update={
                "slack_api_url": self.slack.url,
                "bot_token": "xoxb-console",
                "signing_secret": BoltDriver.signing_secret,
                "app_token": None,
                # The console is the single workspace, whatever a deployment's .env distributes.
                "client_id": None,
                "client_secret": None,
                "channel_pace_seconds": 0.0,  # the stand-in has no rate limit to respect
                # One post at a time: the transcript numbers messages in the order they came.
                "sending_threads": 1,
                # Signs the forms of the site beside it, and the links in the emails it shows.
                "secret_key": settings.secret_key or secrets.token_urlsafe(32),
            }
        )
        upgrade(settings.database_url)
        self.database = Database(settings.database_url)
        # The clock goes on from where this database's last run moved it (see `_cmd_time`).
        with self.database.transaction() as session:
            self.clock_ahead = console_clock_ahead(session=session)
        CLOCK.move_by(self.clock_ahead)
        self.executor = TrackedExecutor()
        # The public site beside it; its address is the one pages and emails link to.
        self.site = ConsoleSite(self.database, self.settings)
        self.settings = self.settings.model_copy(update={"public_url": self.site.url})
        # Email, whatever the settings say, goes only to the console's mailbox (`:mail`).
        self.mailbox = Mailbox()
        self.emails_seen = 0
        self.scheduler = build_scheduler(
            self.settings, self.database, mail=self.mailbox.service(self.settings)
        )
        app = build_app(self.settings, self.database, self.executor, self.scheduler)
        self.bot = BoltDriver(app, self.executor)
        self.seen_calls = 0
        self.choices: dict[int, tuple[Choice, Origin]] = {}
        self.messages: list[ChannelMessage] = []
        self.read_direct_messages: set[int] = set()  # numbers of those shown to their reader
        self.response_urls: dict[str, str] = {}  # response_url name -> channel id
        self.home_views: dict[str, dict[str, Any]] = {}
        self.user_id = self.user_name = self.channel_id = self.channel_name = ""
        self._channels = Directory(
            id_of=self._channel_id,
            name_of=lambda channel_id: self._names().get(channel_id, channel_id),
            names=lambda: sorted(n for i, n in self._names().items() if i.startswith("C")),
        )
        self._people = Directory(
            id_of=self._user_id_of,
            name_of=lambda user_id: self._names().get(user_id, user_id),
            names=lambda: sorted(n for i, n in self._names().items() if i.startswith("U")),
            sigil="@",
        )
        for known_id, known_name in self._names().items():  # met in an earlier run
            if known_id.startswith("U"):
                self._introduce(known_id, known_name)
        self._become(user)
        self._move(channel)

    # --- the loop ---------------------------------------------------------------------

    def run(self) -> None:
        self.terminal.say(
            f"engagebot console: you are @{self.user_name} in #{self.channel_name}. "
            "Type :help for help, :quit to leave."
        )
        self.terminal.say(self._clock_reading())
        self.terminal.say(f"The public site: {self.site.url} (open it in a browser).")
        try:
            while True:
                try:
                    line = self.terminal.ask(f"@{self.user_name} #{self.channel_name}> ")
                except Interrupted:
                    self.terminal.say("(Ctrl-C: the line was dropped; :quit or Ctrl-D leaves)")
                    continue
                if line in (":quit", ":q", ":exit"):
                    break
                if line:
                    self.handle(line)
        except InputClosed:
            self.terminal.say()
        finally:
            self.close()

    def handle(self, line: str) -> None:
        """Act on one line the person typed."""
        if line.startswith(":"):
            name, _, args = line[1:].partition(" ")
            action = getattr(self, f"_cmd_{name}", None)
            if action is None:
                self.terminal.say(f"Unknown console command :{name}. Type :help.")
            else:
                action(args.strip())
        elif line.startswith("/"):
            self._slash_command(line)
        else:
            self._post_message(self.user_name, line, [])

    def close(self) -> None:
        self.site.stop()
        self.executor.shutdown(wait=True)
        CLOCK.move_by(-self.clock_ahead)
        self.slack.stop()
        self.database.dispose()
        self.terminal.close()

    # --- what the person can do -------------------------------------------------------

    def _slash_command(self, line: str) -> None:
        command, _, text = line.partition(" ")
        if command != COMMAND:
            self.terminal.say(f"{command} is not a command here; engagebot answers {COMMAND}.")
            return
        self._send(
            payloads.slash_command(
                text.strip(),
                user_id=self.user_id,
                channel_id=self.channel_id,
                channel_name=self.channel_name,
                response_url=self._response_url(),
            )
        )

    def _cmd_help(self, _args: str) -> None:
        self.terminal.say(HELP)

    def _cmd_as(self, name: str) -> None:
        try:
            self._become(name)
        except ValueError:
            self.terminal.say(SAY_WHO)
            return
        self.terminal.say(f"You are now @{self.user_name}.")
        for message in self._direct_messages():
            if message.number not in self.read_direct_messages:
                self._show_message(message)

    def _cmd_messages(self, _args: str) -> None:
        shown = self._direct_messages()
        if not shown:
            self.terminal.say("engagebot has sent you no direct messages yet.")
        for message in shown:
            self._show_message(message)

    def _cmd_mail(self, _args: str) -> None:
        if not self.mailbox.sent:
            self.terminal.say("engagebot would have sent no email yet.")
        for email in self.mailbox.sent:
            self._show_email(email)

    def _show_email(self, email: Email) -> None:
        self.terminal.say(f"── email from engagebot ──\n{email_text(email)}")

    def _cmd_in(self, name: str) -> None:
        try:
            self._move(name)
        except ValueError:
            self.terminal.say(SAY_WHERE)
            return
        self.terminal.say(f"You are now in #{self.channel_name}.")

    def _cmd_read(self, name: str) -> None:
        try:
            channel_id = self._channel_id(name) if name.lstrip("#") else self.channel_id
        except ValueError:
            self.terminal.say("Say which channel, as Slack names channels: :read #prices-team")
            return
        shown = [message for message in self.messages if message.channel_id == channel_id]
        if not shown:
            self.terminal.say("No messages there yet.")
        for message in shown:
            self._show_message(message)

    def _cmd_home(self, _args: str) -> None:
        self._send(payloads.app_home_opened(self.user_id))
        view = self.home_views.get(self.user_id)
        if view is None:
            self.terminal.say("engagebot published no Home tab.")
            return
        self._show_blocks("── Home ──", view.get("blocks", []), "", Origin(view=view))

    def _cmd_shortcut(self, args: str) -> None:
        callback_id, _, number = args.partition(" ")
        if callback_id == "log_engagement":
            self._send(payloads.global_shortcut(callback_id, user_id=self.user_id))
        elif callback_id == "record_feedback":
            message = next((m for m in self.messages if str(m.number) == number.strip()), None)
            if message is None:
                self.terminal.say(
                    "Give the number of a message shown earlier: :shortcut record_feedback 3"
                )
                return
            self._send(
                payloads.message_shortcut(
                    callback_id,
                    user_id=self.user_id,
                    channel_id=message.channel_id,
                    # Slack escapes message text in payloads; the app expects that.
                    message_text=escape_mrkdwn(message.text),
                    message_ts=message.ts,
                    message_user=self._user_id_of(message.author),
                    response_url=self._response_url(message.channel_id),
                )
            )
        else:
            self.terminal.say("Shortcuts: log_engagement, record_feedback N")

    def _cmd_click(self, args: str) -> None:
        found = self.choices.get(int(args)) if args.isdigit() else None
        if found is None:
            self.terminal.say("Give the number of a button shown earlier: :click 2")
            return
        choice, origin = found
        if origin.visible_to is not None and origin.visible_to != self.user_id:
            owner = self._names().get(origin.visible_to, origin.visible_to)
            self.terminal.say(f"That message was only visible to @{owner}.")
            return
        action = choice.action
        if "confirm" in action and not self._confirmed(action["confirm"]):
            self.terminal.say("Nothing was done.")
            return
        selected = action.get("selected_option")
        value = (selected["text"]["text"], selected["value"]) if selected else action.get("value")
        self._send(
            payloads.block_actions(
                action["action_id"],
                value,
                user_id=self.user_id,
                channel_id=origin.channel_id or self.channel_id,
                response_url=self._response_url(origin.channel_id),
                block_id=choice.block_id,
                action_type=action["type"],
                view=origin.view,
                message=origin.message,
                ephemeral=origin.ephemeral,
            )
        )

    def _confirmed(self, dialog: dict[str, Any]) -> bool:
        """Slack's "Are you sure?" before a button acts: its title and text, then yes or no."""
        self.terminal.say(f"{dialog['title']['text']} {dialog['text']['text']}")
        answer = self.terminal.ask(f"{dialog['confirm']['text']}? (y/n) ")
        return answer.lower() in ("y", "yes")

    def _cmd_tick(self, _args: str) -> None:
        self._run_due_work()

    def _cmd_time(self, args: str) -> None:
        step = TIME_STEP.match(args)
        if step is None:
            self.terminal.say("Move the clock forward like this: :time +7d (or +3h, +2w)")
            return
        # Capped before it is a timedelta, which a huge number would overflow: any count
        # capped so is still over the limit, and refused.
        step_by = timedelta(**{UNITS[step[2]]: min(int(step[1]), TIME_STEP_MAX.days * 24)})
        if step_by > TIME_STEP_MAX or self.clock_ahead + step_by > TIME_AHEAD_MAX:
            self.terminal.say(
                "The clock moves at most a year at a time (:time +52w), and at most "
                f"{TIME_AHEAD_MAX.days // 365} years ahead of real time in all."
            )
            return
        # Kept with the database: its records and deliveries were made at the moved time, so
        # the next run must not go back before them.
        with self.database.transaction() as session:
            keep_console_clock(session=session, ahead=self.clock_ahead + step_by)
        self.clock_ahead += step_by
        CLOCK.move_by(step_by)
        self.terminal.say(self._clock_reading())
        self._run_due_work()

    def _clock_reading(self) -> str:
        moment = utc_now().astimezone(self.settings.timezone)
        reading = f"The console's clock reads {moment:%a %d %b %Y %H:%M %Z}"
        if not self.clock_ahead:
            return reading + "."
        return (
            f"{reading}: {duration_words(self.clock_ahead)} ahead of real time "
            "(moved with :time, and kept with this database)."
        )

    def _run_due_work(self) -> None:
        outcome = self.scheduler.tick(utc_now())
        why = " (`engagebot deliveries --skipped` says why)" if outcome.skipped else ""
        self.terminal.say(f"Ran the scheduler: {outcome}.{why}")
        self._show_new_calls()

    # --- talking to the app -----------------------------------------------------------

    def _send(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        answer = self.bot.send(payload)
        self._show_new_calls()
        return answer

    def _show_new_calls(self) -> None:
        """Show what the bot sent to Slack since last time; fill the forms it opened."""
        calls = self.slack.calls()[self.seen_calls :]
        self.seen_calls += len(calls)
        opened = []
        for call in calls:
            blocks = with_block_ids(call.args.get("blocks", []))
            if call.method == "response_url":
                channel_id = self.response_urls.get(call.args["_name"], self.channel_id)
                self._show_blocks(
                    "(only visible to you)"
                    + (" replacing the message above" if call.args.get("replace_original") else ""),
                    blocks,
                    call.args.get("text", ""),
                    Origin(channel_id=channel_id, ephemeral=True, visible_to=self.user_id),
                )
            elif call.method == "chat.postMessage":
                self._post_message(
                    "engagebot",
                    call.args.get("text", ""),
                    blocks,
                    call.response["channel"],
                    call.response["ts"],
                )
            elif call.method == "chat.update":
                self._edit_message(
                    call.response["channel"], call.response["ts"], call.args.get("text", ""), blocks
                )
            elif call.method == "files.completeUploadExternal" and call.response.get("ok"):
                self._show_files([file["id"] for file in call.response["files"]])
            elif call.method in ("views.open", "views.push"):
                opened.append(_view_with_block_ids(call.response["view"]))
            elif call.method == "views.publish":
                self.home_views[call.args["user_id"]] = _view_with_block_ids(call.response["view"])
        for email in self.mailbox.since(self.emails_seen):
            self.emails_seen += 1
            self._show_email(email)
        for view in opened:
            self._fill(view)

    def _show_files(self, file_ids: list[str]) -> None:
        """Files the bot shared (an export, a chart): saved where the person alone can open
        them (`saved_files.py`)."""
        for file in self.slack.uploaded_files():
            if file.file_id not in file_ids:
                continue
            if file.channel is None:  # uploaded to be shown in a message (a chart)
                shared = "uploaded a file for a message"
            elif file.channel.startswith("D"):
                shared = "shared a file in your direct messages"
            else:
                shared = f"shared a file in #{self._names().get(file.channel, file.channel)}"
            try:
                path = save_privately(
                    files_folder(), f"{file.file_id}-{Path(file.filename).name}", file.content
                )
            except OSError as error:
                saved = f"which could not be saved ({error})"
            else:
                saved = f"saved as {path}"
            self.terminal.say(
                f"engagebot {shared}: {file.title} ({len(file.content):,} bytes), {saved}"
            )

    def _fill(self, view: dict[str, Any] | None) -> None:
        """Ask a modal's fields, submit it, and follow what the app answers."""
        while view is not None:
            inputs = [block for block in view.get("blocks", []) if block["type"] == "input"]
            others = [block for block in view.get("blocks", []) if block["type"] != "input"]
            if others or not inputs:
                self._show_blocks(render_modal_header(view), others, "", Origin(view=view))
            if not inputs:
                return
            if inputs and not others:
                self.terminal.say(render_modal_header(view))
            answers = {block["block_id"]: initial_answer(block["element"]) for block in inputs}
            asker = FieldAsker(
                self.terminal,
                partial(self._load_options, view, answers),
                self._channels,
                self._people,
                CONSOLE_COMMANDS,
            )
            asking = inputs
            while True:
                try:
                    for block in asking:
                        answers[block["block_id"]] = asker.ask(block, answers[block["block_id"]])
                except FormCancelled:
                    self.terminal.say("(form cancelled; nothing was sent)")
                    return
                ack = self._send(
                    payloads.view_submission(
                        view, payloads.state_values(view, answers), user_id=self.user_id
                    )
                )
                if not ack or ack.get("response_action") != "errors":
                    break
                errors = ack["errors"]
                for block in inputs:
                    if block["block_id"] in errors:
                        self.terminal.say(
                            f"  ! {block['label']['text']}: {errors[block['block_id']]}"
                        )
                asking = [block for block in inputs if block["block_id"] in errors]
            action = (ack or {}).get("response_action")
            # mypy: views.update and views.push acknowledge with the view.
            view = ack["view"] if action in ("update", "push") else None  # type: ignore[index]

    def _load_options(
        self, view: dict[str, Any], answers: dict[str, Any], block: dict[str, Any], query: str
    ) -> list[dict[str, Any]]:
        answer = self.bot.send(
            payloads.block_suggestion(
                block["element"]["action_id"],
                block_id=block["block_id"],
                value=query,
                user_id=self.user_id,
                view=view,
                values=payloads.state_values(view, answers),
            )
        )
        answer = answer or {}
        groups = answer.get("option_groups") or [{"options": answer.get("options", [])}]
        return [option for group in groups for option in group["options"]]

    # --- people, channels, messages ----------------------------------------------------

    def _become(self, name: str) -> None:
        self.user_id = self._person_id(name)
        self.user_name = person_name(name)

    def _introduce(self, user_id: str, name: str) -> None:
        """Tell the stand-in about a person, so Slack's users.info knows their name. The
        console is one's own workspace: everyone in it is an admin, so a fresh database lets
        them create teams and do everything (bot/people/permissions.py)."""
        self.slack.set_user(user_id, name=name, real_name=name, is_admin=True)

    def _move(self, name: str) -> None:
        self.channel_name = channel_name(name)
        self.channel_id = self._channel_id(self.channel_name)

    def _channel_id(self, typed: str) -> str:
        """The id of the channel `typed` names; ValueError if Slack would refuse the name."""
        name = channel_name(typed)
        channel_id = self._identity("channel", name)
        self.slack.set_channel(channel_id, name=name)
        return channel_id

    def _user_id_of(self, typed: str) -> str:
        """The id of the person `typed` names; ValueError if Slack would refuse the name."""
        return "UBOT" if person_name(typed) == "engagebot" else self._person_id(typed)

    def _person_id(self, typed: str) -> str:
        """The id of the person `typed` names, whom the stand-in then knows too."""
        name = person_name(typed)
        user_id = self._identity("user", name)
        self._introduce(user_id, name)
        return user_id

    def _identity(self, kind: str, name: str) -> str:
        with self.database.transaction() as session:
            return identity_for(session=session, kind=kind, name=name).slack_id

    def _response_url(self, channel_id: str | None = None) -> str:
        name = f"r{len(self.response_urls) + 1}"
        self.response_urls[name] = channel_id or self.channel_id
        return self.slack.response_url(name)

    def _post_message(
        self,
        author: str,
        text: str,
        blocks: list[dict[str, Any]],
        channel_id: str | None = None,
        ts: str | None = None,
    ) -> None:
        number = len(self.messages) + 1
        message = ChannelMessage(
            number,
            channel_id or self.channel_id,
            author,
            ts or self._next_ts(),
            text,
            blocks,
        )
        self.messages.append(message)
        if author == self.user_name:  # their own line is already on screen: just number it
            self.terminal.say(f"  (message {number})")
        else:
            self._announce(message)

    def _edit_message(
        self, channel_id: str, ts: str, text: str, blocks: list[dict[str, Any]]
    ) -> None:
        """Slack edits a message in place: so does `:read`; the edit is shown as it happens."""
        for index, message in enumerate(self.messages):
            if (message.channel_id, message.ts) == (channel_id, ts):
                edited = replace(message, text=text, blocks=blocks, edited=True)
                self.messages[index] = edited
                self._announce(edited)
                return
        # Posted before this console started: the edited message is all there is to show.
        self._post_message("engagebot", text, blocks, channel_id, ts)

    def _announce(self, message: ChannelMessage) -> None:
        """Show the bot's message if the person is where it went, else say where it went."""
        if message.channel_id in (self.channel_id, self._direct_messages_id()):
            self._show_message(message)
        elif message.channel_id.startswith("D"):  # another person's direct messages
            name = self._names().get("U" + message.channel_id[1:], message.channel_id)
            verb = "edited a direct message to" if message.edited else "sent a direct message to"
            self.terminal.say(f"(engagebot {verb} @{name}: :as {name} shows it)")
        else:
            name = self._names().get(message.channel_id, message.channel_id)
            verb = f"edited message {message.number}" if message.edited else "posted"
            self.terminal.say(f"(engagebot {verb} in #{name}: :read #{name})")

    def _direct_messages_id(self) -> str:
        """The channel of the person's direct messages with the bot, as Slack names it."""
        return "D" + self.user_id[1:]

    def _direct_messages(self) -> list[ChannelMessage]:
        return [m for m in self.messages if m.channel_id == self._direct_messages_id()]

    def _next_ts(self) -> str:
        """A message timestamp as Slack makes them: the time, unique in the channel."""
        last = float(self.messages[-1].ts) if self.messages else 0.0
        return f"{max(utc_now().timestamp(), last + 0.000001):.6f}"

    def _show_message(self, message: ChannelMessage) -> None:
        origin = Origin(
            channel_id=message.channel_id,
            message={"ts": message.ts, "text": message.text, "blocks": message.blocks},
        )
        # "(message 3)", not "[3]": square brackets number buttons.
        heading = f"(message {message.number}{', edited' if message.edited else ''}) "
        heading += message.author
        if message.channel_id == self._direct_messages_id():
            heading += ", direct message"
            self.read_direct_messages.add(message.number)
        self._show_blocks(heading + ":", message.blocks, message.text, origin)

    def _show_blocks(
        self, heading: str, blocks: list[dict[str, Any]], text: str, origin: Origin
    ) -> None:
        names = self._names()
        rendered = render_blocks(
            blocks,
            text=text,
            first_number=len(self.choices) + 1,
            user_names={k: v for k, v in names.items() if k.startswith("U")},
            channel_names={k: v for k, v in names.items() if k.startswith("C")},
        )
        for choice in rendered.choices:
            self.choices[choice.number] = (choice, origin)
        self.terminal.say(heading)
        self.terminal.say(rendered.text)

    def _names(self) -> dict[str, str]:
        with self.database.transaction() as session:
            return identity_names(session=session)


# What is typed at the prompt as :NAME, to tell apart from an answer in a form.
CONSOLE_COMMANDS = frozenset(
    {"quit", "q", "exit"}
    | {name.removeprefix("_cmd_") for name in vars(Console) if name.startswith("_cmd_")}
)


def channel_name(typed: str) -> str:
    """The channel `typed` names (#prices or prices, any case); ValueError if Slack would
    refuse the name."""
    name = typed.strip().removeprefix("#").lower()
    if not CHANNEL_NAME.fullmatch(name):
        raise ValueError("Slack channel names are lower-case letters, digits, - and _.")
    return name


def person_name(typed: str) -> str:
    """The person `typed` names (@bob.smith or bob.smith, any case), as a Slack username;
    ValueError if Slack would refuse it."""
    name = typed.strip().removeprefix("@").lower()
    if not PERSON_NAME.fullmatch(name):
        raise ValueError(
            "Slack usernames are letters, digits, '.', '-' and '_', at most 21 of them."
        )
    return name


def _view_with_block_ids(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "blocks": with_block_ids(view.get("blocks", []))}
