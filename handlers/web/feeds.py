"""A team's feeds, for a user to follow in their own tools: Atom (feedgen) for its changes
and its "You said, we did", iCalendar (icalendar) for the dates of its changes, their
feedback deadlines and its opportunities. What the team wrote goes in as text, escaped by
the libraries; the interface's words are translated as the pages' are.

Every entry and event is named by a URN made from its record (its workspace, kind and id),
never from the address the team picks, so a reader that saw it once knows it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from bot.public.contents import IN_EFFECT, ChangesPage, PublicChange, PublicOpportunity
from bot.statements.you_said_we_did import NO_NOTE, Statement
from handlers.web.rendering import long_date, translations
from storage.changes import CANCELLED

ATOM = "application/atom+xml; charset=utf-8"
CALENDAR = "text/calendar; charset=utf-8"
# The namespace of every entry's and event's UUID (a fixed, made-up one: engagebot's).
NAMESPACE = UUID("5a0b7c1e-3f2d-4e8a-9b6c-2d1e0f4a7b93")
STATEMENT_PERIODS = 4  # the quarters the "You said, we did" feed holds, the current one first


@dataclass(frozen=True)
class FeedOf:
    """The team a feed is of, and where its pages are."""

    workspace: str
    team_id: int
    team: str
    language: str
    zone: ZoneInfo
    self_url: str  # the feed's own address
    page_url: str  # the page it follows
    updated: datetime  # a feed's moment when it has no entry (the team's last edit)

    def urn(self, *name: object) -> str:
        return uuid5(NAMESPACE, "/".join(str(part) for part in (self.workspace, *name))).urn

    def day_began(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.zone).astimezone(UTC)


def changes_feed(of: FeedOf, changes: ChangesPage, anchor: Callable[[int], str]) -> bytes:
    """The Atom feed of the team's changes (to come, and of the last year): an entry a
    change, updated at each edit, at its cancellation and when it takes effect."""
    _ = translations(of.language).gettext
    feed = _feed(of, _("Changes to our statistics"), of.urn("team", of.team_id, "changes"))
    for change in (*changes.upcoming, *changes.decided):
        entry = feed.add_entry(order="append")
        entry.id(of.urn("change", change.id))
        title = change.title
        if change.state == CANCELLED:
            title = _("Cancelled: %(title)s") % {"title": change.title}
        entry.title(title)
        entry.link(href=anchor(change.id), rel="alternate", type="text/html")
        updated = change.updated_at
        if change.state == IN_EFFECT:
            updated = max(updated, of.day_began(change.effective_on))
        entry.updated(updated)
        entry.content(_change_text(change, changes, of.language), type="text")
    return _finished(feed, of)


def statement_feed(
    of: FeedOf, statements: Sequence[tuple[Statement, str, datetime]], today: date
) -> bytes:
    """The Atom feed of the team's "You said, we did": an entry a quarter that has any
    feedback, updated when an item of it is (a decision, a note), with each item and what
    was done. `statements`: each quarter's statement, its page and when it last changed."""
    _ = translations(of.language).gettext
    feed = _feed(of, _("You said, we did"), of.urn("team", of.team_id, "you-said-we-did"))
    for statement, url, updated in statements:
        if not statement.total:
            continue
        entry = feed.add_entry(order="append")
        entry.id(of.urn("team", of.team_id, "you-said-we-did", statement.period_from))
        first, last = (
            long_date(day, of.language) for day in (statement.period_from, statement.period_to)
        )
        if statement.period_to >= today:
            title = _("Feedback received from %(first)s, so far.") % {"first": first}
        else:
            title = _("Feedback received from %(first)s to %(last)s.") % {
                "first": first,
                "last": last,
            }
        entry.title(title)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.updated(updated)
        entry.content(_statement_text(statement, of.language), type="text")
    return _finished(feed, of)


def calendar(
    of: FeedOf,
    changes: ChangesPage,
    opportunities: Sequence[PublicOpportunity],
    opportunities_url: str,
    anchor: Callable[[int], str],
    now: datetime,
) -> bytes:
    """The iCalendar of the team's dates, each an all-day event: each change taking effect,
    each feedback deadline, each open opportunity (with the places left). A cancelled
    change's events stay, cancelled; a cancelled opportunity is no longer there."""
    _ = translations(of.language).gettext
    found = Calendar()
    found.add("prodid", "-//engagebot//public site//EN")
    found.add("version", "2.0")
    found.add("calscale", "GREGORIAN")
    found.add("method", "PUBLISH")
    found.add("x-wr-calname", f"{of.team}: {_('Changes and opportunities')}")
    for change in (*changes.upcoming, *changes.decided):
        status = "CANCELLED" if change.state == CANCELLED else "CONFIRMED"
        sequence = change.revision + (change.state == CANCELLED)
        text = _change_text(change, changes, of.language)
        days = [("in-effect", _("Takes effect: %(title)s"), change.effective_on)]
        if change.feedback_by is not None:
            days.append(("feedback-closes", _("Feedback closes: %(title)s"), change.feedback_by))
        for kind, summary, day in days:
            event = _event(of.urn("change", change.id, kind), day, now, change.updated_at)
            event.add("summary", summary % {"title": change.title})
            event.add("description", text)
            event.add("url", anchor(change.id))
            event.add("status", status)
            event.add("sequence", sequence)
            found.add_component(event)
    for opportunity in opportunities:
        event = _event(
            of.urn("opportunity", opportunity.id),
            opportunity.happens_on,
            now,
            opportunity.updated_at,
        )
        event.add("summary", opportunity.title)
        event.add("location", opportunity.place)
        event.add(
            "description",
            f"{opportunity.description}\n\n{_places_left(opportunity, of.language)}",
        )
        event.add("url", opportunities_url)
        event.add("status", "CONFIRMED")
        found.add_component(event)
    return bytes(found.to_ical())


def _feed(of: FeedOf, title: str, feed_id: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(f"{title}: {of.team}")
    feed.author({"name": of.team})
    feed.link(href=of.page_url, rel="alternate", type="text/html")
    feed.link(href=of.self_url, rel="self", type="application/atom+xml")
    feed.language(of.language)
    return feed


def _finished(feed: FeedGenerator, of: FeedOf) -> bytes:
    """The feed as Atom, updated when its latest entry was."""
    feed.updated(max((entry.updated() for entry in feed.entry()), default=of.updated))
    return bytes(feed.atom_str(pretty=True))


def _event(uid: str, day: date, now: datetime, modified: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("last-modified", modified)
    event.add("dtstart", day)  # a date: an all-day event
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a date to know, not time taken
    return event


def _change_text(change: PublicChange, changes: ChangesPage, language: str) -> str:
    _ = translations(language).gettext
    day = long_date(change.effective_on, language)
    affects = ", ".join(_(affected) for affected in change.affects) or _("Not said")
    if changes.feedback_open(change):
        assert change.feedback_by is not None
        feedback = _("Open until %(day)s") % {"day": long_date(change.feedback_by, language)}
    elif change.feedback_by is not None:
        feedback = _("Closed on %(day)s") % {"day": long_date(change.feedback_by, language)}
    else:
        feedback = _("Not asked for")
    lines = [
        f"{_('Statistics')}: {change.output}",
        f"{_('Takes effect')}: {day}",
        f"{_('Who it affects')}: {affects}",
        f"{_('Your feedback')}: {feedback}",
    ]
    if change.state == CANCELLED:
        lines.append(f"{_('What happened')}: {_('Cancelled')} {change.cancel_reason or ''}")
    elif change.state == IN_EFFECT:
        lines.append(f"{_('What happened')}: {_('In effect')}")
    return "\n".join([*lines, "", f"{_('What changes and why')}:", change.description]).strip()


def _statement_text(statement: Statement, language: str) -> str:
    _ = translations(language).gettext
    blocks = []
    for group in statement.themes:
        blocks.append(_(group.theme) if group.theme == "Other" else group.theme)
        for item in group.items:
            did = _(item.did) if item.did == NO_NOTE.get(item.status) else item.did
            blocks.append(
                f"{_('You said')} ({long_date(item.received_on, language)}): {item.said}\n"
                f"{_(item.outcome)}: {did}"
            )
    return "\n\n".join(blocks)


def _places_left(opportunity: PublicOpportunity, language: str) -> str:
    translated = translations(language)
    if not opportunity.places_left:
        return translated.gettext("Full")
    return translated.ngettext(
        "%(num)d of %(places)d place left",
        "%(num)d of %(places)d places left",
        opportunity.places_left,
    ) % {"num": opportunity.places_left, "places": opportunity.places}
