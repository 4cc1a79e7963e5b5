"""Draw the documentation's review post from the bot itself, as a team sees it.

Runs engagebot (its console and its command line) on a scratch database: two made-up
teams, a year of their engagements and a month of feedback, the clock at a fixed moment,
so every run draws the same post. It writes

- docs/pictures/review-post.txt: the post as the console shows it in the channel;
- docs/pictures/review-chart.png: its chart, the very PNG the bot uploads to Slack.

Run it again after changing what a review post says or how its chart is drawn:

    .venv/bin/python scripts/docs_pictures.py
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PICTURES = ROOT / "docs" / "pictures"
SET_UP = "2026-04-20T10:00:00+00:00"  # the teams are set up a year before the review
REVIEWED = "2027-05-04T09:00:00+00:00"  # a Tuesday: the review of April 2027

TEAMS = [
    # Prices, with three outputs; Labour market, which other teams can learn from.
    "/engage team",
    "Prices",
    "",  # home channel: #prices, where the console starts
    "Consumer price inflation | high",
    "House price index | medium",
    "Producer prices | low",
    "",
    ":in #labour-market",
    "/engage team",
    "Labour market",
    "",
    "Earnings | high",
    "",
    ":quit",
]
REVIEW = ["/engage review", ":click 1", ":quit"]  # the review, then Post to channel

ENGAGEMENTS = [
    ("occurred_on", "team", "outputs", "method", "segments", "organisations", "summary"),
    ("2026-05-12", "Prices", "Consumer price inflation", "User group", "central government",
     "HM Treasury", "CPI user group: spring meeting"),
    ("2026-06-03", "Prices", "Consumer price inflation", "Meeting", "central government",
     "Department for Work and Pensions", "Uprating with DWP analysts"),
    ("2026-06-24", "Prices", "House price index", "Webinar", "devolved and local government",
     "Leeds City Council", "House price index webinar for councils"),
    ("2026-07-15", "Prices", "Consumer price inflation", "Meeting", "business and industry",
     "British Retail Consortium", "Retail prices with the BRC"),
    ("2026-08-19", "Prices", "Consumer price inflation", "Conference", "academia and research",
     "Royal Statistical Society", "RSS conference session"),
    ("2026-09-09", "Prices", "House price index", "Meeting", "devolved and local government",
     "Welsh Government", "Welsh housing analysts"),
    ("2026-10-07", "Prices", "Consumer price inflation", "Meeting", "central government",
     "Bank of England", "Quarterly meeting with the Bank"),
    ("2026-10-21", "Prices", "Producer prices", "Survey", "business and industry", "",
     "Producer prices user survey"),
    ("2026-11-18", "Prices", "Consumer price inflation", "User group", "central government",
     "HM Treasury", "CPI user group: autumn meeting"),
    ("2026-12-02", "Prices", "Consumer price inflation", "Correspondence", "media",
     "Financial Times", "Briefing for economics journalists"),
    ("2027-01-13", "Prices", "House price index", "Meeting", "devolved and local government",
     "Leeds City Council", "Local house prices follow-up"),
    ("2027-02-10", "Prices", "Consumer price inflation", "Meeting", "central government",
     "Department for Work and Pensions", "Benefit uprating: methods"),
    ("2027-03-03", "Prices", "Consumer price inflation", "Workshop", "academia and research",
     "University of Manchester", "Workshop on price indices"),
    ("2027-03-24", "Prices", "Consumer price inflation", "Meeting", "central government",
     "Bank of England", "Quarterly meeting with the Bank"),
    ("2027-04-07", "Prices", "Consumer price inflation", "Meeting", "central government",
     "HM Treasury", "Spring forecast round"),
    ("2027-04-14", "Prices", "Consumer price inflation", "Webinar",
     "central government; business and industry",
     "Office for Budget Responsibility; British Retail Consortium", "CPI methods webinar"),
    ("2027-04-21", "Prices", "House price index", "Meeting", "devolved and local government",
     "Scottish Government", "Scottish housing analysts"),
    ("2027-04-28", "Prices", "Consumer price inflation", "Meeting", "central government",
     "Department for Work and Pensions", "Uprating: what changes"),
    ("2027-01-20", "Labour market", "Earnings", "Meeting", "charities and voluntary sector",
     "Joseph Rowntree Foundation", "Low pay research"),
    ("2027-02-17", "Labour market", "Earnings", "Workshop",
     "charities and voluntary sector; international bodies", "Resolution Foundation; OECD",
     "Earnings workshop"),
    ("2027-03-10", "Labour market", "Earnings", "Meeting", "international bodies", "OECD",
     "International comparisons"),
]  # fmt: skip
FEEDBACK = [
    ("received_on", "team", "output", "organisation", "segment", "channel", "text", "themes",
     "status"),
    ("2027-04-02", "Prices", "Consumer price inflation", "Leeds City Council",
     "devolved and local government", "Email", "Can you publish regional CPI?", "geography",
     "under_consideration"),
    ("2027-04-09", "Prices", "House price index", "", "members of the public", "Email",
     "The release page is hard to find", "accessibility", "done"),
    ("2027-04-16", "Prices", "Consumer price inflation", "HM Treasury", "central government",
     "Event", "Earlier access to the weights", "timeliness", "not_planned"),
    ("2027-04-22", "Prices", "Consumer price inflation", "Financial Times", "media", "Email",
     "Explain the rent measure", "methods", "new"),
]  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="engagebot-docs-") as scratch:
        folder = Path(scratch)
        _write_csv(folder / "engagements.csv", ENGAGEMENTS)
        _write_csv(folder / "feedback.csv", FEEDBACK)
        _engagebot(folder, SET_UP, "console", "--user", "alice", "--channel", "prices", typed=TEAMS)
        _engagebot(folder, REVIEWED, "import", "engagements", "engagements.csv")
        _engagebot(folder, REVIEWED, "import", "feedback", "feedback.csv")
        shown = _engagebot(
            folder, REVIEWED, "console", "--user", "alice", "--channel", "prices", typed=REVIEW
        )
        saved = re.search(r"saved as (\S+-review\.png)", shown)
        if saved is None:
            sys.exit(f"The review post uploaded no chart:\n{shown}")
        PICTURES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved.group(1), PICTURES / "review-chart.png")
        start = shown.index("(message 1) engagebot:")  # after the answer only alice saw
        post = shown[start : shown.index("(only visible to you)", start)]
        (PICTURES / "review-post.txt").write_text(post, encoding="utf-8")
    print(f"Wrote {PICTURES / 'review-post.txt'} and {PICTURES / 'review-chart.png'}")


def _write_csv(path: Path, rows: list[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)


def _engagebot(folder: Path, moment: str, *args: str, typed: list[str] | None = None) -> str:
    """Run `engagebot ARGS...` in `folder` with its clock at `moment` (and `typed` as its
    input); return what it printed, or stop with it if it failed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'engagebot.sqlite'}",
        "HOME": str(folder),  # no console history of yours is read or written
        "XDG_CACHE_HOME": str(folder / "cache"),  # where the console saves the chart
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, __file__, "--at", moment, *args],
        input="\n".join(typed or []) + "\n",
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or "Traceback" in result.stderr:
        sys.exit(f"engagebot {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _run_at(moment: str, args: list[str]) -> int:
    """The child: engagebot's command line with the process's clock moved to `moment`."""
    from storage.clock import CLOCK

    CLOCK.move_to(datetime.fromisoformat(moment))
    (engagebot,) = entry_points(group="console_scripts", name="engagebot")
    status: int = engagebot.load()(args)
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["--at"]:
        sys.exit(_run_at(sys.argv[2], sys.argv[3:]))
    main()
