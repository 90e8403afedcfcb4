"""Period and year marks, closing periods, lesson topics, the school's defaults."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from parta.curriculum.models import PlanItem, ThematicPlan
from parta.journal import services
from parta.journal.models import ControlForm, GradingScheme, JournalChange, PeriodMark, Scale
from parta.journal.tests.conftest import j
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic
from parta.timetable.models import Lesson


def period_mark(journal, actor=None, **kwargs):
    params = {
        "student_id": journal.student.pk,
        "subject_id": journal.assignment.subject_id,
        "class_group_id": journal.group.pk,
        "period_id": journal.q1.pk,
        "value": 4,
    }
    params.update(kwargs)
    return services.period_mark_set(actor or journal.teacher, **params)


def test_the_teacher_sets_and_changes_a_period_mark_with_history(journal):
    mark = period_mark(journal)
    assert mark is not None
    assert (mark.value, mark.version, mark.period_id) == (4, 1, journal.q1.pk)
    mark = period_mark(journal, value=5, version=1)
    assert mark is not None
    assert mark.version == 2
    with pytest.raises(services.StaleVersion):
        period_mark(journal, value=3, version=1)
    changes = list(JournalChange.objects.filter(kind="period_mark").order_by("id"))
    assert [(c.old and j(c.old)["value"], j(c.new)["value"]) for c in changes] == [(None, 4), (4, 5)]


def test_the_year_mark_has_no_period(journal):
    mark = period_mark(journal, period_id=None, value=5)
    assert mark is not None
    assert mark.period_id is None
    assert mark.year_id == journal.group.year_id
    assert period_mark(journal, period_id=None, value=None, version=1) is None
    assert not PeriodMark.objects.exists()


@pytest.mark.parametrize(("kwargs", "field"), [({"value": 7}, "value"), ({"value": 0}, "value")])
def test_bad_period_marks_write_nothing(journal, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        period_mark(journal, **kwargs)
    assert field in caught.value.message_dict
    assert not PeriodMark.objects.exists()
    assert not JournalChange.objects.exists()


def test_a_period_of_another_year_or_a_stranger_is_refused(journal):
    other = f.StudyPeriodFactory.create()
    with pytest.raises(ValidationError) as caught:
        period_mark(journal, period_id=other.pk)
    assert "period" in caught.value.message_dict
    stranger = f.UserFactory.create()
    with pytest.raises(ValidationError) as caught:
        period_mark(journal, student_id=stranger.pk)
    assert "student" in caught.value.message_dict


def test_only_the_journals_writers_set_period_marks(journal, world):
    # The class teacher reads the journal but does not write it: 403, as for any other write.
    with pytest.raises(PermissionDenied):
        period_mark(journal, actor=journal.class_teacher)
    for user in (
        world.a.subject_teacher,
        world.a.admin,
        world.a.parent,
        journal.student,
    ):
        with pytest.raises(Http404):
            period_mark(journal, actor=user)
    assert period_mark(journal, actor=journal.admin) is not None


def test_closing_locks_the_period_until_reopened(journal):
    with pytest.raises(Http404):
        services.period_close(journal.teacher, journal.q1.pk)
    services.period_close(journal.admin, journal.q1.pk)
    journal.q1.refresh_from_db()
    assert journal.q1.closed_at is not None
    assert journal.q1.closed_by == journal.admin
    with pytest.raises(ValidationError):
        services.period_close(journal.admin, journal.q1.pk)
    with pytest.raises(ValidationError) as caught:
        period_mark(journal)
    assert "reason" in caught.value.message_dict
    assert period_mark(journal, reason="Appeal upheld") is not None
    with pytest.raises(ValidationError) as caught:
        services.period_reopen(journal.admin, journal.q1.pk, "")
    assert "reason" in caught.value.message_dict
    services.period_reopen(journal.admin, journal.q1.pk, "Closed too early")
    journal.q1.refresh_from_db()
    assert journal.q1.closed_at is None
    # Both are in the journal's history, the reopening with its reason.
    closing, reopening = JournalChange.objects.filter(kind="period").order_by("id")
    assert (closing.object_id, closing.old, closing.new, closing.reason) == (
        journal.q1.pk,
        {"closed": False},
        {"closed": True},
        "",
    )
    assert (reopening.object_id, reopening.old, reopening.new, reopening.reason) == (
        journal.q1.pk,
        {"closed": True},
        {"closed": False},
        "Closed too early",
    )
    assert reopening.actor == journal.admin and reopening.school_id == journal.q1.school_id
    assert reopening.lesson is None and reopening.student is None


# --- topics --------------------------------------------------------------------------------


def test_a_topic_is_picked_from_the_framework_with_history(journal):
    subject = journal.assignment.subject
    first, second = framework_topic(subject, 5, "m5-1"), framework_topic(subject, 5, "m5-2")
    lesson = services.lesson_topic_set(journal.teacher, journal.lesson.pk, first.pk)
    assert lesson.topic_id == first.pk
    services.lesson_topic_set(journal.teacher, journal.lesson.pk, second.pk)
    changes = list(JournalChange.objects.filter(kind="topic").order_by("id"))
    assert [j(c.new)["code"] for c in changes] == ["m5-1", "m5-2"]
    assert j(changes[1].old)["code"] == "m5-1"


def test_a_topic_of_another_subject_or_grade_is_refused_unless_planned(journal):
    subject = journal.assignment.subject
    other_subject = framework_topic(f.SubjectFactory.create(code="physics"), 5, "p5-1")
    other_grade = framework_topic(subject, 6, "m6-1")
    for bad in (other_subject, other_grade):
        with pytest.raises(ValidationError) as caught:
            services.lesson_topic_set(journal.teacher, journal.lesson.pk, bad.pk)
        assert "topic" in caught.value.message_dict
    assert not Lesson.objects.filter(topic__isnull=False).exists()
    plan = ThematicPlan.objects.create(school=journal.school, assignment=journal.assignment)
    PlanItem.objects.create(school=journal.school, plan=plan, order=1, topic=other_grade, hours=2)
    services.lesson_topic_set(journal.teacher, journal.lesson.pk, other_grade.pk)


def test_the_topic_of_a_closed_period_needs_a_reason_and_readers_may_not_set_it(journal):
    subject_topic = framework_topic(journal.assignment.subject, 5, "m5-1")
    with pytest.raises(PermissionDenied):
        services.lesson_topic_set(journal.class_teacher, journal.lesson.pk, subject_topic.pk)
    services.period_close(journal.admin, journal.q1.pk)
    with pytest.raises(ValidationError) as caught:
        services.lesson_topic_set(journal.teacher, journal.lesson.pk, subject_topic.pk)
    assert "reason" in caught.value.message_dict


# --- defaults ------------------------------------------------------------------------------


def test_defaults_are_created_once_and_the_scheme_falls_back(journal):
    services.journal_defaults_ensure(journal.school)
    assert ControlForm.objects.filter(school=journal.school).count() == len(services.DEFAULT_CONTROL_FORMS)
    assert journal.forms["test"].default_weight == 3
    assert journal.forms["oral"].default_weight == 1
    scheme = services.grading_scheme_for(journal.school.pk, journal.assignment.subject_id)
    assert (scheme.scale, scheme.round_up_from) == (Scale.FIVE, Decimal("0.50"))
    GradingScheme.objects.create(
        school=journal.school,
        subject=journal.assignment.subject,
        scale=Scale.TEN,
        round_up_from=Decimal("0.6"),
    )
    scheme = services.grading_scheme_for(journal.school.pk, journal.assignment.subject_id)
    assert (scheme.scale, scheme.round_up_from) == (Scale.TEN, Decimal("0.6"))
    bare = services.grading_scheme_for(f.SchoolFactory.create().pk, None)
    assert bare.pk is None
    assert bare.scale == Scale.FIVE


def test_a_new_school_gets_its_defaults_at_its_first_mark(journal):
    """A school made without the journal's defaults (no demo loader): the first mark gives it the
    default scheme and control forms, so the next marks can name a control form."""
    ControlForm.objects.filter(school=journal.school).delete()
    GradingScheme.objects.filter(school=journal.school).delete()
    first = services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=4
    )
    assert (first.scale, first.control_form_id, first.weight) == (Scale.FIVE, None, 1)
    assert GradingScheme.objects.filter(school=journal.school, subject__isnull=True).count() == 1
    forms = {form.code: form for form in ControlForm.objects.filter(school=journal.school)}
    assert set(forms) == {code for code, *_rest in services.DEFAULT_CONTROL_FORMS}
    test = services.mark_create(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        value=5,
        control_form_id=forms["test"].pk,
    )
    assert (test.control_form_id, test.weight) == (forms["test"].pk, 3)
    # Idempotent: nothing is made twice, and a school's own choice is left alone.
    services.journal_defaults_ensure(journal.school)
    assert ControlForm.objects.filter(school=journal.school).count() == len(services.DEFAULT_CONTROL_FORMS)
    assert GradingScheme.objects.filter(school=journal.school).count() == 1


def test_the_defaults_migration_gives_every_existing_school_its_defaults(journal):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("parta.journal.migrations.0003_journal_defaults_for_schools")
    other = f.SchoolFactory.create()
    ControlForm.objects.filter(school=journal.school, code="essay").delete()
    migration.ensure_defaults(apps, None)
    migration.ensure_defaults(apps, None)  # twice changes nothing
    for school in (journal.school, other):
        assert ControlForm.objects.filter(school=school).count() == len(services.DEFAULT_CONTROL_FORMS)
        assert GradingScheme.objects.filter(school=school, subject__isnull=True).count() == 1
    assert [row[:4] for row in migration.CONTROL_FORMS] == [row[:4] for row in services.DEFAULT_CONTROL_FORMS]
