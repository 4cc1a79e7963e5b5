"""A team's settings in the `/engage team` form: time zone, reminder days, the digest, the
engagement review and the target days between engagements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.runtime.console.payloads import slash_command, state_values, view_submission
from storage.models import ProducerTeam
from tests.conftest import RunningBot
from tests.e2e.helpers import inputs, make_team, opened_view, wait_for_reply
from tests.e2e.test_team import open_team_form, submit

pytestmark = pytest.mark.any_date

SETTINGS = ("timezone", "alert_lead_days", "digest_channel", "digest_cadence")
REVIEW = ("review_channel", "review_cadence")
TARGETS = ("target_days_high", "target_days_medium", "target_days_low")


def settings_of(bot: RunningBot) -> tuple[str | None, ...]:
    with bot.database.transaction() as session:
        team = session.get(ProducerTeam, 1)
        assert team is not None
        return (team.timezone, team.alert_lead_days, team.digest_channel_id, team.digest_cadence)


def edit_form(bot: RunningBot, reply: str = "team") -> dict[str, Any]:
    """Open the Prices form with `/engage team Prices`; the reply will come to `reply`."""
    opened = len(bot.slack.calls("views.open"))
    bot.requester.send(
        slash_command(
            "team Prices", channel_id="CRANDOM", response_url=bot.slack.response_url(reply)
        )
    )
    return opened_view(bot, opened + 1)


def test_creating_a_team_asks_no_settings_and_says_what_they_are(bot: RunningBot) -> None:
    bot.slack.set_user("U0001", is_admin=True)  # only an admin may create a team
    view = open_team_form(bot, channel="CNEW")
    assert not {*SETTINGS, *REVIEW, *TARGETS} & set(inputs(view))
    assert submit(bot, view, name="Prices") is None
    assert wait_for_reply(bot, "team")["text"].endswith(
        "\nTime zone: Europe/London (the default). Reminders 28, 7 and 1 days before a change. "
        "“You said, we did” digest: none. Change these with `/engage team Prices`."
    )
    assert settings_of(bot) == (None, None, None, None)


def test_editing_a_team_asks_its_settings_with_the_defaults_in_the_hints(
    bot: RunningBot,
) -> None:
    make_team(bot.database)
    view = edit_form(bot)
    fields = inputs(view)
    assert list(fields)[-10:] == [*SETTINGS, *REVIEW, *TARGETS, "public_address"]
    hints = {block["block_id"]: block.get("hint", {}).get("text") for block in view["blocks"]}
    assert hints["timezone"] == "An IANA name such as Europe/London. Blank: Europe/London."
    assert hints["alert_lead_days"].endswith("at most 6. Blank: 28, 7, 1.")
    assert fields["digest_channel"]["type"] == "conversations_select"
    assert [o["value"] for o in fields["digest_cadence"]["options"]] == [
        "quarterly",
        "monthly",
        "never",
    ]
    for field in ("timezone", "alert_lead_days"):
        assert "initial_value" not in fields[field]
    assert "initial_conversation" not in fields["digest_channel"]
    assert "initial_option" not in fields["digest_cadence"]


def test_settings_are_saved_normalised_shown_and_offered_again(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = submit(
        bot, edit_form(bot), timezone=" america/new_york ", alert_lead_days="7, 28,1, 7",
        digest_channel="CDIGEST",
    )  # fmt: skip
    assert answer is None
    assert wait_for_reply(bot, "team")["text"].endswith(
        "\nTime zone: America/New_York. Reminders 28, 7 and 1 days before a change. "
        "“You said, we did” digest: quarterly in <#CDIGEST>."
    )
    assert settings_of(bot) == ("America/New_York", "28,7,1", "CDIGEST", "quarterly")

    fields = inputs(edit_form(bot, reply="again"))
    assert fields["timezone"]["initial_value"] == "America/New_York"
    assert fields["alert_lead_days"]["initial_value"] == "28,7,1"
    assert fields["digest_channel"]["initial_conversation"] == "CDIGEST"
    assert fields["digest_cadence"]["initial_option"]["value"] == "quarterly"


def test_a_monthly_digest_and_then_none(bot: RunningBot) -> None:
    make_team(bot.database)
    assert submit(bot, edit_form(bot), digest_channel="CDIGEST", digest_cadence="monthly") is None
    assert "digest: monthly in <#CDIGEST>." in wait_for_reply(bot, "team")["text"]
    assert settings_of(bot) == (None, None, "CDIGEST", "monthly")
    # A channel cannot be unselected in Slack: "Never" turns the digest off.
    assert submit(bot, edit_form(bot, reply="off"), digest_cadence="never") is None
    assert "digest: none." in wait_for_reply(bot, "off")["text"]
    assert settings_of(bot) == (None, None, None, None)


def test_blank_settings_go_back_to_the_defaults(bot: RunningBot) -> None:
    make_team(bot.database)
    submit(bot, edit_form(bot), timezone="Asia/Tokyo", alert_lead_days="3")
    wait_for_reply(bot, "team")
    assert settings_of(bot) == ("Asia/Tokyo", "3", None, None)
    submit(bot, edit_form(bot, reply="blank"), timezone=None, alert_lead_days=" ")
    assert (
        "Europe/London (the default). Reminders 28, 7 and 1" in wait_for_reply(bot, "blank")["text"]
    )
    assert settings_of(bot) == (None, None, None, None)


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        (
            {"timezone": "Mars/Olympus"},
            {"timezone": "'Mars/Olympus' is not a time zone: use a name like Europe/London."},
        ),
        (
            {"timezone": "../../etc/passwd"},
            {"timezone": "'../../etc/passwd' is not a time zone: use a name like Europe/London."},
        ),
        (
            {"alert_lead_days": "28, soon"},
            {"alert_lead_days": "'soon' is not a whole number of days: write e.g. 28, 7, 1."},
        ),
        (
            {"alert_lead_days": "7, 1.5"},
            {"alert_lead_days": "'1.5' is not a whole number of days: write e.g. 28, 7, 1."},
        ),
        (
            {"alert_lead_days": "7, ²"},
            {"alert_lead_days": "'²' is not a whole number of days: write e.g. 28, 7, 1."},
        ),
        ({"alert_lead_days": "7, 0"}, {"alert_lead_days": "0 days: each must be from 1 to 365."}),
        ({"alert_lead_days": "400"}, {"alert_lead_days": "400 days: each must be from 1 to 365."}),
        (
            {"alert_lead_days": "1, 2, 3, 4, 5, 6, 7"},
            {"alert_lead_days": "7 reminders: a change can have at most 6."},
        ),
        (
            {"digest_cadence": "monthly"},
            {"digest_channel": "Choose the channel to post the digest in, or choose Never."},
        ),
        (
            {"timezone": "Nowhere", "alert_lead_days": "-1", "digest_cadence": "quarterly"},
            {
                "timezone": "'Nowhere' is not a time zone: use a name like Europe/London.",
                "alert_lead_days": "'-1' is not a whole number of days: write e.g. 28, 7, 1.",
                "digest_channel": "Choose the channel to post the digest in, or choose Never.",
            },
        ),
    ],
)
def test_each_bad_setting_is_refused_on_its_field(
    bot: RunningBot, answers: dict[str, str], errors: dict[str, str]
) -> None:
    make_team(bot.database)
    assert submit(bot, edit_form(bot), **answers) == {"response_action": "errors", "errors": errors}
    assert settings_of(bot) == (None, None, None, None)


def test_a_cadence_not_offered_is_refused(bot: RunningBot) -> None:
    make_team(bot.database)
    view = edit_form(bot)
    values = state_values(view, {"digest_channel": "CDIGEST"})
    values["digest_cadence"]["digest_cadence"]["selected_option"] = {
        "text": {"type": "plain_text", "text": "Weekly"},
        "value": "weekly",
    }
    answer = bot.requester.send(view_submission(view, values))
    assert answer.json == {
        "response_action": "errors",
        "errors": {"digest_cadence": "Choose how often, from the list."},
    }
    assert settings_of(bot) == (None, None, None, None)


def review_settings_of(bot: RunningBot) -> tuple[object, ...]:
    with bot.database.transaction() as session:
        team = session.get(ProducerTeam, 1)
        assert team is not None
        return (
            team.review_channel_id,
            team.review_cadence,
            team.target_days_high,
            team.target_days_medium,
            team.target_days_low,
        )


def test_the_review_and_the_targets_are_asked_with_their_defaults(bot: RunningBot) -> None:
    make_team(bot.database)
    view = edit_form(bot)
    fields = inputs(view)
    hints = {block["block_id"]: block.get("hint", {}).get("text") for block in view["blocks"]}
    assert fields["review_channel"]["type"] == "conversations_select"
    assert [o["value"] for o in fields["review_cadence"]["options"]] == [
        "monthly",
        "quarterly",
        "never",
    ]
    assert (
        hints["review_cadence"]
        == "Monthly if a channel is chosen; Never turns the review posts off."
    )
    assert [hints[field] for field in TARGETS] == [
        "Whole days from 1 to 3650. Blank: 30.",
        "Whole days from 1 to 3650. Blank: 90.",
        "Whole days from 1 to 3650. Blank: 180.",
    ]
    for field in TARGETS:
        assert "initial_value" not in fields[field]


def test_a_review_channel_and_targets_are_saved_shown_and_offered_again(bot: RunningBot) -> None:
    make_team(bot.database)
    answer = submit(
        bot, edit_form(bot), review_channel="CREVIEW", target_days_high=" 20 ",
        target_days_low="3650",
    )  # fmt: skip
    assert answer is None
    assert wait_for_reply(bot, "team")["text"].endswith(
        "“You said, we did” digest: none. Engagement review: monthly in <#CREVIEW>. "
        "Target days between engagements: high 20, medium 90, low 3650."
    )
    assert review_settings_of(bot) == ("CREVIEW", "monthly", 20, None, 3650)

    fields = inputs(edit_form(bot, reply="again"))
    assert fields["review_channel"]["initial_conversation"] == "CREVIEW"
    assert fields["review_cadence"]["initial_option"]["value"] == "monthly"
    assert fields["target_days_high"]["initial_value"] == "20"
    assert "initial_value" not in fields["target_days_medium"]

    submit(bot, edit_form(bot, reply="quarterly"), review_cadence="quarterly", target_days_high="")
    assert "Engagement review: quarterly in <#CREVIEW>." in wait_for_reply(bot, "quarterly")["text"]
    assert review_settings_of(bot) == ("CREVIEW", "quarterly", None, None, 3650)
    submit(bot, edit_form(bot, reply="off"), review_cadence="never")
    assert "Engagement review" not in wait_for_reply(bot, "off")["text"]
    assert review_settings_of(bot)[:2] == (None, None)


LONG_AGO = datetime(2025, 3, 3, 9, tzinfo=UTC)


def channels_chosen_at(bot: RunningBot, when: datetime | None = None) -> tuple[object, ...]:
    """When the team chose its digest and review channels (set to `when` first, if given)."""
    with bot.database.transaction() as session:
        team = session.get(ProducerTeam, 1)
        assert team is not None
        if when is not None:
            team.digest_channel_set_at = team.review_channel_set_at = when
            session.add(team)
        return team.digest_channel_set_at, team.review_channel_set_at


def test_choosing_or_changing_a_channel_notes_when_for_the_schedule(bot: RunningBot) -> None:
    """The scheduler posts no period that ended before its channel was chosen."""
    make_team(bot.database)
    assert channels_chosen_at(bot) == (None, None)
    submit(bot, edit_form(bot), digest_channel="CDIGEST", review_channel="CREVIEW")
    wait_for_reply(bot, "team")
    digest_chosen, review_chosen = channels_chosen_at(bot, when=LONG_AGO)
    assert digest_chosen is not None and review_chosen is not None
    submit(bot, edit_form(bot, reply="same"), target_days_high="20")  # the channels kept
    wait_for_reply(bot, "same")
    assert channels_chosen_at(bot) == (LONG_AGO, LONG_AGO)
    submit(bot, edit_form(bot, reply="moved"), review_channel="CELSEWHERE")
    wait_for_reply(bot, "moved")
    digest_chosen, review_chosen = channels_chosen_at(bot)
    assert digest_chosen == LONG_AGO and review_chosen not in (None, LONG_AGO)
    submit(bot, edit_form(bot, reply="off"), digest_cadence="never", review_cadence="never")
    wait_for_reply(bot, "off")
    assert channels_chosen_at(bot) == (None, None)


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        (
            {"review_cadence": "monthly"},
            {"review_channel": "Choose the channel to post the review in, or choose Never."},
        ),
        (
            {"target_days_high": "0", "target_days_medium": "3651", "target_days_low": "a week"},
            {
                "target_days_high": "0 days: the target must be from 1 to 3650.",
                "target_days_medium": "3651 days: the target must be from 1 to 3650.",
                "target_days_low": "'a week' is not a whole number of days: write e.g. 30.",
            },
        ),
        (
            {"target_days_medium": "-5", "target_days_low": "1.5"},
            {
                "target_days_medium": "'-5' is not a whole number of days: write e.g. 30.",
                "target_days_low": "'1.5' is not a whole number of days: write e.g. 30.",
            },
        ),
    ],
)
def test_a_bad_review_setting_or_target_is_refused_on_its_field(
    bot: RunningBot, answers: dict[str, str], errors: dict[str, str]
) -> None:
    make_team(bot.database)
    assert submit(bot, edit_form(bot), **answers) == {"response_action": "errors", "errors": errors}
    assert review_settings_of(bot) == (None, None, None, None, None)


def test_a_team_picks_the_address_of_its_public_pages(bot: RunningBot) -> None:
    make_team(bot.database)
    hint = next(
        block["hint"]["text"]
        for block in edit_form(bot)["blocks"]
        if block["block_id"] == "public_address"
    )
    assert "Blank: no public pages." in hint
    refused = submit(bot, edit_form(bot), public_address="prices division")
    assert refused == {
        "response_action": "errors",
        "errors": {
            "public_address": "Use lower-case letters, digits and hyphens, e.g. prices-division."
        },
    }
    assert submit(bot, edit_form(bot, reply="saved"), public_address=" Prices ") is None
    assert wait_for_reply(bot, "saved")["text"].endswith(
        "Public pages: at the address “prices” of the public site."
    )
    with bot.database.transaction() as session:
        team = session.get(ProducerTeam, 1)
        assert team is not None and team.public_slug == "prices"
    fields = inputs(edit_form(bot))
    assert fields["public_address"]["initial_value"] == "prices"
