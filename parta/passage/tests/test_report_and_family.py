"""The administrator's day of a building (with its download and the unrecognised cards), the
family's home panel and a child's passages page, and the families' notifications."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from parta.messaging import notifications as n
from parta.messaging.models import Delivery, Notification, PushSubscription
from parta.passage.models import Card
from parta.passage.tests.conftest import Gate, event
from parta.testing.world import MONDAY, World

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int, day: dt.date = MONDAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def day(world: World, gate: Gate, cards: dict[str, Card], clock: Any) -> World:
    cards["classmate"].status = Card.Status.BLOCKED
    cards["classmate"].save()
    answer = gate.post(
        {
            "events": [
                event("1", "A-STUDENT", "in", at(8, 12)),
                event("2", "A-TEACHER", "in", at(7, 55)),
                event("3", "NOBODY-9", "in", at(9, 1)),
                event("4", "A-CLASSMATE", "in", at(8, 30)),
                event("5", "A-STUDENT", "out", at(10, 5)),
                event("6", "A-SIBLING", "in", at(8, 20)),
            ]
        }
    )
    assert answer.json()["accepted"] == 6
    return world


def test_the_buildings_day(day: World, gate: Gate, client: Any) -> None:
    a = day.a
    client.force_login(a.admin)
    url = reverse("school-passages", args=[a.school.pk])
    page = client.get(url, {"building": gate.building.pk, "day": MONDAY.isoformat()})
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.entries, report.exits, report.people, report.unrecognised_count) == (5, 1, 3, 2)
    assert report.first_entry.strftime("%H:%M") == "07:55" and report.last_exit.strftime("%H:%M") == "10:05"
    assert [(u.number, u.state) for u in report.unrecognised] == [
        ("A-CLASSMATE", "blocked"),
        ("NOBODY-9", "unknown"),
    ]
    assert report.hours == [(7, 1, 0), (8, 3, 0), (9, 1, 0), (10, 0, 1)]
    assert "NOBODY-9" in page.content.decode()
    download = client.get(
        reverse("school-passages-xlsx", args=[a.school.pk]),
        {"building": gate.building.pk, "day": MONDAY.isoformat()},
    )
    assert download.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[3][:3] == ("07:55:00", "entry", "A-TEACHER") and len(rows) == 3 + 6
    # Another day: empty; another school's building, or a stranger: 404.
    assert client.get(url, {"day": "2026-09-08"}).context["report"].entries == 0
    assert client.get(url, {"building": day.b.group.building_id}).status_code == 404
    client.force_login(a.class_teacher)
    assert client.get(url).status_code == 404


def test_the_family_sees_todays_passages_on_the_home_page(day: World, client: Any) -> None:
    a = day.a
    client.force_login(a.parent)
    home = client.get(reverse("home")).content.decode()
    assert "entered at 08:12" in home and "left at 10:05" in home and "entered at 08:20" in home
    page = client.get(reverse("passage-child", args=[a.student.pk]))
    assert page.status_code == 200 and "08:12" in page.content.decode()
    client.force_login(a.classmate_parent)
    assert client.get(reverse("passage-child", args=[a.student.pk])).status_code == 404


def test_the_home_panel_is_one_query(day: World, django_assert_max_num_queries: Any) -> None:
    from parta.passage.selectors import home_panel

    a = day.a
    with django_assert_max_num_queries(1):
        panels = home_panel(a.parent, [a.student.pk, a.sibling.pk, a.classmate.pk], MONDAY)
    assert set(panels) == {a.student.pk, a.sibling.pk}  # the classmate's card was blocked: no panel
    assert panels[a.student.pk]["day"].first_in.strftime("%H:%M") == "08:12"


def test_the_families_are_told_and_a_backlog_only_in_the_app(
    world: World, gate: Gate, cards: dict[str, Card], django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    PushSubscription.objects.create(user=a.parent, endpoint="https://push.example/1", p256dh="k", auth="a")
    n.set_preferences(a.parent, {"passage.entered": (False, True), "passage.left": (False, True)})
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        gate.post(
            {
                "events": [
                    event("fresh", "A-STUDENT", "in", now - dt.timedelta(minutes=2)),
                    event("old", "A-STUDENT", "out", now - dt.timedelta(hours=3)),
                ]
            }
        )
    told = {note.payload["at"][:16]: note for note in Notification.objects.filter(recipient=a.parent)}
    assert len(told) == 2
    pushed = set(Delivery.objects.values_list("notification__kind", flat=True))
    assert pushed == {"passage.entered"}  # the three-hour-old exit is in the app only
    with timezone.override("Europe/Moscow"):
        text = n.render(
            "passage.entered", Notification.objects.get(kind="passage.entered").payload, a.parent.pk
        )
    assert text.startswith(a.student.last_name) and "entered school at" in text
    # Not the child, nor another family.
    assert not Notification.objects.exclude(recipient=a.parent).exists()


def test_a_guardian_chooses_per_child(
    world: World, gate: Gate, cards: dict[str, Card], django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    PushSubscription.objects.create(user=a.parent, endpoint="https://push.example/2", p256dh="k", auth="a")
    # Push for entries; off for the sibling alone.
    n.set_preferences(
        a.parent,
        {"passage.entered": (False, True)},
        children={a.sibling.pk: {"passage.entered": (False, False)}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        gate.post({"events": [event("s", "A-STUDENT"), event("b", "A-SIBLING")]})
    pushed = set(Delivery.objects.values_list("notification__payload__student_id", flat=True))
    assert pushed == {a.student.pk}
    assert Notification.objects.filter(recipient=a.parent).count() == 2  # in the app, both
