"""The "You said, we did" statement: what it gathers (on SQLite and PostgreSQL), its
markdown, HTML and Slack forms, and when a team's digest falls due."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from bot.feedback.decisions import decide, merge
from bot.feedback.recording import FeedbackDraft, save_feedback
from bot.statements.you_said_we_did import (
    Statement,
    StatementItem,
    StatementRefused,
    ThemeGroup,
    digest_due_at,
    digest_key,
    latest_digest_due,
    latest_digest_period,
    you_said_we_did,
)
from bot.statements.you_said_we_did_formats import (
    escape_markdown,
    statement_html,
    statement_markdown,
)
from handlers.views.limits import MESSAGE_BLOCKS_MAX, SECTION_MAX
from handlers.views.statements import digest_message
from storage.database import Database
from storage.models import Feedback
from storage.reference import segments_by_name
from storage.teams import team_named
from tests.e2e.helpers import make_team

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
LONDON = ZoneInfo("Europe/London")


def record(
    database: Database,
    text: str,
    received_on: date,
    themes: tuple[str, ...] = (),
    segment: str | None = None,
    decisions: tuple[tuple[str, str | None], ...] = (),
    team: str = "Prices",
    **fields: object,
) -> int:
    """Record feedback, then take each (status, note) decision on it in turn."""
    with database.transaction() as session:
        segment_id = segments_by_name(session=session)[segment].id if segment else None
        item = save_feedback(
            session=session,
            draft=FeedbackDraft(
                text,
                team_id=team_named(session=session, name=team).id,  # type: ignore[union-attr]
                received_on=received_on,
                themes=list(themes),
                segment_id=segment_id,
                **fields,  # type: ignore[arg-type]
            ),
            today=received_on,
            user_id="URECORDER",
        )
        for status, note in decisions:
            decide(
                session=session, feedback_id=item.id, to_status=status, note=note, user_id="ULEAD"
            )  # type: ignore[arg-type]
        return item.id  # type: ignore[return-value]


def seed(database: Database) -> None:
    """Five items of Prices in the first quarter of 2026, and others that must not show."""
    make_team(database)
    make_team(database, "Health", "CHEALTH", "")
    record(
        database, "Publish <b>earlier</b> & faster", date(2026, 1, 1), ("timeliness",), "media",
        (("planned", "In the spring."), ("done", "We now publish at 7am.")),
    )  # fmt: skip
    regional = record(
        database, "Regional CPI *please*", date(2026, 2, 10), ("geography", "timeliness"),
        "central government", (("planned", None),),
        organisation="HM Treasury", contact_agreed=True, contact_name="Jane Doe",
        contact_email="jane@example.org",
    )  # fmt: skip
    record(
        database, "Monthly figures", date(2026, 3, 31),
        decisions=(("not_planned", "The survey behind it is quarterly."),),
    )  # fmt: skip
    record(database, "Add a [link](http://evil.example)", date(2026, 2, 20), ("geography",))
    record(
        database, "Faster revisions", date(2026, 3, 1), ("timeliness",),
        decisions=(("under_consideration", "We are testing a faster process."),),
    )  # fmt: skip
    record(database, "Too early", date(2025, 12, 31), ("timeliness",))
    record(database, "Too late", date(2026, 4, 1), ("timeliness",))
    record(database, "Another team's", date(2026, 2, 1), ("timeliness",), team="Health")
    merged = record(database, "Regional figures (said twice)", date(2026, 2, 11), ("geography",))
    with database.transaction() as session:
        item = session.get(Feedback, merged)
        assert item is not None
        item.merged_into_id = regional
        session.add(item)


def statement_of(database: Database, period: tuple[date, date] = Q1) -> Statement:
    with database.transaction() as session:
        team = team_named(session=session, name="Prices")
        assert team is not None
        return you_said_we_did(
            session=session, team=team, period_from=period[0], period_to=period[1]
        )


def test_the_statement_groups_the_periods_feedback_by_theme(database: Database) -> None:
    seed(database)
    statement = statement_of(database)
    assert (statement.team_name, statement.period_from, statement.period_to) == ("Prices", *Q1)
    shown = [
        (group.theme, [(item.said, item.outcome, item.did) for item in group.items])
        for group in statement.themes
    ]
    assert shown == [
        ("Timeliness", [
            ("Publish <b>earlier</b> & faster", "Done", "We now publish at 7am."),
            ("Regional CPI *please*", "Planned", "We plan to do this."),
            ("Faster revisions", "Under consideration", "We are testing a faster process."),
        ]),
        ("Geography", [
            ("Regional CPI *please*", "Planned", "We plan to do this."),
            ("Add a [link](http://evil.example)", "Not yet decided",
             "We will say here what we do about it."),
        ]),
        ("Other", [
            ("Monthly figures", "Not planned", "The survey behind it is quarterly."),
        ]),
    ]  # fmt: skip
    first = statement.themes[0].items[0]
    assert (first.segment, first.received_on) == ("media", date(2026, 1, 1))
    # Each item counted once, though one is listed under two themes.
    assert statement.counts == {
        "done": 1, "planned": 1, "under_consideration": 1, "not_planned": 1, "new": 1,
    }  # fmt: skip
    assert statement.total == 5


def test_a_merge_leaves_the_kept_items_own_note_in_the_statement(database: Database) -> None:
    make_team(database)
    kept = record(
        database, "Local authority tables", date(2026, 2, 1),
        decisions=(("planned", "We plan a local authority table from March."),),
    )  # fmt: skip
    twin = record(database, "Tables by council please", date(2026, 2, 2))
    with database.transaction() as session:
        merge(session=session, keep_id=kept, merge_id=twin, user_id="ULEAD")
    (group,) = statement_of(database).themes
    assert [(item.said, item.outcome, item.did) for item in group.items] == [
        ("Local authority tables", "Planned", "We plan a local authority table from March.")
    ]


def test_a_period_with_no_feedback_and_a_period_backwards(database: Database) -> None:
    seed(database)
    empty = statement_of(database, (date(2024, 1, 1), date(2024, 12, 31)))
    assert (empty.themes, empty.counts, empty.total) == ((), {}, 0)
    assert "No feedback was received in this period." in statement_markdown(empty)
    with pytest.raises(StatementRefused, match=r"ends \(2026-01-01\) before it starts"):
        statement_of(database, (date(2026, 3, 1), date(2026, 1, 1)))


def test_the_statement_takes_two_queries_however_many_items(database: Database) -> None:
    seed(database)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def queries() -> int:
        statements.clear()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            statement_of(database)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        return len(statements)

    before = queries()
    for day in range(1, 9):
        record(database, f"More {day}", date(2026, 3, day), ("timeliness", f"theme {day}"))
    assert queries() == before


MARKDOWN = """\
# You said, we did: Prices

Feedback received from 1 January 2026 to 31 March 2026.

5 feedback items on 3 themes: 1 done, 1 planned, 1 under consideration, 1 not planned, \
1 not yet decided.

## Timeliness (3)

- **You said:** Publish \\<b\\>earlier\\</b\\> \\& faster _(Media, received 1 January 2026)_
  - **Done:** We now publish at 7am.
- **You said:** Regional CPI \\*please\\* _(Central government, received 10 February 2026)_
  - **Planned:** We plan to do this.
- **You said:** Faster revisions _(Received 1 March 2026)_
  - **Under consideration:** We are testing a faster process.

## Geography (2)

- **You said:** Regional CPI \\*please\\* _(Central government, received 10 February 2026)_
  - **Planned:** We plan to do this.
- **You said:** Add a \\[link\\](http://evil.example) _(Received 20 February 2026)_
  - **Not yet decided:** We will say here what we do about it.

## Other (1)

- **You said:** Monthly figures _(Received 31 March 2026)_
  - **Not planned:** The survey behind it is quarterly.
"""


def test_the_markdown_statement(database: Database) -> None:
    seed(database)
    assert statement_markdown(statement_of(database)) == MARKDOWN


def test_markdown_shows_what_was_typed_literally() -> None:
    assert escape_markdown("a*b_c `d` [e](f) <g> #h |i| ~j~ &k \\l") == (
        "a\\*b\\_c \\`d\\` \\[e\\](f) \\<g\\> \\#h \\|i\\| \\~j\\~ \\&k \\\\l"
    )
    assert escape_markdown("two\n\n- lines") == "two - lines"


def test_the_html_statement_is_a_whole_escaped_page(database: Database) -> None:
    seed(database)
    page = statement_html(statement_of(database))
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert page.endswith("</main>\n</body>\n</html>\n")
    assert "<title>You said, we did: Prices</title>" in page
    assert "<h2>Timeliness (3)</h2>" in page
    assert (
        '<li><p class="said"><strong>You said:</strong> Publish &lt;b&gt;earlier&lt;/b&gt; '
        '&amp; faster</p><p class="about">Media, received 1 January 2026</p>'
        '<p class="did"><strong>Done:</strong> We now publish at 7am.</p></li>'
    ) in page
    assert "<b>" not in page and "http://evil.example" in page and "<a " not in page
    assert (
        '<p class="summary">5 feedback items on 3 themes: 1 done, 1 planned, '
        "1 under consideration, 1 not planned, 1 not yet decided.</p>"
    ) in page


def test_html_escapes_quotes_and_keeps_line_breaks() -> None:
    item = StatementItem(1, date(2026, 1, 5), 'Say "hi"\nto <all>', None, "new", "Soon & 'then'")
    page = statement_html(
        Statement('R&D "stats"', *Q1, (ThemeGroup("<script>", (item,)),), {"new": 1})
    )
    # Quotes as Jinja2's autoescape (markupsafe) spells them: &#34; and &#39;.
    assert "<title>You said, we did: R&amp;D &#34;stats&#34;</title>" in page
    assert "<h2>&lt;script&gt; (1)</h2>" in page
    assert "Say &#34;hi&#34;\nto &lt;all&gt;" in page
    assert "Soon &amp; &#39;then&#39;" in page
    assert "<script>" not in page


def test_no_personal_data_reaches_any_form_of_the_statement(database: Database) -> None:
    seed(database)
    statement = statement_of(database)
    message = digest_message(statement)
    for published in (statement_markdown(statement), statement_html(statement), str(message)):
        for personal in ("Jane", "jane@example.org", "HM Treasury", "URECORDER", "ULEAD"):
            assert personal not in published
    for merged_or_elsewhere in ("said twice", "Too early", "Too late", "Another team"):
        assert merged_or_elsewhere not in str(message)


def test_the_digest_message_for_slack(database: Database) -> None:
    seed(database)
    message = digest_message(statement_of(database))
    assert message["text"] == (
        "You said, we did: Prices. Feedback received from 1 January 2026 to 31 March 2026. "
        "5 feedback items on 3 themes: 1 done, 1 planned, 1 under consideration, "
        "1 not planned, 1 not yet decided."
    )
    blocks = message["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "You said, we did: Prices", "emoji": True},
    }
    assert [block["type"] for block in blocks] == ["header", "section", "section"]
    items = blocks[2]["text"]["text"]
    assert items.startswith(
        "*Timeliness* (3)\n"
        "• Publish &lt;b&gt;earlier&lt;/b&gt; &amp; faster _(Media, received 1 January 2026)_\n"
        "      *Done:* We now publish at 7am.\n"
    )
    assert "\n\n*Other* (1)\n• Monthly figures _(Received 31 March 2026)_\n" in items


def test_a_long_digest_keeps_within_slacks_limits_and_says_what_is_left_out() -> None:
    worst = "&" * 3000  # the longest text, every character escaped to five
    items = tuple(
        StatementItem(n, date(2026, 1, 1), worst, "members of the public", "done", worst)
        for n in range(1, 401)
    )
    groups = (ThemeGroup("&" * 60, items[:300]), ThemeGroup("Other", items[300:]))
    statement = Statement("R&D <team>", *Q1, groups, {"done": 400})
    blocks = digest_message(statement)["blocks"]
    assert len(blocks) == MESSAGE_BLOCKS_MAX
    assert all(len(block["text"]["text"]) <= SECTION_MAX for block in blocks[1:-1])
    shown = sum(block["text"]["text"].count("• ") for block in blocks[2:-1])
    assert blocks[-1]["type"] == "context"
    assert blocks[-1]["elements"][0]["text"] == (
        f"…and {400 - shown} more. For the whole statement, run `engagebot publish "
        "you-said-we-did --team 'R&amp;D &lt;team&gt;' --from 2026-01-01 --to 2026-03-31`."
    )
    assert "(continued)" in blocks[3]["text"]["text"]


def test_a_digest_that_fits_says_nothing_is_left_out() -> None:
    item = StatementItem(1, date(2026, 1, 5), "Hello", None, "new", "Soon")
    message = digest_message(Statement("Prices", *Q1, (ThemeGroup("Other", (item,)),), {"new": 1}))
    assert len(message["blocks"]) == 3
    assert "more" not in str(message["blocks"])


# The digest's schedule


@pytest.mark.parametrize(
    ("cadence", "today", "period"),
    [
        ("quarterly", date(2026, 1, 1), (date(2025, 10, 1), date(2025, 12, 31))),
        ("quarterly", date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        ("quarterly", date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        ("quarterly", date(2026, 8, 15), (date(2026, 4, 1), date(2026, 6, 30))),
        ("quarterly", date(2026, 12, 31), (date(2026, 7, 1), date(2026, 9, 30))),
        ("monthly", date(2026, 1, 1), (date(2025, 12, 1), date(2025, 12, 31))),
        ("monthly", date(2024, 3, 1), (date(2024, 2, 1), date(2024, 2, 29))),  # leap year
        ("monthly", date(2025, 3, 10), (date(2025, 2, 1), date(2025, 2, 28))),
        ("monthly", date(2026, 5, 31), (date(2026, 4, 1), date(2026, 4, 30))),
    ],
)
def test_the_latest_complete_period(cadence: str, today: date, period: tuple[date, date]) -> None:
    assert latest_digest_period(cadence, today) == period


def test_an_unknown_cadence_is_refused() -> None:
    with pytest.raises(ValueError, match="weekly"):
        latest_digest_period("weekly", date(2026, 1, 1))


def test_a_digest_is_due_at_nine_team_local_on_the_first_day_after_its_period() -> None:
    # Winter: London is on UTC; summer: on UTC+1, so 09:00 is 08:00 UTC.
    assert digest_due_at(date(2025, 12, 31), LONDON) == datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert digest_due_at(date(2026, 3, 31), LONDON) == datetime(2026, 4, 1, 8, tzinfo=UTC)
    assert digest_due_at(date(2024, 2, 29), LONDON) == datetime(2024, 3, 1, 9, tzinfo=UTC)
    # Auckland's new year starts while it is still the old year in UTC.
    auckland = ZoneInfo("Pacific/Auckland")
    assert digest_due_at(date(2025, 12, 31), auckland) == datetime(2025, 12, 31, 20, tzinfo=UTC)


def test_which_period_is_due_across_the_year_boundary() -> None:
    def due(cadence: str, moment: datetime, zone: ZoneInfo = LONDON) -> object:
        return latest_digest_due(cadence, zone, moment)[0]

    last_quarter = (date(2025, 10, 1), date(2025, 12, 31))
    third_quarter = (date(2025, 7, 1), date(2025, 9, 30))
    assert due("quarterly", datetime(2026, 1, 1, 8, 59, tzinfo=UTC)) == third_quarter
    assert due("quarterly", datetime(2026, 1, 1, 9, 0, tzinfo=UTC)) == last_quarter
    assert due("quarterly", datetime(2026, 2, 14, 12, tzinfo=UTC)) == last_quarter
    assert due("monthly", datetime(2026, 1, 1, 9, tzinfo=UTC)) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    # In Auckland it is already 1 January 2026, 09:00, at 20:00 UTC on 31 December.
    auckland = ZoneInfo("Pacific/Auckland")
    assert due("quarterly", datetime(2025, 12, 31, 19, 59, tzinfo=UTC), auckland) == (third_quarter)
    assert due("quarterly", datetime(2025, 12, 31, 20, 0, tzinfo=UTC), auckland) == last_quarter
    # The day after a leap February.
    assert due("monthly", datetime(2024, 3, 1, 9, tzinfo=UTC)) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )
    assert due("monthly", datetime(2024, 3, 1, 8, tzinfo=UTC)) == (
        date(2024, 1, 1),
        date(2024, 1, 31),
    )
    assert latest_digest_due("monthly", LONDON, datetime(2024, 3, 1, 8, tzinfo=UTC))[1] == (
        datetime(2024, 2, 1, 9, tzinfo=UTC)
    )


def test_a_digest_key_names_team_period_and_channel() -> None:
    quarter = (date(2026, 1, 1), date(2026, 3, 31))
    january = (date(2026, 1, 1), date(2026, 1, 31))
    assert digest_key(3, quarter, "C0DIGEST") == "digest:3:2026-01-01:2026-03-31:C0DIGEST"
    assert digest_key(3, january, "C0DIGEST") != digest_key(3, quarter, "C0DIGEST")
