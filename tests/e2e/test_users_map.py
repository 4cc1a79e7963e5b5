"""`/engage users`: the users map in Slack, through signed requests and the fake Slack; and
`engagebot export users-map`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.runtime.cli import main
from handlers.views.limits import MESSAGE_BLOCKS_MAX, SECTION_MAX
from storage.database import Database
from tests.conftest import RunningBot
from tests.domain.test_users_map import CPI, HPI, engage, seed
from tests.e2e.helpers import make_team, run_cli, run_command

NEVER = ":x: never"


def never(*segments: str) -> list[str]:
    return [f"• {segment}: {NEVER}" for segment in segments]


# The segments after "Media" in the taxonomy, none of which Prices has engaged.
REST = never(
    "Business and industry",
    "Charities and voluntary sector",
    "International bodies",
    "Members of the public",
    "Internal users",
)


def texts(reply: dict[str, Any]) -> list[str]:
    """The text of each block (of a context, its first element's)."""
    return [
        block["text"]["text"] if "text" in block else block["elements"][0]["text"]
        for block in reply["blocks"]
    ]


def test_the_map_lists_every_segment_for_each_output(bot: RunningBot) -> None:
    seed(bot.database)
    reply = run_command(bot, "users")  # in Prices's home channel
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Users map: Prices"
    assert [block["type"] for block in reply["blocks"]] == [
        "header", *["section"] * 6, "context"
    ]  # fmt: skip
    assert texts(reply)[1:] == [
        "Engagements with each audience segment, over all time: the last one and how many. "
        f"{NEVER} marks a gap.\n5 engagements in all; 1 names no audience segment.",
        "\n".join([
            "*All engagements*",
            "• Central government: last 12 Mar 2027 (2)",
            *never("Devolved and local government"),
            "• Academia and research: last 29 Feb 2028 (1)",
            "• Media: last 10 Jan 2027 (2)",
            *REST,
        ]),
        "\n".join([
            "*Consumer price inflation* (high profile)",
            "• Central government: last 12 Mar 2027 (2)",
            *never("Devolved and local government", "Academia and research"),
            "• Media: last 10 Jan 2027 (1)",
            *REST,
        ]),
        "\n".join([
            "*House price index* (medium profile)",
            "• Central government: last 12 Mar 2027 (1)",
            *never("Devolved and local government"),
            "• Academia and research: last 29 Feb 2028 (1)",
            *never("Media"),
            *REST,
        ]),
        f"*Regional estimates* (low profile)\n{NEVER}: no engagement names this output.",
        "\n".join([
            "*Organisations, by last contact*",
            "• University of Leeds: 29 Feb 2028 (1 engagement)",
            "• Bank of England: 15 Mar 2027 (1 engagement, 1 feedback item)",
            "• HM Treasury: 12 Mar 2027 (2 engagements)",
            "• Resolution &lt;Foundation&gt;: 1 Dec 2026 (1 feedback item)",
            "• BBC News: 2 Nov 2026 (1 engagement)",
        ]),
        "As a file: `engagebot export users-map --team Prices` (add `--format json` for the "
        "organisations too).",
    ]  # fmt: skip


def test_an_outputs_map_is_found_by_its_name_from_anywhere(bot: RunningBot) -> None:
    seed(bot.database)
    reply = run_command(bot, "users house price INDEX", user="U0042", channel="CELSEWHERE")
    assert reply["text"] == "Users map: Prices, House price index"
    assert texts(reply)[1:] == [
        "Engagements with each audience segment, over all time: the last one and how many. "
        f"{NEVER} marks a gap.\n3 engagements in all; 1 names no audience segment.",
        "\n".join([
            "*House price index* (medium profile)",
            "• Central government: last 12 Mar 2027 (1)",
            *never("Devolved and local government"),
            "• Academia and research: last 29 Feb 2028 (1)",
            *never("Media"),
            *REST,
        ]),
        "\n".join([
            "*Organisations, by last contact*",
            "• University of Leeds: 29 Feb 2028 (1 engagement)",
            "• Bank of England: 12 Mar 2027 (1 engagement)",
            "• HM Treasury: 12 Mar 2027 (1 engagement)",
        ]),
        "As a file: `engagebot export users-map --team Prices --output 'House price index'` "
        "(add `--format json` for the organisations too).",
    ]  # fmt: skip


def test_a_team_is_named_and_your_own_team_needs_no_name(bot: RunningBot) -> None:
    seed(bot.database)
    assert run_command(bot, "users health", channel="CNOWHERE")["text"] == "Users map: Health"
    # UADMIN set both teams up, Health last: that is the team they work in.
    reply = run_command(bot, "users", user="UADMIN", channel="CNOWHERE")
    assert reply["text"] == "Users map: Health"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (
            "users",
            "Which team? This channel is no team's home and you haven't recorded for a team "
            "yet: name one, e.g. `/engage users Prices`. Teams: Health, Prices.",
        ),
        (
            "users Regional estimates",
            "Several teams publish an output called 'Regional estimates': Prices: Regional "
            "estimates, Health: Regional estimates. Say which, e.g. `/engage users Prices: "
            "Regional estimates`.",
        ),
        (
            "users <!channel>",
            "No team or output is called '&lt;!channel&gt;'. Teams: Health, Prices.",
        ),
        ("users " + "Prices " * 500, "No team or output has a name that long."),
        (
            "users Prices: <b>",
            "Prices has no output called '&lt;b&gt;'. Its outputs: Consumer price inflation, "
            "House price index, Regional estimates.",
        ),
    ],
)
def test_what_cannot_be_mapped_is_answered_with_the_reason(
    bot: RunningBot, text: str, answer: str
) -> None:
    seed(bot.database)
    reply = run_command(bot, text, user="U0042", channel="CNOWHERE")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == f":warning: {answer}"


def test_a_big_map_stays_within_slacks_limits_and_says_what_it_left_out(
    bot: RunningBot,
) -> None:
    # 60 outputs whose names escape to 5 times their length; 25 organisations.
    names = [f"{index:02d} " + "&" * 117 for index in range(60)]
    make_team(bot.database, "Big", "CBIG", "\n".join(f"{name} | low" for name in names))
    organisations = [f"Org {index:02d}" for index in range(1, 26)]
    engage(bot.database, date(2027, 1, 4), ["media"], names[:2], organisations, team="Big")
    reply = run_command(bot, "users", channel="CBIG")
    blocks = reply["blocks"]
    assert len(blocks) == MESSAGE_BLOCKS_MAX
    assert all(len(text) <= SECTION_MAX for text in texts(reply))
    # Header, intro, all engagements, 45 outputs, organisations, closing.
    assert texts(reply)[3].startswith("*00 &amp;&amp;")
    assert texts(reply)[47].startswith("*44 &amp;&amp;")
    assert texts(reply)[48] == "\n".join(
        ["*Organisations, by last contact*"]
        + [f"• Org {index:02d}: 4 Jan 2027 (1 engagement)" for index in range(1, 21)]
    )
    assert texts(reply)[49] == (
        "…and 15 more outputs and 5 more organisations not shown here: "
        "`engagebot export users-map --team Big --format json` has them all."
    )


@pytest.fixture
def cli(cli_database: Database) -> Database:
    return cli_database


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "export", "users-map", *args)


def test_the_export_writes_the_cells_as_csv(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    code, out, err = export(capsys, "--team", "prices", "--output", HPI)
    assert (code, err) == (0, "")
    assert out.splitlines()[:5] == [
        "segment,output,engagements,last_engagement",
        "central government,House price index,1,2027-03-12",
        "devolved and local government,House price index,0,",
        "academia and research,House price index,1,2028-02-29",
        "media,House price index,0,",
    ]
    assert len(out.splitlines()) == 10


def test_the_export_writes_cells_and_organisations_as_json(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli)
    code, out, err = export(capsys, "--team", "Prices", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["cells"][0] == {
        "segment": "central government", "output": CPI, "engagements": 2,
        "last_engagement": "2027-03-12",
    }  # fmt: skip
    assert [row["organisation"] for row in document["organisations"]] == [
        "University of Leeds", "Bank of England", "HM Treasury", "Resolution <Foundation>",
        "BBC News",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        ([], 2, "users-map needs --team NAME (and takes no --since: it covers all time)"),
        (
            ["--team", "Prices", "--since", "2027-01-01"],
            2,
            "users-map needs --team NAME (and takes no --since: it covers all time)",
        ),
        (["--team", "Nobody"], 1, "No team is called 'Nobody'. Teams: Health, Prices."),
        (
            ["--team", "Prices", "--output", "Nope"],
            1,
            "Prices has no output called 'Nope'. Its outputs: Consumer price inflation, "
            "House price index, Regional estimates.",
        ),
    ],
)
def test_the_export_refuses_what_it_cannot_map(
    cli: Database, capsys: pytest.CaptureFixture[str], args: list[str], code: int, error: str
) -> None:
    seed(cli)
    assert export(capsys, *args) == (code, "", f"engagebot: {error}\n")


def test_output_is_for_the_users_map_only(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "engagements", "--output", CPI])
    assert (code, capsys.readouterr().err) == (2, "engagebot: --output is for users-map only\n")
