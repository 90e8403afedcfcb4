"""The iCalendar feed of a person's timetable, at a secret per-user address.

Calendar apps subscribe to a URL and cannot sign in, so the URL itself is the key
(``User.calendar_token``; rotated by ``parta.accounts.services.calendar_token_reset``).
The feed covers a sliding window around today; apps poll it and replace what they had.
A guardian's feed also carries their children's lessons, each marked with the child's name.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Timezone, vDuration

from parta.accounts.models import User
from parta.core import replicas, rows, versions
from parta.core.names import room_label
from parta.schools.access import roles_of
from parta.schools.selectors import children_of
from parta.timetable.selectors import LessonRow, lessons_for_person, lessons_for_students, shown_tokens

# Two weeks back (what was missed, what the topic was) to ten weeks ahead (the rest of a quarter).
WINDOW_BEFORE = dt.timedelta(weeks=2)
WINDOW_AFTER = dt.timedelta(weeks=10)
# Asked of calendar apps that honour it; most poll on their own schedule anyway.
REFRESH_INTERVAL = dt.timedelta(hours=1)
PRODID = "-//Parta//Timetable//EN"


@dataclass(frozen=True)
class FeedLesson:
    """One lesson in one person's timetable (a guardian's feed may hold the same lesson for two children)."""

    row: LessonRow
    person_id: int
    # The child's first name in a guardian's feed; None in a person's own timetable.
    label: str | None = None


@dataclass(frozen=True)
class _Words:
    """The feed's sentences in the active language, translated once per feed rather than per
    event (each translation is a context lookup; a feed has hundreds of events)."""

    taught_by: str
    cancelled: str
    topic: str
    substitution: str
    teacher: str
    cancelled_note: str
    online: str
    # Each room's label, made once per feed (a feed names a few rooms hundreds of times).
    rooms: dict[str | None, str | None] = field(default_factory=dict)

    def room(self, name: str | None) -> str | None:
        if name not in self.rooms:
            self.rooms[name] = room_label(name)
        return self.rooms[name]

    @classmethod
    def now(cls) -> _Words:
        return cls(
            taught_by=_("%(lesson)s (taught by %(teacher)s)"),
            cancelled=_("Cancelled: %(lesson)s"),
            topic=_("Topic: %(topic)s"),
            substitution=_("Substitution: %(teacher)s instead of %(replaced)s"),
            teacher=_("Teacher: %(teacher)s"),
            cancelled_note=_("The lesson is cancelled."),
            online=_("Online lesson: %(link)s"),
        )


def _summary(item: FeedLesson, words: _Words) -> str:
    row = item.row
    summary = f"{row.subject} — {row.subgroup or row.class_group}"
    if row.replaced_teacher_id == item.person_id:
        summary = words.taught_by % {"lesson": summary, "teacher": row.teacher}
    if item.label:
        summary = f"{item.label}: {summary}"
    if row.is_cancelled:
        summary = words.cancelled % {"lesson": summary}
    return summary


def _description(row: LessonRow, words: _Words) -> str:
    lines = []
    if row.topic:
        lines.append(words.topic % {"topic": row.topic})
    if row.is_substitution:
        lines.append(words.substitution % {"teacher": row.teacher, "replaced": row.replaced_teacher})
    else:
        lines.append(words.teacher % {"teacher": row.teacher})
    if row.is_cancelled:
        lines.append(words.cancelled_note)
    if row.note:
        lines.append(row.note)
    if row.online_link:
        lines.append(words.online % {"link": row.online_link})
    return "\n".join(lines)


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 (and the icalendar library) write it."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str, limit: int = 75) -> bytes:
    """A content line folded as RFC 5545 section 3.1 asks, exactly where the icalendar library
    folds it: each piece the longest run of whole characters under ``limit`` octets, except that
    a piece never ends with a backslash or a caret (it moves on to the next piece)."""
    data = line.encode()
    if len(data) < limit:
        return data
    pieces = []
    start = 0
    while len(data) - start >= limit:
        cut = start + limit - 1
        while data[cut] & 0xC0 == 0x80:  # not inside a character
            cut -= 1
        if cut - 1 > start and data[cut - 1] in b"\\^":
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def _stamp(moment: dt.datetime) -> str:
    """A DATE-TIME's digits (seconds whole, as the icalendar library writes them); written by hand,
    as strftime costs a tenth of an event."""
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def _event(item: FeedLesson, *, uid_domain: str, stamp: str, zone: ZoneInfo, words: _Words) -> bytes:
    """One VEVENT, its properties in the order the icalendar library writes them (its canonical
    order, then the rest alphabetically)."""
    row = item.row
    if zone.key == "UTC":
        start, end = (
            f":{_stamp(row.starts_at.astimezone(dt.UTC))}Z",
            f":{_stamp(row.ends_at.astimezone(dt.UTC))}Z",
        )
    else:
        start = f";TZID={zone.key}:{_stamp(row.starts_at.astimezone(zone))}"
        end = f";TZID={zone.key}:{_stamp(row.ends_at.astimezone(zone))}"
    # A cancelled lesson, or one a substitute took over, leaves the person free at that time.
    free = row.is_cancelled or row.replaced_teacher_id == item.person_id
    room = words.room(row.room)
    lines = [
        f"SUMMARY:{_text(_summary(item, words))}",
        f"DTSTART{start}",
        f"DTEND{end}",
        f"DTSTAMP:{stamp}",
        f"UID:{_text(f'lesson-{row.id}-{item.person_id}@{uid_domain}')}",
        f"DESCRIPTION:{_text(_description(row, words))}",
    ]
    if room:
        lines.append(f"LOCATION:{_text(room)}")
    lines.append("STATUS:CANCELLED" if row.is_cancelled else "STATUS:CONFIRMED")
    lines.append("TRANSP:TRANSPARENT" if free else "TRANSP:OPAQUE")
    if row.online_link:
        lines.append(f"URL:{row.online_link}")
    return b"BEGIN:VEVENT\r\n" + b"\r\n".join(map(_fold, lines)) + b"\r\nEND:VEVENT\r\n"


@functools.lru_cache(maxsize=32)
def _vtimezone(tzid: str, first_date: dt.date, last_date: dt.date) -> bytes:
    """The VTIMEZONE of the zone's rules from ``first_date`` to ``last_date``. The icalendar library
    finds them by probing the offsets hour by hour (~14 ms for a feed's window) and asks that the
    result be kept: it depends on nothing but its arguments, and a day's feeds share a few windows."""
    rules: bytes = Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date).to_ical()
    return rules


def timetable_ical(
    lessons: Iterable[FeedLesson], *, name: str, uid_domain: str, stamp: dt.datetime | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per lesson, times in the city's zone with its VTIMEZONE.

    A lesson's UID depends only on the lesson, the person and the site, so an app that polls
    the feed updates an event in place (moved room, cancellation) instead of duplicating it.

    The calendar's own properties and the VTIMEZONE are built by the icalendar library; the
    events, hundreds in a feed, are written here — the same bytes the library would write, at a
    twentieth of its cost (tests/…/test_ical.py compares the two).
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    moment = (stamp or timezone.now()).astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # An X- property has no known type: without vDuration it would be written as "1:00:00".
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    items = list(lessons)
    zone_rules = b""
    if items and zone.key != "UTC":
        # Only the zone's rules for the days in the feed: decades of Moscow's history would add kilobytes.
        zone_rules = _vtimezone(
            zone.key,
            min(item.row.date for item in items),
            max(item.row.date for item in items) + dt.timedelta(days=1),
        )
    head: bytes = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    stamp_text = _stamp(moment) + "Z"
    words = _Words.now()
    events = b"".join(
        _event(item, uid_domain=uid_domain, stamp=stamp_text, zone=zone, words=words) for item in items
    )
    return head[: -len(end)] + zone_rules + events + end


def feed_lessons(user: User, date_from: dt.date, date_to: dt.date) -> list[FeedLesson]:
    """The user's own lessons and, for a guardian, each child's (only children the policy lets them read)."""
    items = [FeedLesson(row, user.pk) for row in lessons_for_person(user.pk, date_from, date_to)]
    roles = roles_of(user)
    if roles.child_ids:
        children = list(children_of(roles).values_list("pk", "first_name"))
        lessons = lessons_for_students([child_id for child_id, _name in children], date_from, date_to)
        for child_id, first_name in children:
            items += [FeedLesson(row, child_id, first_name or None) for row in lessons[child_id]]
    items.sort(key=lambda item: (item.row.starts_at, item.label or "", item.row.class_group))
    return items


def feed_reading(user: User, date_from: dt.date, date_to: dt.date, host: str) -> versions.Reading:
    """How a person's feed is cached (``parta.core.versions``): their own timetable and their
    children's, which the roles name (so a new child is a new key), each with the tokens a
    timetable has (:func:`parta.timetable.selectors.timetable_reading`); the key also holds the
    window and the host (the events' UIDs)."""
    children = sorted(roles_of(user).child_ids)
    return versions.Reading(
        key=":".join(
            ["ical", str(user.pk), ",".join(map(str, children)), f"{date_from}", f"{date_to}", host]
        ),
        depends_on=(
            versions.EVERYTHING,
            versions.student(user.pk),
            versions.teacher(user.pk),
            *(versions.student(pk) for pk in children),
        ),
        also_depends_on=lambda: shown_tokens(
            date_from, date_to, teacher_ids=[user.pk], student_ids=[user.pk, *children]
        ),
    )


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """``/calendar/<token>.ics``: no session, the secret in the URL is the credential; unknown token → 404.
    A cached read (:func:`feed_reading`); its DTSTAMP is when it was made, which is what the
    property means."""
    user = rows.by_unique(User, "calendar_token", token)  # every poll of every feed asks
    if user is None or not user.is_active:
        raise Http404
    today = timezone.localdate()
    date_from, date_to = today - WINDOW_BEFORE, today + WINDOW_AFTER
    host = request.get_host().split(":")[0]
    reading = feed_reading(user, date_from, date_to, host)

    def make() -> bytes:
        # Twelve weeks of lessons, read on the read replica once it has replayed what the primary
        # had when the tokens were read, so the entry is as exact as one made on the primary
        # (parta.core.replicas); most polls of a calendar app are misses.
        lessons = replicas.offload(lambda: feed_lessons(user, date_from, date_to))
        return timetable_ical(
            lessons, name=_("Timetable: %(name)s") % {"name": user.short_name}, uid_domain=host
        )

    body = versions.cached_reading(reading, make)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="timetable.ics"'
    # The URL is a secret: keep it out of shared caches and search engines.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
