"""`/engage export`: the team's records as two CSV files, uploaded into the person's direct
message with Slack's external upload flow (the fake Slack keeps the bytes)."""

from __future__ import annotations

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.runtime.console.slack_standin import UploadedFile
from storage.clock import utc_now
from tests.conftest import RunningBot
from tests.domain.test_statements import record
from tests.domain.test_users_map import engage
from tests.e2e.helpers import make_team, run_command
from tests.fake_slack import DROP


def rows(file: UploadedFile) -> list[dict[str, str]]:
    assert file.content.startswith(b"\xef\xbb\xbf")  # a BOM, for spreadsheets
    return list(csv.DictReader(io.StringIO(file.content.decode("utf-8-sig"))))


def seed(bot: RunningBot) -> None:
    make_team(bot.database)
    make_team(bot.database, "Health", "CHEALTH", "")
    engage(bot.database, date(2027, 1, 4), ["media"], summary="Met <b>journalists</b>")
    engage(bot.database, date(2027, 2, 8), summary="Webinar on CPI")
    engage(bot.database, date(2027, 2, 9), summary="Health's own", team="Health")
    record(
        bot.database, "Regional CPI please", date(2027, 3, 1), contact_agreed=True,
        contact_name="Jane Doe", contact_email="jane@example.org",
    )  # fmt: skip
    record(bot.database, "Health's feedback", date(2027, 3, 2), team="Health")


def test_the_records_arrive_as_two_csv_files_in_a_direct_message(bot: RunningBot) -> None:
    seed(bot)
    reply = run_command(bot, "export", user="U0001", channel="CPRICES")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        ":inbox_tray: Sent you Prices's records in a direct message from engagebot: "
        "2 engagements and 1 feedback item, as two CSV files."
    )
    assert bot.slack.calls("conversations.open")[0].args["users"] == "U0001"
    assert len(bot.slack.calls("files.getUploadURLExternal")) == 2
    assert len(bot.slack.calls("file_upload")) == 2
    (completed,) = bot.slack.calls("files.completeUploadExternal")
    assert completed.args["channel_id"] == "D0001"
    assert completed.args["initial_comment"] == (
        "Prices's records: 2 engagements and 1 feedback item. Contact names and emails are "
        "left out: they are personal data."
    )
    today = utc_now().astimezone(ZoneInfo("Europe/London")).date()
    engagements, feedback = bot.slack.uploaded_files()
    assert (engagements.filename, engagements.title, engagements.channel) == (
        f"prices-engagements-{today.isoformat()}.csv",
        f"Prices: engagements, {today.day} {today:%b %Y}",
        "D0001",
    )
    assert feedback.filename == f"prices-feedback-{today.isoformat()}.csv"
    assert [(row["id"], row["team"], row["summary"]) for row in rows(engagements)] == [
        ("1", "Prices", "Met <b>journalists</b>"),
        ("2", "Prices", "Webinar on CPI"),
    ]
    (item,) = rows(feedback)
    assert (item["text"], item["team"], item["contact_agreed"]) == (
        "Regional CPI please",
        "Prices",
        "true",
    )
    # Personal data never leaves by Slack: no contact name or email, in any column.
    assert "contact_name" not in item and "contact_email" not in item
    assert b"Jane Doe" not in feedback.content and b"jane@example.org" not in feedback.content
    answered = completed.response["files"]
    assert [file["id"] for file in answered] == [engagements.file_id, feedback.file_id]
    assert answered[0]["ims"] == ["D0001"]


def test_who_recorded_each_record_is_named_beside_their_slack_id(bot: RunningBot) -> None:
    make_team(bot.database)
    run_command(bot, "log Met the RSS", user="U0001")
    run_command(bot, "log Met the ONS user group", user="U0002")
    run_command(bot, "feedback Regional CPI please", user="U0001")
    known = {"U0001": {"id": "U0001", "real_name": "Jane Smith", "is_admin": True}}
    bot.slack.set_response(
        "users.info",
        lambda args: (
            {"ok": True, "user": known[args["user"]]}
            if args["user"] in known
            else {"ok": False, "error": "user_not_found"}
        ),
    )

    run_command(bot, "export", user="U0001", channel="CPRICES")

    engagements, feedback = bot.slack.uploaded_files()
    assert [row["logged_by"] for row in rows(engagements)] == ["Jane Smith (U0001)", "U0002"]
    assert [row["recorded_by"] for row in rows(feedback)] == ["Jane Smith (U0001)"]
    asked = [call.args["user"] for call in bot.slack.calls("users.info")]
    assert sorted(asked) == ["U0001", "U0001", "U0002"]  # whether an admin; each name once


def test_a_team_name_is_escaped_in_the_message_and_slugged_in_the_file_name(
    bot: RunningBot,
) -> None:
    make_team(bot.database, "R&D <Stats>", "CRD", "")
    reply = run_command(bot, "export", channel="CRD")
    assert reply["text"] == (
        ":inbox_tray: Sent you R&amp;D &lt;Stats&gt;'s records in a direct message from "
        "engagebot: 0 engagements and 0 feedback items, as two CSV files."
    )
    names = [file.filename for file in bot.slack.uploaded_files()]
    assert [name.rsplit("-", 3)[0] for name in names] == [
        "r-d-stats-engagements",
        "r-d-stats-feedback",
    ]
    assert [rows(file) for file in bot.slack.uploaded_files()] == [[], []]


def test_without_a_team_nothing_is_sent(bot: RunningBot) -> None:
    seed(bot)
    reply = run_command(bot, "export", user="U0042", channel="CNOWHERE")
    assert reply["text"] == (
        "Which team's records? This channel is no team's home, and you haven't recorded for "
        "a team yet: run it in your team's channel, or ask a workspace admin to create your "
        "team with `/engage team`."
    )
    assert bot.slack.calls("files.getUploadURLExternal") == []


def test_export_takes_no_name(bot: RunningBot) -> None:
    seed(bot)
    reply = run_command(bot, "export Health", channel="CPRICES")
    assert reply["text"].startswith("`/engage export` sends you your team's records")
    assert "A workspace admin may add `personal`" in reply["text"]
    assert bot.slack.uploaded_files() == []


def test_contact_details_go_only_to_an_admin_who_asks(bot: RunningBot) -> None:
    seed(bot)
    bot.slack.set_user("UADMIN", is_admin=True)  # not a member of Prices: admins need not be
    refused = run_command(bot, "export personal", user="U0001", channel="CPRICES")
    assert refused["text"].startswith(
        ":no_entry: Only a workspace admin can export contact names and emails"
    )
    assert bot.slack.uploaded_files() == []
    reply = run_command(bot, "export Personal", user="UADMIN", channel="CPRICES")
    assert reply["text"].startswith(":inbox_tray: Sent you Prices's records")
    (completed,) = bot.slack.calls("files.completeUploadExternal")
    assert completed.args["initial_comment"].endswith(
        "Contact names and emails are included: they are personal data, keep the files safe."
    )
    _engagements, feedback = bot.slack.uploaded_files()
    (item,) = rows(feedback)
    assert (item["contact_name"], item["contact_email"]) == ("Jane Doe", "jane@example.org")


def test_when_slack_refuses_the_person_is_told(bot: RunningBot) -> None:
    seed(bot)
    bot.slack.fail_next("files.completeUploadExternal", "invalid_channel")
    reply = run_command(bot, "export", channel="CPRICES")
    assert reply["text"] == (
        ":warning: The files could not be sent: Slack said `invalid_channel`. "
        "Please try again in a minute."
    )
    assert bot.slack.uploaded_files() == []


@pytest.mark.parametrize("status", [429, 500, 502, DROP])
def test_an_upload_slack_fails_once_is_tried_again(bot: RunningBot, status: int) -> None:
    seed(bot)
    bot.slack.fail_next("file_upload", "upstream failed", status=status)
    reply = run_command(bot, "export", channel="CPRICES")
    assert "could not be sent" not in reply["text"]
    assert len(bot.slack.uploaded_files()) == 2  # both files, all their bytes
    first, again = bot.slack.calls("file_upload")[:2]
    assert first.response == "upstream failed"
    assert again.args["_file_id"] == first.args["_file_id"]
    assert again.response.startswith("OK")


def test_when_the_upload_fails_the_person_is_told(bot: RunningBot) -> None:
    seed(bot)
    # More failures in a row than the client's retries.
    bot.slack.fail_next("file_upload", "upstream failed", status=500, times=3)
    reply = run_command(bot, "export", channel="CPRICES")
    assert reply["text"] == (
        ":warning: The files could not be sent: the upload to Slack failed. "
        "Please try again in a minute."
    )
    assert bot.slack.calls("files.completeUploadExternal") == []
