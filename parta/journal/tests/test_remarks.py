"""Teachers' remarks and praise (issue 18, item 8): the rules, who may write and read them over
the two schools of the ``world``, the history, who is told, the lesson page's forms and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from parta.journal import selectors, services
from parta.journal.models import JournalChange, Remark
from parta.messaging import notifications as n
from parta.messaging.models import Notification
from parta.outbox.models import OutboxEvent
from parta.schools.models import StudyPeriod
from parta.testing import factories as f
from parta.testing.notifications import recipients
from parta.testing.world import World
from parta.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def write(world: World, actor: Any = None, **changes: Any) -> Remark:
    a = world.a
    args: dict[str, Any] = {
        "lesson_id": a.lesson.pk,
        "student_id": a.student.pk,
        "kind": "remark",
        "text": "  Не выполнил домашнее задание ",
    }
    return services.remark_create(actor or a.subject_teacher, **(args | changes))


def nothing_written() -> bool:
    return not (
        Remark.objects.exists()
        or JournalChange.objects.filter(kind=JournalChange.Kind.REMARK).exists()
        or OutboxEvent.objects.filter(kind="journal.remark").exists()
    )


# --- the rules -------------------------------------------------------------------------------


def test_a_remark_is_written_with_its_history_and_its_event(world: World) -> None:
    remark = write(world)
    assert (remark.text, remark.kind, remark.created_by_id) == (
        "Не выполнил домашнее задание",
        "remark",
        world.a.subject_teacher.pk,
    )
    assert (remark.school_id, remark.subject_id, remark.date) == (
        world.a.school.pk,
        world.a.lesson.subject_id,
        world.a.lesson.date,
    )
    change = JournalChange.objects.get(kind=JournalChange.Kind.REMARK)
    assert (change.object_id, change.old, change.new) == (
        remark.pk,
        None,
        {"kind": "remark", "text": "Не выполнил домашнее задание"},
    )
    assert (change.lesson_id, change.student_id, change.actor_id) == (
        world.a.lesson.pk,
        world.a.student.pk,
        world.a.subject_teacher.pk,
    )
    event = OutboxEvent.objects.get(kind="journal.remark")
    assert event.payload["change"] == "created"
    assert event.payload["text"] == "Не выполнил домашнее задание"


def test_withdrawing_keeps_the_row_and_its_history(world: World) -> None:
    remark = write(world, kind="praise", text="Активно работал на уроке")
    services.remark_withdraw(world.a.subject_teacher, remark.pk)
    remark.refresh_from_db()
    assert remark.withdrawn_at is not None and remark.withdrawn_by_id == world.a.subject_teacher.pk
    old = JournalChange.objects.filter(kind=JournalChange.Kind.REMARK).order_by("id").last()
    assert old is not None
    assert (old.old, old.new) == ({"kind": "praise", "text": "Активно работал на уроке"}, None)
    assert selectors.lesson_remarks(world.a.subject_teacher, world.a.lesson.pk) == []
    with pytest.raises(ValidationError) as error:
        services.remark_withdraw(world.a.subject_teacher, remark.pk)
    assert "remark" in error.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"kind": "scolding"}, "kind"),
        ({"student_id": "7"}, "student"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    world: World, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        write(world, **changes)
    assert field in error.value.message_dict
    assert nothing_written()


def test_a_student_of_another_class_takes_no_remark_at_this_lesson(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        write(world, student_id=world.a.sibling.pk)
    assert "student" in error.value.message_dict
    assert nothing_written()


def test_a_lesson_yet_to_come_or_cancelled_takes_no_remark(world: World) -> None:
    a = world.a
    coming = f.LessonFactory.create(assignment=a.assignment, date=timezone.localdate() + dt.timedelta(days=1))
    cancelled = f.LessonFactory.create(assignment=a.assignment, date=a.lesson.date, number=5)
    Lesson.objects.filter(pk=cancelled.pk).update(status=Lesson.Status.CANCELLED)
    for lesson in (coming, cancelled):
        with pytest.raises(ValidationError) as error:
            write(world, lesson_id=lesson.pk)
        assert "lesson" in error.value.message_dict
    assert nothing_written()


def test_a_closed_period_needs_a_reason(world: World) -> None:
    StudyPeriod.objects.filter(year__school=world.a.school).update(closed_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        write(world)
    assert "reason" in error.value.message_dict
    assert nothing_written()
    remark = write(world, reason="Забыл вовремя")
    assert JournalChange.objects.get(object_id=remark.pk, kind="remark").reason == "Забыл вовремя"


# --- who may write and read ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["a.subject_teacher", "a.admin"])
def test_the_lessons_teacher_and_the_schools_admin_write(world: World, who: str) -> None:
    actor = _who(world, who)
    remark = write(world, actor)
    services.remark_withdraw(actor, remark.pk)


def test_a_substitute_writes_at_the_lesson_they_teach(world: World) -> None:
    a = world.a
    substitute = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=a.school, user=substitute)
    Lesson.objects.filter(pk=a.lesson.pk).update(teacher=substitute, replaced_teacher=a.subject_teacher)
    assert write(world, substitute).created_by_id == substitute.pk


def test_the_class_teacher_reads_but_may_not_write(world: World) -> None:
    write(world)
    assert len(selectors.lesson_remarks(world.a.class_teacher, world.a.lesson.pk)) == 1
    with pytest.raises(PermissionDenied):
        write(world, world.a.class_teacher)


# The lesson is 7А's algebra by a.subject_teacher: the wrong teacher is b's, or a's who teaches
# none of it (a.class_teacher teaches 7А Russian, so reads 7А's journals as its class teacher).
STRANGERS = ["b.subject_teacher", "b.admin", "a.parent", "a.student", "a.sibling", "b.parent", "outsider"]


@pytest.mark.parametrize("who", STRANGERS)
def test_anyone_else_gets_404_for_writing_reading_and_withdrawing(world: World, who: str) -> None:
    remark = write(world)
    actor = _who(world, who)
    with pytest.raises(Http404):
        write(world, actor)
    with pytest.raises(Http404):
        selectors.lesson_remarks(actor, world.a.lesson.pk)
    with pytest.raises(Http404):
        services.remark_withdraw(actor, remark.pk)


def test_the_wrong_teacher_of_the_same_school_gets_404(world: World) -> None:
    # a.subject_teacher does not teach 9Б (other_lesson): neither reader nor writer there.
    a = world.a
    with pytest.raises(Http404):
        services.remark_create(
            a.subject_teacher, lesson_id=a.other_lesson.pk, student_id=a.sibling.pk, kind="remark", text="x"
        )
    remark = services.remark_create(
        a.class_teacher, lesson_id=a.other_lesson.pk, student_id=a.sibling.pk, kind="remark", text="x"
    )
    with pytest.raises(Http404):
        services.remark_withdraw(a.subject_teacher, remark.pk)
    # Reached by another lesson's address: 404 even for its teacher.
    with pytest.raises(Http404):
        services.remark_withdraw(a.class_teacher, remark.pk, lesson_id=a.lesson.pk)


def _who(world: World, path: str) -> Any:
    if path == "outsider":
        return world.outsider
    school, name = path.split(".")
    return getattr(getattr(world, school), name)


# --- who is told ---------------------------------------------------------------------------


def test_the_student_and_their_guardians_are_told_and_nobody_else(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = world.a, world.b
    second_parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=second_parent, student=a.student)
    with django_capture_on_commit_callbacks(execute=True):
        write(world)
    event = OutboxEvent.objects.get(kind="journal.remark")
    assert recipients(event) == {a.student.pk, a.parent.pk, second_parent.pk}
    for stranger in (a.subject_teacher, a.classmate_parent, a.class_teacher, b.parent, world.outsider):
        assert not Notification.objects.filter(recipient=stranger).exists()
    note = Notification.objects.get(recipient=a.student)
    assert n.row_of(note).text == "Remark in Algebra: Не выполнил домашнее задание"
    assert n.row_of(note).link == f"/diary/{a.student.pk}/?date=2026-09-07"
    with translation.override("ru"):
        parent_row = n.row_of(Notification.objects.get(recipient=a.parent))
    assert parent_row.text.endswith("Замечание по предмету «Алгебра»: Не выполнил домашнее задание")


def test_a_withdrawal_is_told_too(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        remark = write(world, kind="praise", text="Молодец")
    with django_capture_on_commit_callbacks(execute=True):
        services.remark_withdraw(world.a.subject_teacher, remark.pk)
    texts = [n.row_of(note).text for note in Notification.objects.filter(recipient=world.a.student)]
    assert sorted(texts) == ["Praise in Algebra on 7 September withdrawn", "Praise in Algebra: Молодец"]


# --- the lesson page -----------------------------------------------------------------------


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_teacher_writes_and_withdraws_on_the_lesson_page(world: World) -> None:
    a = world.a
    client = _page(a.subject_teacher)
    url = reverse("journal-lesson", args=[a.lesson.pk])
    body = client.get(url).content.decode()
    assert f'id="remarks-{a.student.pk}"' in body and f'id="remarks-{a.classmate.pk}"' in body
    response = client.post(
        reverse("journal-lesson-remarks", args=[a.lesson.pk]),
        {"student": a.student.pk, "kind": "praise", "text": "Отличный ответ"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}#remarks-{a.student.pk}"
    remark = Remark.objects.get()
    body = client.get(url).content.decode()
    assert "Отличный ответ" in body
    withdraw = reverse("journal-remark-withdraw", args=[a.lesson.pk, remark.pk])
    assert withdraw in body
    assert client.post(withdraw).status_code == 302
    assert Remark.objects.get().withdrawn_at is not None


def test_bad_input_on_the_page_is_a_form_error_at_the_students_row(world: World) -> None:
    a = world.a
    response = _page(a.subject_teacher).post(
        reverse("journal-lesson-remarks", args=[a.lesson.pk]),
        {"student": a.student.pk, "kind": "remark", "text": ""},
    )
    assert response.status_code == 400
    assert response.context["remark_errors"] == {a.student.pk: ["Write what the remark is about."]}
    assert "Write what the remark is about." in response.content.decode()
    assert nothing_written()


def test_the_class_teacher_sees_remarks_without_the_forms(world: World) -> None:
    write(world)
    a = world.a
    client = _page(a.class_teacher)
    body = client.get(reverse("journal-lesson", args=[a.lesson.pk])).content.decode()
    assert "Не выполнил домашнее задание" in body
    assert reverse("journal-lesson-remarks", args=[a.lesson.pk]) not in body
    response = client.post(
        reverse("journal-lesson-remarks", args=[a.lesson.pk]),
        {"student": a.student.pk, "kind": "remark", "text": "x"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["b.subject_teacher", "a.parent", "outsider"])
def test_the_pages_forms_answer_404_to_strangers(world: World, who: str) -> None:
    remark = write(world)
    client = _page(_who(world, who))
    a = world.a
    data = {"student": a.student.pk, "kind": "remark", "text": "x"}
    assert client.post(reverse("journal-lesson-remarks", args=[a.lesson.pk]), data).status_code == 404
    assert client.post(reverse("journal-remark-withdraw", args=[a.lesson.pk, remark.pk])).status_code == 404
    assert Remark.objects.get().withdrawn_at is None


def test_the_history_of_the_lesson_shows_remarks(world: World) -> None:
    remark = write(world)
    services.remark_withdraw(world.a.subject_teacher, remark.pk)
    client = _page(world.a.subject_teacher)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("journal-lesson", args=[world.a.lesson.pk])).content.decode()
    assert "remark or praise" in body and "withdrawn" in body


# --- the API -------------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_writes_once_per_idempotency_key_lists_and_withdraws(world: World) -> None:
    a = world.a
    client = _api(a.subject_teacher)
    url = f"/api/v1/lessons/{a.lesson.pk}/remarks"
    data = {"student": a.student.pk, "kind": "praise", "text": "Активно работал на уроке"}
    first = client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == 201
    assert first.json()["author"] == {"id": a.subject_teacher.pk, "short_name": a.subject_teacher.short_name}
    again = client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Remark.objects.count() == 1
    assert OutboxEvent.objects.filter(kind="journal.remark").count() == 1
    listed = client.get(url).json()
    assert [(r["id"], r["kind"], r["text"]) for r in listed] == [
        (first.json()["id"], "praise", "Активно работал на уроке")
    ]
    assert client.delete(f"/api/v1/remarks/{first.json()['id']}").status_code == 204
    assert client.get(url).json() == []


def test_the_api_answers_bad_input_with_field_messages(world: World) -> None:
    a = world.a
    client = _api(a.subject_teacher)
    url = f"/api/v1/lessons/{a.lesson.pk}/remarks"
    response = client.post(url, {"student": a.student.pk, "kind": "scolding", "text": ""}, format="json")
    assert response.status_code == 400
    assert {"kind", "text"} <= set(response.json()["errors"])
    response = client.post(url, {"student": a.sibling.pk, "kind": "remark", "text": "x"}, format="json")
    assert response.status_code == 400
    assert "student" in response.json()["errors"]
    assert nothing_written()


@pytest.mark.parametrize("who", STRANGERS)
def test_the_api_answers_404_to_strangers(world: World, who: str) -> None:
    a = world.a
    remark = write(world)
    client = _api(_who(world, who))
    url = f"/api/v1/lessons/{a.lesson.pk}/remarks"
    assert client.get(url).status_code == 404
    data = {"student": a.student.pk, "kind": "remark", "text": "x"}
    assert client.post(url, data, format="json").status_code == 404
    assert client.delete(f"/api/v1/remarks/{remark.pk}").status_code == 404
    assert Remark.objects.filter(withdrawn_at__isnull=True).count() == 1
