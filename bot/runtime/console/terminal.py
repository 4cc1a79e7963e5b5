"""Reading what the person types and printing what the bot shows, on a tty or a pipe."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

HISTORY = Path.home() / ".engagebot_console_history"


class InputClosed(Exception):
    """Standard input ended (Ctrl-D, or the end of a piped script)."""


class Interrupted(Exception):
    """Ctrl-C: cancels the form being filled, or the line being typed."""


class Terminal:
    """Line input with history and editing where readline is available."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        # The process's streams as they are now (not as they were at import: a test may
        # have replaced them).
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty()
        self._readline = None
        if self.interactive:
            try:
                import readline
            except ImportError:  # not on every platform; plain input still works
                return
            self._readline = readline
            if HISTORY.exists():
                readline.read_history_file(HISTORY)

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def ask(self, prompt: str, *, remember: bool = True) -> str:
        """One line from the person; `remember=False` keeps it out of the history file
        (form answers may hold someone's contact details)."""
        try:
            line = self._read(prompt)
        except KeyboardInterrupt:  # Ctrl-C: like Slack's Cancel, not a crash
            self.say()
            raise Interrupted from None
        if not remember and line and self._readline is not None:
            self._readline.remove_history_item(self._readline.get_current_history_length() - 1)
        return line

    def _read(self, prompt: str) -> str:
        if self.interactive:
            try:
                return input(prompt).strip()
            except EOFError:
                raise InputClosed from None
        line = self.stdin.readline()
        if not line:
            raise InputClosed
        # A piped script's answers are echoed, so a transcript reads like a session.
        self.stdout.write(prompt + line if line.endswith("\n") else prompt + line + "\n")
        return line.strip()

    def close(self) -> None:
        if self._readline is not None:
            self._readline.write_history_file(HISTORY)
