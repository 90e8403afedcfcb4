"""The iCalendar feed at /calendar/<token>.ics."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from parta.testing import factories as f
from parta.timetable import ical
from parta.timetable.models import Lesson
from parta.timetable.selectors import LessonRow


def feed(user, client: Client | None = None) -> Calendar:
    response = (client or Client()).get(f"/calendar/{user.calendar_token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


@pytest.fixture
def today_lessons(world):
    """The world's lessons moved into the feed's window (today and tomorrow)."""
    today = timezone.localdate()
    for lesson, day in ((world.a.lesson, today), (world.a.other_lesson, today + dt.timedelta(days=1))):
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        Lesson.objects.filter(pk=lesson.pk).update(
            date=day, starts_at=start, ends_at=start + dt.timedelta(minutes=45)
        )
    return world


def events(calendar: Calendar) -> list[Any]:
    return list(calendar.walk("VEVENT"))


def test_a_student_feed_has_their_lessons_with_zone_room_and_teacher(today_lessons):
    world = today_lessons
    room = f.RoomFactory.create(building=world.a.group.building, name="204")
    Lesson.objects.filter(pk=world.a.lesson.pk).update(room=room)
    calendar = feed(world.a.student)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    # Apps that honour them poll hourly.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in calendar.to_ical()
    assert b"X-PUBLISHED-TTL:PT1H" in calendar.to_ical()
    [event] = events(calendar)
    assert str(event["SUMMARY"]) == "Algebra — 7А"
    assert str(event["LOCATION"]) == "room 204"
    assert event["STATUS"] == "CONFIRMED"
    assert world.a.subject_teacher.short_name in str(event["DESCRIPTION"])
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert start.astimezone(dt.UTC) == Lesson.objects.get(pk=world.a.lesson.pk).starts_at
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=45)
    # A VTIMEZONE for every TZID used, so that calendar apps need no zone database of their own.
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Moscow"
    assert zone.subcomponents[0]["TZOFFSETTO"].to_ical() == "+0300"


def test_uids_are_stable_between_fetches(today_lessons):
    world = today_lessons
    first = [str(event["UID"]) for event in events(feed(world.a.student))]
    second = [str(event["UID"]) for event in events(feed(world.a.student))]
    assert first == second == [f"lesson-{world.a.lesson.pk}-{world.a.student.pk}@testserver"]


def test_a_cancelled_lesson_is_marked_cancelled(today_lessons):
    world = today_lessons
    Lesson.objects.filter(pk=world.a.lesson.pk).update(status=Lesson.Status.CANCELLED)
    [event] = events(feed(world.a.student))
    assert event["STATUS"] == "CANCELLED"
    assert event["TRANSP"] == "TRANSPARENT"
    assert str(event["SUMMARY"]).startswith("Cancelled: ")


def test_a_substitution_is_noted_and_frees_the_planned_teacher(today_lessons):
    world = today_lessons
    substitute = f.UserFactory.create(last_name="Заменова", first_name="Зоя", middle_name="")
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        teacher=substitute, replaced_teacher=world.a.subject_teacher
    )
    [event] = events(feed(world.a.student))
    assert "Substitution: Заменова З. instead of" in str(event["DESCRIPTION"])
    [planned] = events(feed(world.a.subject_teacher))
    assert planned["TRANSP"] == "TRANSPARENT"
    assert "taught by Заменова З." in str(planned["SUMMARY"])
    [taught] = events(feed(substitute))
    assert taught["TRANSP"] == "OPAQUE"


def test_a_teacher_feed_has_what_they_teach(today_lessons):
    world = today_lessons
    [event] = events(feed(world.a.class_teacher))
    assert str(event["SUMMARY"]) == "Algebra — 9Б"


def test_a_guardian_feed_has_each_childs_lessons_with_their_name(today_lessons):
    world = today_lessons
    summaries = sorted(str(event["SUMMARY"]) for event in events(feed(world.a.parent)))
    assert summaries == sorted(
        [f"{world.a.student.first_name}: Algebra — 7А", f"{world.a.sibling.first_name}: Algebra — 9Б"]
    )
    uids = {str(event["UID"]) for event in events(feed(world.a.parent))}
    assert f"lesson-{world.a.lesson.pk}-{world.a.student.pk}@testserver" in uids


def test_lessons_outside_the_window_are_left_out(today_lessons):
    world = today_lessons
    far = timezone.localdate() + dt.timedelta(weeks=20)
    start = timezone.make_aware(dt.datetime.combine(far, dt.time(9, 30)))
    Lesson.objects.filter(pk=world.a.lesson.pk).update(date=far, starts_at=start, ends_at=start)
    assert events(feed(world.a.student)) == []


@pytest.mark.parametrize(
    ("language", "subject", "teacher"), [("en", "Algebra", "Teacher: "), ("ru", "Алгебра", "Учитель: ")]
)
def test_the_feed_speaks_the_language_of_the_request(today_lessons, language, subject, teacher):
    world = today_lessons
    Lesson.objects.filter(pk=world.a.lesson.pk).update(status=Lesson.Status.CANCELLED)
    [event] = events(feed(world.a.student, Client(HTTP_ACCEPT_LANGUAGE=language)))
    cancelled = {"en": "Cancelled: ", "ru": "Отменён: "}[language]
    assert str(event["SUMMARY"]) == f"{cancelled}{subject} — 7А"
    assert str(event["DESCRIPTION"]).startswith(teacher)


@pytest.mark.django_db
def test_an_unknown_token_is_a_404():
    assert Client().get("/calendar/" + "x" * 43 + ".ics").status_code == 404
    assert Client().get("/calendar/short.ics").status_code == 404


def test_an_inactive_users_feed_is_gone(world):
    world.a.student.is_active = False
    world.a.student.save(update_fields=["is_active"])
    assert Client().get(f"/calendar/{world.a.student.calendar_token}.ics").status_code == 404


def test_the_feed_needs_no_session_and_leaves_no_cookie(today_lessons):
    response = Client().get(f"/calendar/{today_lessons.a.student.calendar_token}.ics")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("extra", [0, 30])
def test_the_feed_reads_a_fixed_number_of_queries(today_lessons, django_assert_max_num_queries, extra):
    world = today_lessons
    for number in range(3, 3 + extra):
        f.LessonFactory.create(assignment=world.a.assignment, date=timezone.localdate(), number=number)
    # A guardian's feed: the user, their roles (one query), their own lessons, and three per child.
    with django_assert_max_num_queries(9):
        assert len(events(feed(world.a.parent))) == 2 + extra


def test_a_named_room_is_the_location_as_it_is(today_lessons):
    world = today_lessons
    room = f.RoomFactory.create(building=world.a.group.building, name="Спортивный зал 1")
    Lesson.objects.filter(pk=world.a.lesson.pk).update(room=room)
    [event] = events(feed(world.a.student))
    assert str(event["LOCATION"]) == "Спортивный зал 1"


def _library_ical(items: list[ical.FeedLesson], *, name: str, uid_domain: str, stamp: dt.datetime) -> bytes:
    """The feed as the icalendar library writes it: what ``timetable_ical`` must match byte for byte."""
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", ical.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", ical.REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(ical.REFRESH_INTERVAL))
    for item in items:
        row = item.row
        event = Event()
        event.add("uid", f"lesson-{row.id}-{item.person_id}@{uid_domain}")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", row.starts_at.astimezone(zone))
        event.add("dtend", row.ends_at.astimezone(zone))
        event.add("summary", ical._summary(item, ical._Words.now()))
        event.add("description", ical._description(row, ical._Words.now()))
        if row.room_label:
            event.add("location", row.room_label)
        if row.online_link:
            event.add("url", row.online_link)
        event.add("status", "CANCELLED" if row.is_cancelled else "CONFIRMED")
        free = row.is_cancelled or row.replaced_teacher_id == item.person_id
        event.add("transp", "TRANSPARENT" if free else "OPAQUE")
        calendar.add_component(event)
    if items:
        calendar.add_missing_timezones(
            first_date=min(item.row.date for item in items),
            last_date=max(item.row.date for item in items) + dt.timedelta(days=1),
        )
    written: bytes = calendar.to_ical()
    return written


def _row(number: int, **changes: Any) -> LessonRow:
    day = dt.date(2026, 3, 27) + dt.timedelta(days=number)  # across the spring of zones that change
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
    values: dict[str, Any] = {
        "id": number,
        "date": day,
        "number": 1,
        "starts_at": start,
        "ends_at": start + dt.timedelta(minutes=45),
        "subject_code": "algebra",
        "subject": "Алгебра",
        "class_group_id": 1,
        "class_group": "7А",
        "subgroup_id": None,
        "subgroup": None,
        "teacher_id": 10,
        "teacher": "Иванова М. П.",
        "replaced_teacher_id": None,
        "replaced_teacher": None,
        "room": "204",
        "topic_code": None,
        "topic": None,
        "status": Lesson.Status.SCHEDULED,
        "note": "",
        "online_link": "",
    }
    return LessonRow(**{**values, **changes})


@pytest.mark.parametrize("zone", ["Europe/Moscow", "Europe/Berlin", "Asia/Yekaterinburg"])
def test_the_feed_is_written_byte_for_byte_as_the_icalendar_library_would(settings, zone):
    settings.TIME_ZONE = zone
    long_note = "Принесите тетради; циркуль, линейку и транспортир — " * 4 + "\\конец\\" * 9
    items = [
        ical.FeedLesson(_row(1), 10),
        ical.FeedLesson(_row(2, status=Lesson.Status.CANCELLED, topic="Тема, «длинная»; очень " * 5), 10),
        ical.FeedLesson(_row(3, replaced_teacher_id=11, replaced_teacher="Петров И. И."), 11, "Маша"),
        ical.FeedLesson(_row(4, note=long_note, online_link="https://meet.example.org/a,b;c?x=1&y=2"), 10),
        ical.FeedLesson(_row(5, room=None, note="line one\nline two\r\nthree\\N" + "x" * 73 + "\\"), 10),
        ical.FeedLesson(_row(6, room="Спортивный зал 1", subgroup="7А/2", note="^" * 80), 10),
    ]
    stamp = dt.datetime(2026, 3, 20, 9, 15, 42, 123456, tzinfo=dt.UTC)
    expected = _library_ical(
        items, name="Расписание: Иванова М. П.", uid_domain="school.example", stamp=stamp
    )
    written = ical.timetable_ical(
        items, name="Расписание: Иванова М. П.", uid_domain="school.example", stamp=stamp
    )
    assert written == expected
    assert ical.timetable_ical([], name="x", uid_domain="d", stamp=stamp) == _library_ical(
        [], name="x", uid_domain="d", stamp=stamp
    )
