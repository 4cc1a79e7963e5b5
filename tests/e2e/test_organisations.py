"""The register of organisations in Slack: the segment an organisation takes when a form
first names it (and the confirmation saying which and why), and `/engage organisation` to
show and set it, through signed requests and the Slack stand-in; and the register as a CSV
file on the command line. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.runtime.console.payloads import (
    global_shortcut,
    slash_command,
    state_values,
    view_submission,
)
from storage.database import Database
from storage.models import Organisation
from storage.reference import organisation_named, segments_by_name
from tests.conftest import RunningBot
from tests.e2e.helpers import (
    count_rows,
    make_team,
    opened_view,
    reply_text,
    run_cli,
    run_command,
    wait_for_reply,
)

MEMBER, OUTSIDER, ADMIN = "U0001", "U0077", "U0099"


def segment_of(database: Database, name: str) -> str | None:
    """The segment the register holds for the organisation called `name`."""
    with database.transaction() as session:
        organisation = organisation_named(session=session, name=name)
        assert organisation is not None, name
        return organisation.segment.name if organisation.segment else None


def segment_id(database: Database, name: str) -> str:
    with database.transaction() as session:
        return str(segments_by_name(session=session)[name].id)


def submit_form(bot: RunningBot, subcommand: str, answers: dict[str, Any]) -> str:
    """Open `/engage <subcommand>`'s form, submit `answers`, and return the confirmation."""
    name, opened = f"form{len(bot.slack.calls())}", len(bot.slack.calls("views.open"))
    bot.requester.send(
        slash_command(subcommand, channel_id="CPRICES", response_url=bot.slack.response_url(name))
    )
    view = opened_view(bot, opened + 1)
    answer = bot.requester.send(view_submission(view, state_values(view, answers)))
    assert answer.status == 200 and answer.body == ""
    return reply_text(wait_for_reply(bot, name))


def answer(bot: RunningBot, text: str, user: str = MEMBER) -> str:
    """What `/engage <text>` answers, as the person reads it (its one section)."""
    reply = run_command(bot, text, user=user)
    assert reply["response_type"] == "ephemeral"
    [block] = reply["blocks"]
    return str(block["text"]["text"])


def log(bot: RunningBot, segments: list[str], organisations: list[str]) -> str:
    return submit_form(
        bot,
        "log",
        {
            "summary": "Met them",
            "segments": [segment_id(bot.database, name) for name in segments],
            "organisations": [(name, name) for name in organisations],
        },
    )


def test_an_organisation_takes_the_engagements_one_segment_and_the_person_is_told(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    said = log(bot, ["central government"], ["Bank of England", "HM Treasury"])
    assert "Logged engagement *#1* for Prices" in said
    assert (
        "*Bank of England* is now recorded as Central government, this engagement's only "
        "audience segment. If it is not, change it: "
        "`/engage organisation Bank of England: <segment>`"
    ) in said
    assert "*HM Treasury* is now recorded as Central government" in said
    assert segment_of(bot.database, "Bank of England") == "central government"
    # Named again with academia too: it keeps its segment, and nothing is said of it.
    said = log(bot, ["central government", "academia and research"], ["bank of england", "LSE"])
    assert "Bank of England" not in said
    assert (
        "*LSE* has no audience segment recorded, as this engagement does not name exactly "
        "one. Set it: `/engage organisation LSE: <segment>`"
    ) in said
    assert segment_of(bot.database, "Bank of England") == "central government"
    assert segment_of(bot.database, "LSE") is None
    # An engagement of one segment gives it to an organisation that has none, and no other.
    said = log(bot, ["academia and research"], ["BBC News", "LSE", "HM Treasury"])
    assert "*BBC News* is now recorded as Academia and research" in said
    assert "*LSE* is now recorded as Academia and research" in said
    assert "HM Treasury" not in said
    assert segment_of(bot.database, "LSE") == "academia and research"
    assert segment_of(bot.database, "HM Treasury") == "central government"


def test_feedback_gives_an_organisation_the_segment_it_came_from(bot: RunningBot) -> None:
    make_team(bot.database)
    said = submit_form(bot, "feedback", {"text": "Weekly", "organisation": ("Acme", "Acme")})
    assert "*Acme* has no audience segment recorded, as this feedback does not name" in said
    assert segment_of(bot.database, "Acme") is None
    said = submit_form(
        bot,
        "feedback",
        {
            "text": "Monthly, please",
            "organisation": ("acme", "acme"),
            "segment": segment_id(bot.database, "media"),
        },
    )
    assert "*Acme* is now recorded as Media, this feedback's only audience segment." in said
    assert segment_of(bot.database, "Acme") == "media"


def test_engage_organisation_shows_an_organisations_segment_to_anyone(bot: RunningBot) -> None:
    make_team(bot.database)
    log(bot, ["central government"], ["Bank of England"])
    log(bot, ["central government", "media"], ["Acme <Ltd> & Co"])
    assert answer(bot, "organisation bank of england", user=OUTSIDER) == (
        "*Bank of England*: Central government. Change it with "
        "`/engage organisation Bank of England: <segment>`."
    )
    assert answer(bot, "organisation  acme <ltd> & co ") == (
        "*Acme &lt;Ltd&gt; &amp; Co* has no audience segment recorded: published statements "
        "list it under “Segment not recorded”. Set it with "
        "`/engage organisation Acme &lt;Ltd&gt; &amp; Co: <segment>`."
    )


def test_a_team_member_sets_an_organisations_segment(bot: RunningBot) -> None:
    make_team(bot.database)
    log(bot, ["central government", "media"], ["Bank of England"])
    said = answer(bot, "organisation bank of england:  Central Government ")
    assert (
        ":white_check_mark: *Bank of England* is now Central government (it had none "
        "recorded): published statements list it there from now on."
    ) in said
    assert segment_of(bot.database, "Bank of England") == "central government"
    said = answer(bot, "organisation Bank of England: media")
    assert "*Bank of England* is now Media (it was Central government)" in said
    said = answer(bot, "organisation Bank of England: media")
    assert "*Bank of England* is already Media. Nothing was changed." in said


def test_only_team_members_and_admins_set_a_segment(bot: RunningBot) -> None:
    make_team(bot.database)
    log(bot, ["central government", "media"], ["Bank of England"])
    said = answer(bot, "organisation Bank of England: media", user=OUTSIDER)
    assert (
        ":no_entry: Only a team's members (or a workspace admin) can set an organisation's "
        "audience segment, and you are in no team yet."
    ) in said
    assert segment_of(bot.database, "Bank of England") is None
    bot.slack.set_user(ADMIN, is_admin=True)
    said = answer(bot, "organisation Bank of England: media", user=ADMIN)
    assert "*Bank of England* is now Media" in said
    assert segment_of(bot.database, "Bank of England") == "media"


def test_an_unknown_organisation_or_segment_is_refused_naming_what_there_is(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    log(bot, ["central government", "media"], ["Bank of England", "Bank of Japan", "ONS"])
    said = answer(bot, "organisation bank: media")
    assert said == (
        ":warning: No organisation is called 'bank'. Organisations with 'bank' in their name: "
        "Bank of England, Bank of Japan."
    )
    said = answer(bot, "organisation <Nobody>")
    assert said == (
        ":warning: No organisation is called '&lt;Nobody&gt;'. An organisation joins the "
        "register when an engagement or feedback names it."
    )
    said = answer(bot, "organisation ONS: banks")
    assert said.startswith(
        ":warning: There is no audience segment called 'banks'. The audience segments are: "
        "Central government, Devolved and local government, Academia and research, Media,"
    )
    assert segment_of(bot.database, "ONS") is None
    assert count_rows(bot.database, Organisation) == 3  # nothing added


def test_engage_organisation_alone_says_how_and_lists_the_segments(bot: RunningBot) -> None:
    make_team(bot.database)
    said = answer(bot, "organisation")
    assert "`/engage organisation Bank of England: central government` sets it" in said
    assert "The audience segments are: Central government, Devolved and local government," in said
    assert "/engage organisation" in reply_text(run_command(bot, "help"))


def test_the_command_line_imports_and_exports_the_register(
    cli_database: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    make_team(cli_database)
    path = tmp_path / "organisations.csv"
    path.write_text("name,segment\nBank of England,central government\nAcme,aliens\n")
    code, out, err = run_cli(capsys, "import", "organisations", str(path))
    assert (code, out) == (1, "")
    assert err == (
        "Nothing was imported: 1 problem in 1 row.\n"
        "row 3: segment: unknown audience segment 'aliens'; use one of: central government, "
        "devolved and local government, academia and research, media, business and industry, "
        "charities and voluntary sector, international bodies, members of the public, "
        "internal users\n"
    )
    assert count_rows(cli_database, Organisation) == 0
    path.write_text("name,segment\nBank of England,central government\nAcme,\n")
    assert run_cli(capsys, "import", "organisations", str(path)) == (
        0,
        "Imported 2 organisations: 2 new, 0 with another segment than before, 0 as they were.\n",
        "",
    )
    assert segment_of(cli_database, "Bank of England") == "central government"
    assert run_cli(capsys, "export", "organisations") == (
        0,
        "name,segment\r\nBank of England,central government\r\nAcme,\r\n",
        "",
    )
    assert run_cli(capsys, "export", "organisations", "--team", "Prices") == (
        2,
        "",
        "engagebot: organisations are every team's: leave out --team\n",
    )


def test_the_longest_names_stay_within_slacks_limits(bot: RunningBot) -> None:
    make_team(bot.database)
    # 150 characters, each escaped to five: the longest name there can be, once shown.
    names = [f"{n}{'&' * 149}" for n in range(7)]
    name = f"form{len(bot.slack.calls())}"
    bot.requester.send(
        slash_command("log", channel_id="CPRICES", response_url=bot.slack.response_url(name))
    )
    view = opened_view(bot)
    answers = {"summary": "Met them", "organisations": [(n[:75], n) for n in names]}
    bot.requester.send(view_submission(view, state_values(view, answers)))
    reply = wait_for_reply(bot, name)
    notes = [block["elements"][0]["text"] for block in reply["blocks"][2:]]
    assert len(notes) == 6 and notes[-1] == "…and 2 more: `/engage organisation` and a name."
    assert all(len(note) <= 3000 for note in notes)
    assert "&amp;" * 149 in notes[0]
    shown = answer(bot, f"organisation {names[0]}: aliens")
    assert len(shown) <= 3000 and shown.startswith(":warning: There is no audience segment")
    assert len(answer(bot, f"organisation {names[0]}")) <= 3000


def test_a_form_from_the_shortcut_says_so_in_the_modal(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "log First, to remember my team")
    bot.requester.send(global_shortcut("log_engagement"))
    view = opened_view(bot)
    answers = {
        "summary": "From the shortcut",
        "segments": [segment_id(bot.database, "media")],
        "organisations": [("BBC News", "BBC News")],
    }
    answer = bot.requester.send(view_submission(view, state_values(view, answers)))
    assert answer.json["response_action"] == "update"
    shown = reply_text(answer.json["view"])
    assert "Logged engagement *#2*" in shown
    assert "*BBC News* is now recorded as Media, this engagement's only audience segment." in shown
