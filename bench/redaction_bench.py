"""How long the log redaction (bot/base/logs.py) takes on lines made to be slow, by length: the
patterns of today against those they replaced (issue #13), and a whole log record's filter.

    python bench/redaction_bench.py [--longest 1000000]

Each line is one of the shapes that make a backtracking pattern read a run again from each
of its characters: a run of a scheme's letters (what the old URL-password pattern read
from every letter, looking for "://"), "a://b:" over and over with no "@" (each "://"
reading on to the end), "xoxb." over and over (a token's prefix with no "-"); and, as
the most a line with spaces can ask of the filter, a URL password to blank in every word
(a line without spaces is cut to nothing but the note of the cut). A time
per character that stays flat as lines grow is linear; one that grows with them is not.
The old patterns are timed up to 32,000 characters only: at 100,000 the first three take minutes.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from bot.base.logs import Redactor

# The patterns before, as the property test keeps them to compare the new ones with.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.properties.test_log_redaction import old_redact

OLD_LONGEST = 32_000
SHAPES = {
    "letters": "neverlogged",
    "a://b: again and again": "a://b:",
    "xoxb. again": "xoxb.",
    "a://b:c@d and a space, again (each a password to blank)": "a://b:c@d ",
}


def seconds(work: object, *args: object) -> float:
    """The best of three runs (of at least one call each, repeated to 0.05 s at least)."""
    best = float("inf")
    for _ in range(3):
        calls, started = 0, time.perf_counter()
        while True:
            work(*args)  # type: ignore[operator]
            calls += 1
            elapsed = time.perf_counter() - started
            if elapsed > 0.05:
                break
        best = min(best, elapsed / calls)
    return best


def filtered(redactor: Redactor, text: str) -> None:
    """What a log line costs: the record's message cut to its length bound, then redacted."""
    redactor.filter(logging.LogRecord("bench", logging.INFO, __file__, 1, "%s", (text,), None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--longest", type=int, default=1_000_000)
    args = parser.parse_args()
    redactor = Redactor(["bench-signing-secret", "bench-client-secret"])
    lengths = [
        length for length in (1_000, 8_000, 32_000, 100_000, 1_000_000) if length <= args.longest
    ]
    print("| line | characters | old patterns ms | ns a character | new patterns ms "
          "| ns a character | a log record's filter ms |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name, piece in SHAPES.items():
        for length in lengths:
            line = (piece * (length // len(piece) + 1))[:length]
            old = seconds(old_redact, line) if length <= OLD_LONGEST else None
            new = seconds(redactor.redact, line)
            whole = seconds(filtered, redactor, line)
            old_cells = f"{old * 1e3:.2f} | {old * 1e9 / length:.0f}" if old else "not timed | "
            print(
                f"| {name} | {length:,} | {old_cells} | {new * 1e3:.2f} "
                f"| {new * 1e9 / length:.0f} | {whole * 1e3:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
