"""The iCalendar feed at /calendar/<token>.ics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from parta.core.testing import factories as f
from parta.timetable.models import Lesson


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


def test_the_feed_speaks_the_language_of_the_request(today_lessons):
    world = today_lessons
    [event] = events(feed(world.a.student, Client(HTTP_ACCEPT_LANGUAGE="en")))
    assert str(event["SUMMARY"]) == "Algebra — 7А"


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
    # A guardian's feed: the user, their roles, their own lessons, and three queries per child.
    with django_assert_max_num_queries(15):
        assert len(events(feed(world.a.parent))) == 2 + extra


def test_a_named_room_is_the_location_as_it_is(today_lessons):
    world = today_lessons
    room = f.RoomFactory.create(building=world.a.group.building, name="Спортивный зал 1")
    Lesson.objects.filter(pk=world.a.lesson.pk).update(room=room)
    [event] = events(feed(world.a.student))
    assert str(event["LOCATION"]) == "Спортивный зал 1"
