"""`engagebot` in a process of its own, on the tests' clock.

A command line started as a child process would read real time; the tests start it as
`engagebot(...)` instead, which sets the child's clock to where the test's stands (it then
runs on from there, as it does in the test), so no test depends on the real date.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path


def engagebot(*args: str) -> list[str]:
    """The command to run `engagebot ARGS...` with its clock at this process's now."""
    from storage.clock import utc_now

    return [sys.executable, str(Path(__file__)), utc_now().isoformat(), *args]


if __name__ == "__main__":
    # The code of this checkout, as the test's own process imports it.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bot.runtime.cli import main
    from storage.clock import CLOCK

    moment, sys.argv[:] = sys.argv[1], ["engagebot", *sys.argv[2:]]
    CLOCK.move_to(datetime.fromisoformat(moment))
    sys.exit(main(sys.argv[1:]))
