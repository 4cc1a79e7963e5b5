"""`/engage export [personal]`: the person's team's records as two CSV files, engagements
and feedback (as `engagebot export` writes them, so without contact names and emails
unless a workspace admin adds `personal`), sent to them alone in a direct message with
Slack's external upload flow.

The team is the one `team_for_person` finds (this channel's, else the one the person last
recorded for); only its members and workspace admins may export it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.base.slack_web import Upload, upload_files
from bot.base.text import escape_mrkdwn
from bot.changes.announcing import team_today
from bot.people.names import NameOf, no_names
from bot.people.permissions import Action
from bot.people.slack_names import SlackNames
from bot.transfer import export_records
from handlers.engage import CommandCall, EngageCommand, Subcommand
from handlers.failures import NOTHING_SENT, Notice, when_the_database_fails
from handlers.views.entries import notice_message, which_team_message
from storage.clock import utc_now
from storage.models import ProducerTeam
from storage.teams import team_for_person

PERSONAL = "personal"
USAGE = notice_message(
    "`/engage export` sends you your team's records (the team whose home this channel is, "
    "else the one you last recorded for) as CSV files in a direct message: run it in your "
    "team's channel. A workspace admin may add `personal` for contact names and emails."
)
NO_TEAM = which_team_message("Which team's records?")
# (kind, the noun for one record) of each file, in the order they are sent.
EXPORTED = (("engagements", "engagement"), ("feedback", "feedback item"))


@dataclass(frozen=True)
class RecordsFile:
    filename: str
    title: str
    content: bytes
    count: int
    noun: str  # one record's name

    @property
    def counted(self) -> str:
        return f"{self.count} {self.noun}{'' if self.count == 1 else 's'}"


def records_files(
    *,
    session: Session,
    team: ProducerTeam,
    day: date,
    include_personal: bool = False,
    name_of: NameOf = no_names,
) -> list[RecordsFile]:
    """The team's engagements and feedback as CSV files, UTF-8 with a byte order mark so
    that spreadsheets read the accents right (`engagebot import` reads it back); contact
    names and emails only with `include_personal`; who recorded each with their name."""
    slug = re.sub(r"[^a-z0-9]+", "-", team.name.lower()).strip("-") or "team"
    files = []
    for kind, noun in EXPORTED:
        out = io.StringIO()
        count = export_records(
            session=session,
            kind=kind,
            fmt="csv",
            team=team.name,
            since=None,
            out=out,
            include_personal=include_personal,
            name_of=name_of,
        )
        files.append(
            RecordsFile(
                filename=f"{slug}-{kind}-{day.isoformat()}.csv",
                title=f"{team.name}: {kind}, {day.day} {day:%b %Y}",
                content=out.getvalue().encode("utf-8-sig"),
                count=count,
                noun=noun,
            )
        )
    return files


@when_the_database_fails(Notice(NOTHING_SENT))
def run_export(call: CommandCall) -> None:
    if call.args.lower() not in ("", PERSONAL):
        call.respond(**USAGE)
        return
    personal = call.args.lower() == PERSONAL
    with call.database.transaction() as session:
        team = team_for_person(session=session, channel_id=call.channel_id, user_id=call.user_id)
        if team is None:
            call.respond(**NO_TEAM)
            return
        problem = call.requester.refusal(Action.EXPORT, session=session, team=team)
        if problem is None and personal:
            problem = call.requester.refusal(Action.EXPORT_PERSONAL, session=session)
        if problem is not None:
            call.respond(**notice_message(problem))
            return
        day = team_today(team, utc_now(), call.settings.timezone)
        files = records_files(
            session=session,
            team=team,
            day=day,
            include_personal=personal,
            name_of=SlackNames(call.client),
        )
    counts = " and ".join(file.counted for file in files)
    problem = _send(call, team.name, counts, files, personal)
    if problem:
        call.respond(
            **notice_message(
                f":warning: The files could not be sent: {problem}. Please try again in a minute."
            )
        )
        return
    call.respond(
        **notice_message(
            f":inbox_tray: Sent you {escape_mrkdwn(team.name)}'s records in a direct message "
            f"from engagebot: {counts}, as two CSV files."
        )
    )


def _send(
    call: CommandCall, team_name: str, counts: str, files: list[RecordsFile], personal: bool
) -> str | None:
    """Upload the files into the person's direct message with the bot; None, or what failed."""
    contacts = (
        "Contact names and emails are included: they are personal data, keep the files safe."
        if personal
        else "Contact names and emails are left out: they are personal data."
    )
    try:
        direct = call.client.conversations_open(users=call.user_id)["channel"]["id"]
        upload_files(
            call.client,
            [Upload(file.content, file.filename, file.title) for file in files],
            channel=direct,
            initial_comment=f"{escape_mrkdwn(team_name)}'s records: {counts}. {contacts}",
        )
    except SlackApiError as error:
        call.logger.warning("sending the export to %s failed", call.user_id, exc_info=True)
        return f"Slack said `{escape_mrkdwn(str(error.response.get('error')))}`"
    except OSError:  # the upload URL refused the bytes, or no network
        call.logger.warning("uploading the export for %s failed", call.user_id, exc_info=True)
        return "the upload to Slack failed"
    return None


def register(engage: EngageCommand) -> None:
    engage.add(
        Subcommand(
            "export",
            "Get your team's records (engagements and feedback) as CSV files, in a direct message.",
            ("/engage export", "/engage export personal"),
            run_export,
        )
    )
