"""`engagebot review`: a team's review on standard output as JSON, text or markdown, and
its errors, through the real command line."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.reviews.figures import last_full_month
from storage.clock import utc_now
from storage.database import Database
from tests.e2e.helpers import make_team, run_cli
from tests.storage.test_review_metrics import Records, utc

JANUARY = ["--from", "2027-01-01", "--to", "2027-01-31"]


@pytest.fixture
def cli(cli_database: Database) -> Database:
    """The command line on the test database, with the team Prices and its January 2027."""
    with cli_database.transaction() as session:
        seed(Records(session))
    return cli_database


def seed(records: Records) -> None:
    outputs = {
        "Consumer price inflation": "high",
        "House price index": "medium",
        "Rents": "low",
        "Wages": "high",
    }
    records.team("Prices", outputs, target_days_medium=60)
    records.team("Health")
    cpi, hpi = ("Consumer price inflation",), ("House price index",)
    records.engagement(
        "Prices", date(2027, 1, 5), "meeting", ("central government", "media"), ("ONS", "DWP"), cpi
    )
    records.engagement(
        "Prices", date(2027, 1, 12), "user_group", ("academia and research",), ("Leeds <Uni>",),
        cpi, ("Health",),
    )  # fmt: skip
    records.engagement("Prices", date(2027, 1, 20), None, ("media",))
    records.engagement("Prices", date(2026, 12, 10), "survey", (), ("ONS",))
    records.engagement("Prices", date(2026, 11, 20), "survey", outputs=hpi)
    records.engagement("Prices", date(2026, 10, 1), "webinar", outputs=("Rents",))
    givers = ["ONS"] * 4 + ["Leeds <Uni>"] * 2 + ["DWP"] + [None] * 3
    for day, organisation in enumerate(givers, start=4):
        records.feedback("Prices", date(2027, 1, day), organisation)
    records.feedback("Prices", date(2027, 1, 14), status="planned", decisions=(
        (utc(2027, 1, 16, 10), "new", "planned", None),
    ))  # fmt: skip
    records.feedback("Prices", date(2027, 1, 15), status="not_planned", decisions=(
        (utc(2027, 1, 20, 10), "new", "not_planned", "Out of scope"),
    ))  # fmt: skip
    records.change("Prices", utc(2027, 1, 10, 9), date(2027, 1, 25))
    records.change("Prices", utc(2027, 1, 11, 9), date(2027, 3, 1))
    records.insight("Prices", utc(2027, 1, 21, 9))


def review(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "review", *args)


JSON = {
    "team": "Prices",
    "period": {"from": "2027-01-01", "to": "2027-01-31"},
    "engagements": {
        "count": 3,
        "previous_count": 1,
        "by_method": {"meeting": 1, "user_group": 1, "unspecified": 1},
    },
    "reach": {
        "segments_reached": ["academia and research", "central government", "media"],
        "segments_missing": [
            "devolved and local government",
            "business and industry",
            "charities and voluntary sector",
            "international bodies",
            "members of the public",
            "internal users",
        ],
        "organisations": 3,
        "new_organisations": 2,
    },
    "voices": {"top3_share": 0.58, "dominated": True},
    "feedback": {
        "received": 12,
        "responded_pct": 16.7,
        "median_days_to_response": 3.5,
        "acted_on_pct": 8.3,
        "declined_with_reason_pct": 100.0,
    },
    "proportionality": {
        "overdue_outputs": [
            {"output": "Wages", "profile": "high", "days_since": None, "target_days": 30},
            {
                "output": "House price index",
                "profile": "medium",
                "days_since": 72,
                "target_days": 60,
            },
        ]
    },
    "openness": {"changes_announced": 2, "median_notice_days": 32.0, "short_notice_changes": 1},
    "collaboration": {"insights_shared": 1, "joint_engagements": 1},
}


def _keys(value: object) -> object:
    """The keys of every object in `value`, in order, nested as they are."""
    if isinstance(value, dict):
        return [(key, _keys(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_keys(item) for item in value]
    return None


def test_the_review_as_json_has_exactly_the_issues_keys_in_order(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = review(capsys, "--team", "prices", *JANUARY, "--format", "json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert found == JSON
    assert _keys(found) == _keys(JSON)


TEXT = """\
Engagement review: Prices
1 January 2027 to 31 January 2027

Flags
- No engagement in the 180 days to 31 January 2027 with devolved and local government, \
business and industry, charities and voluntary sector, international bodies, members of the \
public and internal users.
- A few voices dominate: ONS, Leeds <Uni> and DWP gave 58% of the 12 feedback items.
- 2 outputs overdue for engagement: Wages and House price index.
- 1 change announced at short notice (fewer than 28 days before taking effect, or after).

Engagements
- 3 engagements; 1 in the 31 days before.
- By method: Meeting 1, User group 1, Not recorded 1.

Reach
- Segments reached: academia and research, central government, media.
- Not heard from in the last 180 days: devolved and local government, business and \
industry, charities and voluntary sector, international bodies, members of the public, \
internal users.
- 3 organisations engaged, 2 of them for the first time.

Voices
- ONS (4), Leeds <Uni> (2) and DWP (1) gave 58% of the feedback items.

Feedback
- 12 items received.
- 16.7% responded to by the period's end; median 3.5 days to the first response.
- 8.3% now planned or done.
- 100% of those not planned say why.

Proportionality
- Wages (high): never engaged, target 30.
- House price index (medium): 72 days since the last engagement, target 60.

Openness
- 2 changes announced; median notice 32 days; 1 at short notice.

Collaboration
- 1 insight shared; 1 joint engagement with other teams.
"""


def test_the_review_is_text_by_default(cli: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert review(capsys, "--team", "Prices", *JANUARY) == (0, TEXT, "")


def test_the_review_as_markdown_escapes_names(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = review(capsys, "--team", "Prices", *JANUARY, "--format", "markdown")
    assert (code, err) == (0, "")
    assert out.startswith("# Engagement review: Prices\n\n1 January 2027 to 31 January 2027\n")
    assert "\n## Flags\n\n- No engagement in the 180 days" in out
    assert "- ONS (4), Leeds \\<Uni\\> (2) and DWP (1) gave 58% of the feedback items.\n" in out
    assert "<Uni>" not in out
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Flags",
        "## Engagements",
        "## Reach",
        "## Voices",
        "## Feedback",
        "## Proportionality",
        "## Openness",
        "## Collaboration",
    ]


def test_the_period_is_the_last_full_month_by_default(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = last_full_month(utc_now().astimezone(ZoneInfo("Europe/London")).date())
    code, out, err = review(capsys, "--team", "Prices", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["period"] == {"from": start.isoformat(), "to": end.isoformat()}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--team", "Nobody"], "no team is called 'Nobody'"),
        (
            ["--team", "Prices", "--from", "2027-01-01"],
            "give both --from and --to, or neither for the last full month",
        ),
        (
            ["--team", "Prices", "--to", "2027-01-31"],
            "give both --from and --to, or neither for the last full month",
        ),
        (
            ["--team", "Prices", "--from", "2027-03-01", "--to", "2027-01-31"],
            "the period ends (2027-01-31) before it starts (2027-03-01)",
        ),
    ],
)
def test_what_cannot_be_reviewed_is_one_line_and_exit_2(
    cli: Database, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    assert review(capsys, *args) == (2, "", f"engagebot: {error}\n")


def test_a_date_no_record_may_hold_is_one_line_and_exit_2(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """Years beyond what a form takes overflowed the day's arithmetic, with a traceback."""
    far = ["--team", "Prices", "--from", "2026-01-01", "--to", "9999-12-31"]
    assert review(capsys, *far) == (
        2,
        "",
        "engagebot: --to 9999-12-31 is not between 2000-01-01 and 2036-11-20: check the year\n",
    )
    early = ["publish", "users-and-uses", "--team", "Prices", "--from", "0001-01-01"]
    assert run_cli(capsys, *early)[0] == 2
    code, _, err = run_cli(capsys, "audit", "--until", "9999-12-31")
    assert (code, err) == (
        2,
        "engagebot: --until 9999-12-31 is not between 2000-01-01 and 2036-11-20: check the year\n",
    )


def test_outputs_added_lately_and_not_yet_engaged_are_not_said_to_be_engaged(
    cli_database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    make_team(cli_database, "Brand new")  # added on 20 November: within every target
    code, out, _ = review(
        capsys, "--team", "Brand new", "--from", "2026-11-01", "--to", "2026-11-30"
    )
    assert code == 0
    assert "No output is overdue for engagement." in out
    assert "engaged within" not in out


def test_a_malformed_date_or_format_is_refused_by_the_parser(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (["--from", "1/1/2027", "--to", "2027-01-31"], ["--format", "html"]):
        with pytest.raises(SystemExit) as exit:
            review(capsys, "--team", "Prices", *args)
        assert exit.value.code == 2
    assert "'1/1/2027' is not a date like 2026-01-31" in capsys.readouterr().err


def test_a_period_with_nothing_in_it(cli: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = review(capsys, "--team", "Health", *JANUARY)
    assert (code, err) == (0, "")
    for line in (
        "- 0 engagements; 0 in the 31 days before.",
        "- By method: none.",
        "- Segments reached: none.",
        "- 0 organisations engaged, 0 of them for the first time.",
        "- No feedback item came from a named organisation.",
        "- No feedback received.",
        "- 0 changes announced.",
        # Prices named Health a partner on 12 January.
        "- 0 insights shared; 1 joint engagement with other teams.",
    ):
        assert f"\n{line}\n" in out
    assert "A few voices" not in out and "short notice" not in out
