"""A guardian's channels per child for the kinds about a child, and quiet hours: e-mail and push
made during them wait until they end (in-app is at once); a notice may be in-app only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from parta.messaging import channels
from parta.messaging import notifications as n
from parta.messaging.kinds import person_fields
from parta.messaging.models import (
    Delivery,
    Notification,
    NotificationPreference,
    PushSubscription,
    QuietHours,
)
from parta.testing.world import World

pytestmark = pytest.mark.django_db

T = dt.time


def moment(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """A time of the city, aware."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))  # noqa: DTZ001 — made aware here


def mark_notice(world: World, student: Any, event_id: int, **extra: Any) -> n.Notice:
    payload = {
        "student_id": student.pk,
        **person_fields("student_name", None),
        "student_name": student.last_name,
    }
    return n.Notice([world.a.parent.pk], "mark", payload, world.a.school.pk, event_id, **extra)


@pytest.fixture
def parent(world: World) -> Any:
    PushSubscription.objects.create(
        user=world.a.parent, endpoint="https://push.example/p", p256dh="k", auth="a"
    )
    return world.a.parent


def pushed(world: World) -> set[int]:
    return set(Delivery.objects.values_list("notification__payload__student_id", flat=True))


def test_a_childs_own_choice_wins_for_that_child(world: World, parent: Any) -> None:
    a = world.a
    n.set_preferences(parent, {"mark": (False, True)}, children={a.sibling.pk: {"mark": (False, False)}})
    rows = {
        (p.kind, p.student_id): (p.email, p.push) for p in NotificationPreference.objects.filter(user=parent)
    }
    assert rows == {("mark", None): (False, True), ("mark", a.sibling.pk): (False, False)}
    n.notify([mark_notice(world, a.student, 1), mark_notice(world, a.sibling, 2)])
    assert pushed(world) == {a.student.pk}
    # The page shows each child's choice, marked as the child's own.
    prefs = n.preferences_of(parent)
    by_child = {child.student_id: {c.kind: c for c in child.kinds} for child in prefs.children}
    assert set(by_child) == {a.student.pk, a.sibling.pk}
    assert by_child[a.sibling.pk]["mark"].own and not by_child[a.sibling.pk]["mark"].push
    assert not by_child[a.student.pk]["mark"].own and by_child[a.student.pk]["mark"].push
    # Only the kinds about a child are chosen per child (messages are about a conversation).
    assert "message" not in by_child[a.student.pk]


def test_a_childs_choice_like_the_one_for_all_is_no_own_choice(world: World, parent: Any) -> None:
    a = world.a
    n.set_preferences(parent, {}, children={a.sibling.pk: {"mark": (False, True)}})
    assert NotificationPreference.objects.filter(user=parent, student=a.sibling).exists()
    n.set_preferences(parent, {}, children={a.sibling.pk: {"mark": (False, False)}})
    assert not NotificationPreference.objects.filter(user=parent, student__isnull=False).exists()


def test_on_the_page_a_row_left_as_shown_follows_the_choice_for_all(
    world: World, parent: Any, client: Client
) -> None:
    a = world.a
    client.force_login(parent)
    # Push on for all; the children's rows come back unticked as they were shown.
    client.post("/notifications/settings/", {"push_mark": "on"})
    assert not NotificationPreference.objects.filter(user=parent, student__isnull=False).exists()
    by_child = {
        child.student_id: {c.kind: c for c in child.kinds} for child in n.preferences_of(parent).children
    }
    assert by_child[a.sibling.pk]["mark"].push and not by_child[a.sibling.pk]["mark"].own


@pytest.mark.parametrize(
    ("children", "quiet", "field"),
    [
        ("stranger", None, "children"),
        ("unknown_kind", None, "children"),
        ("email", None, "kinds"),
        (None, (T(22), None), "quiet_hours"),
        (None, (T(22), T(22)), "quiet_hours"),
    ],
)
def test_bad_choices_change_nothing(world: World, parent: Any, children: Any, quiet: Any, field: str) -> None:
    a = world.a
    given = {
        "stranger": {world.b.student.pk: {"mark": (False, True)}},
        "unknown_kind": {a.student.pk: {"message": (False, True)}},
        "email": {a.student.pk: {"mark": (True, False)}},  # the parent has no address
        None: None,
    }[children]
    with pytest.raises(ValidationError) as error:
        n.set_preferences(
            parent, {"mark": (False, True)}, children=given, **({"quiet": quiet} if quiet else {})
        )
    assert field in error.value.message_dict
    assert not NotificationPreference.objects.exists() and not QuietHours.objects.exists()


@pytest.mark.parametrize(
    ("starts", "ends", "now", "until"),
    [
        (T(22), T(7), moment(2026, 9, 7, 23, 10), moment(2026, 9, 8, 7, 0)),
        (T(22), T(7), moment(2026, 9, 8, 6, 59), moment(2026, 9, 8, 7, 0)),
        (T(22), T(7), moment(2026, 9, 8, 7, 0), None),
        (T(22), T(7), moment(2026, 9, 8, 12, 0), None),
        (T(13), T(15), moment(2026, 9, 8, 14, 0), moment(2026, 9, 8, 15, 0)),
        (T(13), T(15), moment(2026, 9, 8, 15, 30), None),
    ],
)
def test_held_until_the_quiet_hours_end(starts: dt.time, ends: dt.time, now: dt.datetime, until: Any) -> None:
    assert n.held_until(starts, ends, now) == until


def test_quiet_hours_hold_push_and_email_back_and_the_sweeper_sends_them_after(
    world: World, parent: Any, monkeypatch: Any
) -> None:
    a = world.a
    n.set_preferences(parent, {"mark": (False, True)}, quiet=(T(22), T(7)))
    night = moment(2026, 9, 7, 23, 30)
    monkeypatch.setattr(timezone, "now", lambda: night)
    n.notify([mark_notice(world, a.student, 5)])
    assert Notification.objects.filter(recipient=parent).count() == 1  # in the app at once
    delivery = Delivery.objects.get()
    assert delivery.not_before == moment(2026, 9, 8, 7, 0)
    assert channels.send(delivery.pk)  # held: not sent, not failed
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert channels.pending_delivery_ids() == []
    morning = moment(2026, 9, 8, 7, 1)
    monkeypatch.setattr(timezone, "now", lambda: morning)
    assert channels.pending_delivery_ids() == [delivery.pk]


def test_in_app_only_notices_queue_no_delivery(world: World, parent: Any) -> None:
    n.set_preferences(parent, {"mark": (False, True)})
    n.notify(
        [mark_notice(world, world.a.student, 7, in_app_only=True), mark_notice(world, world.a.sibling, 8)]
    )
    assert Notification.objects.filter(recipient=parent).count() == 2
    assert pushed(world) == {world.a.sibling.pk}


def test_the_settings_page_saves_children_and_quiet_hours(world: World, parent: Any, client: Client) -> None:
    a = world.a
    client.force_login(parent)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'name="child_{a.sibling.pk}_push_mark"' in text and 'name="quiet_from"' in text
    answer = client.post(
        "/notifications/settings/",
        {f"child_{a.student.pk}_push_mark": "on", "quiet_from": "21:30", "quiet_until": "07:15"},
    )
    assert answer.status_code == 302
    # The student's push box ticked: the student's own; the sibling's left as shown: none.
    assert NotificationPreference.objects.get(user=parent, student=a.student).push is True
    assert not NotificationPreference.objects.filter(user=parent, student=a.sibling).exists()
    quiet = QuietHours.objects.get(user=parent)
    assert (quiet.starts, quiet.ends) == (T(21, 30), T(7, 15))
    assert 'value="21:30"' in client.get("/notifications/settings/").content.decode()
    bad = client.post("/notifications/settings/", {"quiet_from": "25:99", "quiet_until": "07:00"})
    assert bad.status_code == 400 and "HH:MM" in bad.content.decode()
    client.post("/notifications/settings/", {"push_mark": "on", "quiet_from": "", "quiet_until": ""})
    assert not QuietHours.objects.exists()
