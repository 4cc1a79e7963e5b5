"""A modal as a form asked field by field, enforcing what Slack's own inputs enforce
(required fields, dates, whole numbers, picking from the options) before submitting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.runtime.console.render import describe_input, mrkdwn_to_plain
from bot.runtime.console.terminal import Interrupted, Terminal

# Loads an external select's options through the app: (block, typed text) -> options.
OptionsLoader = Callable[[dict[str, Any], str], list[dict[str, Any]]]

_SINGLE = {"static_select", "external_select", "radio_buttons"}
_MULTI = {"multi_static_select", "multi_external_select"}
_CHANNEL_PICKERS = {"conversations_select", "channels_select"}
_MANY_CHANNELS_PICKERS = {"multi_conversations_select", "multi_channels_select"}
_PEOPLE_PICKERS = {"users_select", "multi_users_select"}
_MANY = _MANY_CHANNELS_PICKERS | {"multi_users_select"}
_YES_NO = {"", "y", "yes", "n", "no"}  # a checkbox's answers; "" leaves it as it is


@dataclass(frozen=True)
class Directory:
    """The console's channels (or people) by name, as a channel (or people) picker offers
    them; `sigil` is what is typed before a name, # or @."""

    id_of: Callable[[str], str]  # "name" -> its id (made up the first time, as `:in` does)
    name_of: Callable[[str], str]  # an id -> its name
    names: Callable[[], list[str]]  # every one known, to list
    sigil: str = "#"


class FormCancelled(Exception):
    """The person typed :cancel: the modal closes unsaved, as Slack's Cancel does."""


class FieldAsker:
    """Asks one input block and returns the simple value `state_values` takes (None: empty)."""

    def __init__(
        self,
        terminal: Terminal,
        load_options: OptionsLoader,
        channels: Directory,
        people: Directory,
        console_commands: frozenset[str],
    ) -> None:
        self.terminal = terminal
        self.load_options = load_options
        self.channels = channels
        self.people = people
        self.console_commands = console_commands  # their names, without the colon

    def ask(self, block: dict[str, Any], current: Any) -> Any:
        element = block["element"]
        kind = element["type"]
        self.terminal.say(describe_input(block, self._shown(element, current)))
        required = not block.get("optional", False)
        while True:
            if kind in ("static_select", "multi_static_select", "radio_buttons", "checkboxes"):
                value = self._pick(element.get("options", []), kind, current)
            elif kind in ("external_select", "multi_external_select"):
                value = self._search(block, kind, current)
            elif kind in _CHANNEL_PICKERS | _MANY_CHANNELS_PICKERS:
                value = self._pick_named(self.channels, kind, current)
            elif kind in _PEOPLE_PICKERS:
                value = self._pick_named(self.people, kind, current)
            else:
                value = self._typed(kind, element, current)
            if value is _INVALID:
                continue
            if required and value in (None, [], ""):
                self.terminal.say("  This field is required.")
                continue
            return value

    def _ask(self, prompt: str) -> str:
        """The answer typed; :cancel (or Ctrl-C) closes the form, and a console command is
        refused rather than taken for the answer."""
        while True:
            try:
                answer = self.terminal.ask(prompt, remember=False)
            except Interrupted:
                raise FormCancelled from None
            if answer == ":cancel":
                raise FormCancelled
            command = answer.partition(" ")[0]
            if not (command.startswith(":") and command[1:] in self.console_commands):
                return answer
            self.terminal.say(
                f"  {command} is a console command: finish the form first, or :cancel it."
            )

    def _shown(self, element: dict[str, Any], current: Any) -> str:
        """The current answer as the person reads it."""
        if current in (None, [], ""):
            return ""
        kind = element["type"]
        labels = {o["value"]: o["text"]["text"] for o in element.get("options", [])}
        pickers = ((_CHANNEL_PICKERS | _MANY_CHANNELS_PICKERS, self.channels),)
        for kinds, directory in (*pickers, (_PEOPLE_PICKERS, self.people)):
            if kind in kinds:
                ids = current if isinstance(current, list) else [current]
                return ", ".join(directory.sigil + directory.name_of(an_id) for an_id in ids)
        if kind == "checkboxes":
            return "yes"
        answers = current if isinstance(current, list) else [current]
        return ", ".join(
            answer[0] if isinstance(answer, tuple) else labels.get(answer, str(answer))
            for answer in answers
        )

    def _typed(self, kind: str, element: dict[str, Any], current: Any) -> Any:
        answer = self._ask("  > ")
        if answer == "":
            return current
        if answer == "-":
            return None
        if element.get("multiline"):
            answer = "\n".join([answer, *self._more_lines()])
        if kind == "datepicker":
            try:
                return date.fromisoformat(answer).isoformat()
            except ValueError:
                self.terminal.say("  Type a date as YYYY-MM-DD.")
                return _INVALID
        minimum = int(element.get("min_value", 0))
        if kind == "number_input" and not (answer.isdigit() and int(answer) >= minimum):
            self.terminal.say(f"  Type a whole number of at least {minimum}.")
            return _INVALID
        max_length = element.get("max_length")
        if max_length and len(answer) > int(max_length):
            self.terminal.say(f"  Slack allows at most {max_length} characters here.")
            return _INVALID
        return answer

    def _pick_named(self, directory: Directory, kind: str, current: Any) -> Any:
        """Channels (people) by name: `#name` (`@name`), several separated by commas where
        the picker takes several; a name not met before becomes a channel (a person), as
        `:in` (`:as`) makes one."""
        many, sigil = kind in _MANY, directory.sigil
        noun = "channel" if sigil == "#" else "person"
        plural = "channels" if sigil == "#" else "people"
        answer = self._ask(
            f"  {sigil}{plural}, separated by commas > " if many else f"  {sigil}{noun} > "
        )
        if answer == "":
            return current
        if answer == "-":
            return [] if many else None
        if answer == "?":
            known = ", ".join(sigil + name for name in directory.names())
            self.terminal.say(
                f"  {plural.capitalize()} so far: {known or 'none'}. Type a name, new or not."
            )
            return _INVALID
        names = [name.strip() for name in answer.split(",") if name.strip()]
        if not many and len(names) != 1:
            example = "#general" if sigil == "#" else "@alice"
            self.terminal.say(f"  Type one {noun}, e.g. {example}.")
            return _INVALID
        try:
            ids = [directory.id_of(name) for name in names]
        except ValueError as problem:
            self.terminal.say(f"  {problem}")
            return _INVALID
        return list(dict.fromkeys(ids)) if many else ids[0]

    def _more_lines(self) -> list[str]:
        """The rest of a multi-line answer, up to an empty line."""
        self.terminal.say("  (more lines; an empty line ends)")
        lines = []
        while line := self._ask("  > "):
            lines.append(line)
        return lines

    def _pick(self, options: list[dict[str, Any]], kind: str, current: Any) -> Any:
        if kind == "checkboxes":
            question = f"  {mrkdwn_to_plain(options[0]['text']['text'])}? (y/n) > "
            while (answer := self._ask(question).strip().lower()) not in _YES_NO:
                self.terminal.say("  Answer y or n (or press Enter to leave it as it is).")
            if answer == "":
                return current
            return [options[0]["value"]] if answer.startswith("y") else None
        for number, option in enumerate(options, start=1):
            self.terminal.say(f"  {number}. {option['text']['text']}")
        many = kind.startswith("multi_")
        answer = self._ask("  numbers, separated by commas > " if many else "  number > ")
        if answer == "":
            return current
        if answer == "-":
            return [] if many else None
        chosen = _numbers(answer, len(options))
        if chosen is None or (not many and len(chosen) != 1):
            self.terminal.say(
                f"  Type {'numbers' if many else 'a number'} from 1 to {len(options)}."
            )
            return _INVALID
        values = [options[n - 1]["value"] for n in chosen]
        return values if many else values[0]

    def _search(self, block: dict[str, Any], kind: str, current: Any) -> Any:
        """Type-ahead: the app's options listener answers each search, as in Slack."""
        many = kind.startswith("multi_")
        picked: list[tuple[str, str]] = list(current or []) if many else []
        keep = "done" if many else "keep"
        while True:
            query = self._ask(f"  search (Enter: {keep}; ?: list all) > ")
            if query == "":
                return picked if many else current
            if query == "-":
                return [] if many else None
            options = self.load_options(block, "" if query == "?" else query)
            if not options:
                self.terminal.say("  Nothing matches; try other words.")
                continue
            for number, option in enumerate(options, start=1):
                self.terminal.say(f"  {number}. {option['text']['text']}")
            chosen = _numbers(self._ask("  number > "), len(options))
            if not chosen:
                continue
            pairs = [(options[n - 1]["text"]["text"], options[n - 1]["value"]) for n in chosen]
            if not many:
                return pairs[0]
            picked.extend(pair for pair in pairs if pair not in picked)
            self.terminal.say("  chosen: " + ", ".join(text for text, _ in picked))


_INVALID: Any = object()


def initial_answer(element: dict[str, Any]) -> Any:
    """The element's initial value, in the form `FieldAsker.ask` returns answers."""
    kind = element["type"]
    if kind in ("external_select",) and element.get("initial_option"):
        option = element["initial_option"]
        return (option["text"]["text"], option["value"])
    if kind == "multi_external_select":
        return [(o["text"]["text"], o["value"]) for o in element.get("initial_options", [])]
    if kind in _SINGLE:
        return (element.get("initial_option") or {}).get("value")
    if kind in _MULTI or kind == "checkboxes":
        return [option["value"] for option in element.get("initial_options", [])] or None
    singles = ("initial_value", "initial_date", "initial_conversation", "initial_channel")
    for key in (*singles, "initial_user"):
        if element.get(key) is not None:
            return element[key]
    for key in ("initial_conversations", "initial_channels", "initial_users"):
        if element.get(key):
            return list(element[key])
    return None


def _numbers(answer: str, count: int) -> list[int] | None:
    parts = [part.strip() for part in answer.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and 1 <= int(part) <= count for part in parts):
        return None
    return [int(part) for part in parts]
