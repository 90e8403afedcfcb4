"""Marks: every rule, the history, the outbox event in the same transaction, versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from parta.journal import services
from parta.journal.models import GradingScheme, JournalChange, Mark, Scale
from parta.journal.services import common as common_services
from parta.journal.tests.conftest import client_for, j
from parta.outbox.models import OutboxEvent
from parta.testing import factories as f
from parta.timetable.models import Lesson


def nothing_written() -> bool:
    return not (Mark.objects.exists() or JournalChange.objects.exists() or OutboxEvent.objects.exists())


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_teacher_puts_a_mark_with_history_and_an_event(journal):
    mark = services.mark_create(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        value=5,
        control_form_id=journal.forms["test"].pk,
        comment="Well done",
    )
    assert (mark.value, mark.weight, mark.version, mark.scale) == (5, 3, 1, Scale.FIVE)
    assert mark.date == journal.lesson.date
    assert mark.subject_id == journal.lesson.subject_id
    change = JournalChange.objects.get()
    assert change.kind == JournalChange.Kind.MARK
    assert (change.object_id, change.lesson_id) == (mark.pk, mark.lesson_id)
    assert change.student_id == mark.student_id
    assert change.old is None
    assert j(change.new)["value"] == 5
    assert change.actor == journal.teacher
    event = OutboxEvent.objects.get()
    assert event.kind == "journal.mark"
    assert event.school_id == journal.school.pk
    assert event.payload == {
        "mark_id": mark.pk,
        "student_id": journal.student.pk,
        "lesson_id": journal.lesson.pk,
        "subject_id": journal.lesson.subject_id,
        "date": "2026-09-07",
        "value": 5,
        "old_value": None,
        "weight": 3,
        "control_form_id": journal.forms["test"].pk,
        "change": "created",
        "actor_id": journal.teacher.pk,
    }


def test_the_weight_given_wins_over_the_forms_default(journal):
    mark = services.mark_create(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        value=4,
        control_form_id=journal.forms["oral"].pk,
        weight=2,
    )
    assert mark.weight == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": 6}, "value"),
        ({"value": 0}, "value"),
        ({"value": 5, "weight": 0}, "weight"),
        ({"value": 5, "weight": -1}, "weight"),
        ({"value": 5, "weight": 11}, "weight"),
        ({"value": None}, "value"),
        ({"value": None, "owed_until": dt.date(2026, 9, 1)}, "owed_until"),
        ({"value": 5, "comment": "x" * 501}, "comment"),
    ],
)
def test_bad_marks_are_refused_and_write_nothing(journal, kwargs, field):
    errors = errors_of(
        lambda: services.mark_create(
            journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, **kwargs
        )
    )
    assert field in errors
    assert nothing_written()


def test_another_schools_control_form_is_refused(journal):
    other = f.ControlFormFactory.create(code="oral")
    errors = errors_of(
        lambda: services.mark_create(
            journal.teacher,
            lesson_id=journal.lesson.pk,
            student_id=journal.student.pk,
            value=5,
            control_form_id=other.pk,
        )
    )
    assert "control_form" in errors
    assert nothing_written()


def test_a_student_of_another_class_group_is_refused(journal):
    stranger = f.EnrolmentFactory.create(class_group__year=journal.group.year).student
    errors = errors_of(
        lambda: services.mark_create(
            journal.teacher, lesson_id=journal.lesson.pk, student_id=stranger.pk, value=5
        )
    )
    assert "student" in errors
    assert nothing_written()


def test_a_subgroup_lesson_takes_only_the_subgroups_students(journal):
    subgroup = f.SubgroupFactory.create(class_group=journal.group, subject=journal.assignment.subject)
    f.SubgroupMembershipFactory.create(subgroup=subgroup, student=journal.students[1])
    assignment = f.TeachingAssignmentFactory.create(
        class_group=journal.group,
        subgroup=subgroup,
        teacher=journal.teacher,
        subject=f.SubjectFactory.create(code="english"),
    )
    lesson = f.LessonFactory.create(assignment=assignment, date=dt.date(2026, 9, 8), number=3)
    errors = errors_of(
        lambda: services.mark_create(
            journal.teacher, lesson_id=lesson.pk, student_id=journal.students[0].pk, value=5
        )
    )
    assert "student" in errors
    services.mark_create(journal.teacher, lesson_id=lesson.pk, student_id=journal.students[1].pk, value=5)


def test_a_cancelled_lesson_takes_no_marks(journal):
    Lesson.objects.filter(pk=journal.lesson.pk).update(status=Lesson.Status.CANCELLED)
    errors = errors_of(
        lambda: services.mark_create(
            journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5
        )
    )
    assert "lesson" in errors
    assert nothing_written()


def test_a_lesson_outside_every_period_takes_no_marks(journal):
    lesson = f.LessonFactory.create(assignment=journal.assignment, date=dt.date(2026, 10, 28), number=2)
    errors = errors_of(
        lambda: services.mark_create(
            journal.teacher, lesson_id=lesson.pk, student_id=journal.student.pk, value=5
        )
    )
    assert "lesson" in errors
    assert nothing_written()


def test_a_closed_period_needs_a_reason(journal):
    journal.q1.closed_at = timezone.now()
    journal.q1.save()
    errors = errors_of(
        lambda: services.mark_create(
            journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5
        )
    )
    assert "reason" in errors
    assert nothing_written()
    services.mark_create(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        value=5,
        reason="Retake after illness",
    )
    assert JournalChange.objects.get().reason == "Retake after illness"


def test_the_subjects_scale_decides_the_bounds(journal):
    GradingScheme.objects.create(
        school=journal.school, subject=journal.assignment.subject, scale=Scale.HUNDRED
    )
    mark = services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=87
    )
    assert mark.scale == Scale.HUNDRED


def test_an_owed_mark_is_made_up_by_an_update(journal):
    mark = services.mark_create(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        value=None,
        owed_until=dt.date(2026, 9, 14),
    )
    assert mark.value is None
    mark = services.mark_update(journal.teacher, mark.pk, version=1, value=4)
    assert (mark.value, mark.owed_until, mark.version) == (4, None, 2)
    change = JournalChange.objects.order_by("id").last()
    assert change is not None
    assert j(change.old)["value"] is None
    assert j(change.new)["value"] == 4
    assert OutboxEvent.objects.order_by("id").last().payload["change"] == "changed"  # type: ignore[union-attr]


def test_a_stale_update_raises_with_the_current_row_and_writes_nothing(journal):
    mark = services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=3
    )
    services.mark_update(journal.teacher, mark.pk, version=1, value=4)
    with pytest.raises(services.StaleVersion) as caught:
        services.mark_update(journal.teacher, mark.pk, version=1, value=5)
    assert caught.value.current is not None
    assert caught.value.current["value"] == 4
    assert caught.value.current["version"] == 2
    assert Mark.objects.get().value == 4
    assert JournalChange.objects.count() == 2
    with pytest.raises(services.StaleVersion):
        services.mark_delete(journal.teacher, mark.pk, version=1)


def test_a_bad_update_writes_nothing(journal):
    mark = services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=3
    )
    errors = errors_of(lambda: services.mark_update(journal.teacher, mark.pk, version=1, value=9, weight=0))
    assert set(errors) == {"value", "weight"}
    mark.refresh_from_db()
    assert (mark.value, mark.weight, mark.version) == (3, 1, 1)
    assert JournalChange.objects.count() == 1


def test_delete_keeps_the_history_and_tells_the_outbox(journal):
    mark = services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=2
    )
    services.mark_delete(journal.teacher, mark.pk, version=1, reason="Wrong student")
    assert not Mark.objects.exists()
    change = JournalChange.objects.order_by("id").last()
    assert change is not None
    assert (j(change.old)["value"], change.new, change.reason) == (2, None, "Wrong student")
    event = OutboxEvent.objects.order_by("id").last()
    assert event is not None
    assert (event.payload["change"], event.payload["old_value"], event.payload["value"]) == (
        "deleted",
        2,
        None,
    )


def test_the_outbox_row_rolls_back_with_the_mark(journal, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(common_services, "_history", fail)
    with pytest.raises(RuntimeError):
        services.mark_create(
            journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5
        )
    assert nothing_written()


def test_a_substitute_writes_the_lesson_they_teach(journal):
    substitute = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=journal.school, user=substitute)
    Lesson.objects.filter(pk=journal.lesson.pk).update(teacher=substitute, replaced_teacher=journal.teacher)
    services.mark_create(substitute, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5)
    with pytest.raises(Http404):
        services.mark_create(
            substitute, lesson_id=journal.lessons[1].pk, student_id=journal.student.pk, value=5
        )


def test_the_class_teacher_reads_but_may_not_write(journal):
    with pytest.raises(PermissionDenied):
        services.mark_create(
            journal.class_teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5
        )
    assert nothing_written()


def test_the_admin_may_write(journal):
    services.mark_create(journal.admin, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5)


def test_strangers_get_404(world):
    for user in (
        world.b.subject_teacher,
        world.a.parent,
        world.b.admin,
        world.outsider,
    ):
        with pytest.raises(Http404):
            services.mark_create(user, lesson_id=world.a.lesson.pk, student_id=world.a.student.pk, value=5)
    mark = f.MarkFactory.create(lesson=world.a.lesson, student=world.a.student)
    for user in (world.b.subject_teacher, world.a.parent, world.b.admin):
        with pytest.raises(Http404):
            services.mark_update(user, mark.pk, version=1, value=4)
        with pytest.raises(Http404):
            services.mark_delete(user, mark.pk, version=1)


# A new mark's write: on PostgreSQL the mark, its history and its outbox event in one statement;
# elsewhere the three in a savepoint.
_MARK_WRITE = 1 if connection.vendor == "postgresql" else 5


def test_a_mark_is_written_in_a_fixed_number_of_queries(journal, django_assert_num_queries):
    teacher = type(journal.teacher).objects.get(pk=journal.teacher.pk)  # no roles cached
    # The roles, the lesson, its checks (study periods, the student, the scale, the control form),
    # then the write (_MARK_WRITE).
    with django_assert_num_queries(3 + _MARK_WRITE):
        services.mark_create(
            teacher,
            lesson_id=journal.lesson.pk,
            student_id=journal.student.pk,
            value=5,
            control_form_id=journal.forms["test"].pk,
        )


def test_the_mark_api_writes_in_a_fixed_number_of_queries(journal, django_assert_num_queries):
    client = client_for(journal.teacher)
    body = {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": 4}
    # The token with its user and the user's roles, then the service's (above) but the roles.
    with django_assert_num_queries(3 + _MARK_WRITE):
        assert client.post("/api/v1/marks", body, format="json").status_code == 201
