"""Substitutions and cancellations (issue 18, item 4): the free teachers of the subject offered first,
a history row for every change, the families and the teachers concerned told (never the
administrator who made it), the API and the pages for the school's administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from parta.messaging import notifications as n
from parta.messaging.models import Notification
from parta.outbox.models import OutboxEvent
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.world import MONDAY, World
from parta.timetable.models import Lesson, LessonChange
from parta.timetable.selectors import substitute_candidates
from parta.timetable.services import (
    LESSON_CHANGE_EVENT,
    lesson_cancel,
    lesson_hand_back,
    lesson_restore,
    lesson_substitute,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_is_monday(monkeypatch: pytest.MonkeyPatch) -> None:
    """The world's lessons are on MONDAY: make it today, so families still have them ahead."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: MONDAY)


def teacher_of(world_school: Any, *, subject: Any = None) -> Any:
    teacher = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=world_school.school, user=teacher)
    if subject is not None:
        group = f.ClassGroupFactory.create(
            year=world_school.group.year, building=world_school.group.building, grade=11, letter="Я"
        )
        f.TeachingAssignmentFactory.create(
            class_group=group, teacher=teacher, subject=subject, hours_per_week=1
        )
    return teacher


def test_free_teachers_of_the_subject_are_offered_first_and_busy_ones_not_at_all(world: World) -> None:
    a = world.a
    qualified = teacher_of(a, subject=a.lesson.subject)
    other = teacher_of(a)
    busy = teacher_of(a)
    f.LessonFactory.create(
        assignment=f.TeachingAssignmentFactory.create(class_group=a.other_group, teacher=busy),
        date=a.lesson.date,
        number=a.lesson.number,
    )
    candidates = substitute_candidates(a.lesson)
    offered = [c.id for c in candidates]
    # The subject's teachers (the new one, and the class teacher who teaches it in another class)
    # come before everyone else.
    flags = [c.teaches_subject for c in candidates]
    assert flags == sorted(flags, reverse=True)
    assert {c.id for c in candidates if c.teaches_subject} == {qualified.pk, a.class_teacher.pk}
    assert other.pk in offered and busy.pk not in offered and a.lesson.teacher_id not in offered
    assert world.b.subject_teacher.pk not in offered


def test_every_change_is_kept_and_told_while_the_lesson_is_ahead(world: World, today_is_monday: None) -> None:
    a = world.a
    substitute = teacher_of(a)
    lesson_substitute(actor=a.admin, lesson=a.lesson, teacher=substitute, note="Курсы")
    lesson_hand_back(actor=a.admin, lesson=a.lesson)
    lesson_cancel(actor=a.admin, lesson=a.lesson, reason="Экскурсия")
    lesson_restore(actor=a.admin, lesson=a.lesson)
    kinds = list(
        LessonChange.objects.filter(lesson=a.lesson).values_list("kind", "teacher_id", "previous_teacher_id")
    )
    planned = a.lesson.teacher_id
    assert kinds == [
        ("substituted", substitute.pk, planned),
        ("returned", planned, substitute.pk),
        ("cancelled", planned, planned),
        ("restored", planned, planned),
    ]
    events = OutboxEvent.objects.filter(kind=LESSON_CHANGE_EVENT).order_by("pk")
    assert [e.payload["change"] for e in events] == ["substituted", "returned", "cancelled", "restored"]
    with pytest.raises(ValidationError):
        lesson_hand_back(actor=a.admin, lesson=a.lesson)


def test_a_change_to_a_past_lesson_is_kept_but_told_to_nobody(world: World) -> None:
    a = world.a  # the lesson is on MONDAY, long gone
    lesson_cancel(actor=a.admin, lesson=a.lesson, reason="Карантин")
    assert LessonChange.objects.filter(lesson=a.lesson, kind="cancelled").exists()
    assert not OutboxEvent.objects.filter(kind=LESSON_CHANGE_EVENT).exists()


def test_families_and_the_teachers_concerned_are_told_not_the_administrator(
    world: World, today_is_monday: None, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    substitute = teacher_of(a)
    with django_capture_on_commit_callbacks(execute=True):
        lesson_substitute(actor=a.admin, lesson=a.lesson, teacher=substitute, note="Курсы")
    event = OutboxEvent.objects.get(kind=LESSON_CHANGE_EVENT)
    told = set(Notification.objects.filter(event_id=event.pk).values_list("recipient_id", flat=True))
    family = {a.student.pk, a.parent.pk, a.classmate.pk, a.classmate_parent.pk}
    assert told == family | {substitute.pk, a.lesson.teacher_id}
    parent_note = Notification.objects.get(event_id=event.pk, recipient=a.parent)
    row = n.row_of(parent_note)
    assert "substitutes" in row.text and substitute.short_name in row.text
    assert f"/diary/{a.student.pk}/" in row.link or "diary" in row.link
    teacher_note = n.row_of(Notification.objects.get(event_id=event.pk, recipient=substitute))
    assert teacher_note.link.startswith("/timetable/")


def test_the_cancellation_text_gives_the_reason(
    world: World, today_is_monday: None, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    with django_capture_on_commit_callbacks(execute=True):
        lesson_cancel(actor=a.admin, lesson=a.lesson, reason="Класс на экскурсии")
    note = Notification.objects.get(kind="lesson_change", recipient=a.student)
    assert n.row_of(note).text.endswith("is cancelled: Класс на экскурсии")


# --- the API -------------------------------------------------------------------------------------------


def api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def test_the_api_substitutes_hands_back_cancels_restores_and_lists_the_history(world: World) -> None:
    a = world.a
    substitute = teacher_of(a, subject=a.lesson.subject)
    client, root = api(a.admin), f"/api/v1/lessons/{a.lesson.pk}"
    offered = client.get(f"{root}/substitutes").json()
    assert {"id": substitute.pk, "name": substitute.short_name, "teaches_subject": True} in offered
    assert offered[0]["teaches_subject"] is True
    put = client.put(f"{root}/substitution", {"teacher_id": substitute.pk, "note": "Курсы"}, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["teacher"]["id"] == substitute.pk and put.json()["is_substitution"]
    assert client.delete(f"{root}/substitution").json()["is_substitution"] is False
    cancelled = client.put(f"{root}/cancellation", {"reason": "Карантин"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert client.delete(f"{root}/cancellation").json()["status"] == "scheduled"
    history = client.get(f"{root}/changes").json()
    assert [row["kind"] for row in history] == ["substituted", "returned", "cancelled", "restored"]


def test_the_api_refuses_bad_input_and_strangers(world: World) -> None:
    a = world.a
    root = f"/api/v1/lessons/{a.lesson.pk}"
    client = api(a.admin)
    for body in ({"teacher_id": world.b.subject_teacher.pk}, {"teacher_id": "x"}, {"teacher_id": 10**9}):
        answer = client.put(f"{root}/substitution", body, format="json")
        assert answer.status_code == 400, body
    assert client.put(f"{root}/cancellation", {"reason": ""}, format="json").status_code == 400
    assert client.delete(f"{root}/substitution").status_code == 400  # nothing to hand back
    for stranger in (world.b.admin, a.subject_teacher, a.parent):
        other = api(stranger)
        assert other.get(f"{root}/substitutes").status_code == 404
        assert other.put(f"{root}/cancellation", {"reason": "x"}, format="json").status_code == 404
        assert other.get(f"{root}/changes").status_code == 404
        body = {"teacher_id": a.class_teacher.pk}
        assert other.put(f"{root}/substitution", body, format="json").status_code == 404
        assert other.delete(f"{root}/substitution").status_code == 404
        assert other.delete(f"{root}/cancellation").status_code == 404
    assert Lesson.objects.get(pk=a.lesson.pk).status == Lesson.Status.SCHEDULED
    assert Lesson.objects.get(pk=a.lesson.pk).teacher_id == a.lesson.teacher_id
    assert not LessonChange.objects.exists()


# --- the pages -----------------------------------------------------------------------------------------


def test_the_substitutions_page_lists_the_absent_teachers_lessons_and_the_days_changes(
    world: World, client: Client
) -> None:
    a = world.a
    client.force_login(a.admin)
    page = f"/school/{a.school.pk}/substitutions/?date={MONDAY}&teacher={a.lesson.teacher_id}"
    body = client.get(page).content.decode()
    assert f"/school/{a.school.pk}/lessons/{a.lesson.pk}/change/" in body
    assert "No substitutions or cancellations on this day." in body
    lesson_cancel(actor=a.admin, lesson=a.lesson, reason="Карантин")
    assert "Карантин" in client.get(page).content.decode()


def test_the_lesson_page_substitutes_and_shows_errors_on_its_form(world: World, client: Client) -> None:
    a = world.a
    substitute = teacher_of(a, subject=a.lesson.subject)
    client.force_login(a.admin)
    page = f"/school/{a.school.pk}/lessons/{a.lesson.pk}/change/"
    body = client.get(page).content.decode()
    assert "Free, teach this subject" in body and substitute.short_name in body
    refused = client.post(page, {"action": "cancel", "reason": ""})
    assert refused.status_code == 400 and refused.context["cancel_form"].errors["reason"]
    assert (
        client.post(page, {"action": "substitute", "teacher": substitute.pk, "note": "Курсы"}).status_code
        == 302
    )
    assert Lesson.objects.get(pk=a.lesson.pk).teacher_id == substitute.pk
    assert client.post(f"/school/{a.school.pk}/lessons/{a.lesson.pk}/hand-back/").status_code == 302
    history = client.get(page).content.decode()
    assert "handed back" in history and "substituted" in history


@pytest.mark.parametrize("who", ["b.admin", "a.subject_teacher", "a.parent"])
def test_the_pages_are_404_for_anyone_but_the_schools_administrator(
    world: World, client: Client, who: str
) -> None:
    owner, name = who.split(".")
    client.force_login(getattr(getattr(world, owner), name))
    a = world.a
    assert client.get(f"/school/{a.school.pk}/substitutions/").status_code == 404
    assert client.get(f"/school/{a.school.pk}/lessons/{a.lesson.pk}/change/").status_code == 404
    assert (
        client.post(
            f"/school/{a.school.pk}/lessons/{a.lesson.pk}/change/", {"action": "cancel", "reason": "x"}
        ).status_code
        == 404
    )
    assert client.post(f"/school/{a.school.pk}/lessons/{a.lesson.pk}/restore/").status_code == 404
    assert Lesson.objects.get(pk=a.lesson.pk).status == Lesson.Status.SCHEDULED


def test_another_schools_lesson_is_404_even_for_an_administrator_of_both_urls(
    world: World, client: Client
) -> None:
    client.force_login(world.a.admin)
    assert client.get(f"/school/{world.a.school.pk}/lessons/{world.b.lesson.pk}/change/").status_code == 404


def test_a_change_made_untold_is_kept_without_an_event(world: World, today_is_monday: None) -> None:
    """The demo generator makes a whole year of changes at once: history, not news."""
    a = world.a
    lesson_cancel(actor=a.admin, lesson=a.lesson, reason="Экскурсия", tell=False)
    assert LessonChange.objects.filter(lesson=a.lesson, kind="cancelled").exists()
    assert not OutboxEvent.objects.filter(kind=LESSON_CHANGE_EVENT).exists()
