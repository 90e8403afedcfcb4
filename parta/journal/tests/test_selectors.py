"""The journal's reads: what they hold, who may read them, and their fixed query budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from parta.journal import selectors, services
from parta.journal.models import Attendance, PeriodMark
from parta.schools.models import StudyPeriod
from parta.testing import factories as f


def fill(journal):
    """Marks and remarks for everyone on every Q1 lesson, an absence, a period mark."""
    for i, student in enumerate(journal.students):
        for lesson in journal.lessons:
            services.mark_create(
                journal.teacher, lesson_id=lesson.pk, student_id=student.pk, value=3 + i % 3, weight=1 + i % 2
            )
            f.RemarkFactory.create(lesson=lesson, student=student)
        services.attendance_set(
            journal.teacher,
            lesson_id=journal.lessons[1].pk,
            student_id=student.pk,
            status=Attendance.Status.LATE,
        )
        f.HomeworkFactory.create(lesson=journal.lessons[0])
        services.period_mark_set(
            journal.teacher,
            student_id=student.pk,
            subject_id=journal.assignment.subject_id,
            class_group_id=journal.group.pk,
            period_id=journal.q1.pk,
            value=4,
        )


def test_the_journal_page_holds_the_grid(journal):
    fill(journal)
    services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5, weight=2
    )
    page = selectors.journal_page(journal.teacher, journal.assignment.pk, journal.q1.pk)
    assert page.period is not None
    assert page.period.id == journal.q1.pk
    assert [p.id for p in page.periods] == [journal.q1.pk, journal.q2.pk]
    assert [lesson.id for lesson in page.lessons] == [lesson.pk for lesson in journal.lessons]
    assert page.lessons[0].homework_count == len(journal.students)
    assert [s.id for s in page.students] == [s.pk for s in journal.students]
    cell = page.cell(journal.student.pk, journal.lesson.pk)
    assert [m.value for m in cell.marks] == [3, 5]
    assert page.cell(journal.student.pk, journal.lessons[1].pk).attendance.status == "late"  # type: ignore[union-attr]
    # 3 × 4 lessons weight 1 + 5 × 2 → 22 / 6 = 3.67
    assert page.averages[journal.student.pk] == Decimal("3.67")
    assert page.suggested[journal.student.pk] == 4
    assert page.period_marks[journal.student.pk].value == 4
    assert page.suggested_year[journal.student.pk] == 4
    assert page.can_write
    assert not page.closed
    assert {form.code for form in page.control_forms} >= {"oral", "test"}


def test_the_default_period_is_the_one_containing_today(journal):
    today = timezone.localdate()
    StudyPeriod.objects.filter(pk=journal.q2.pk).update(starts_on=today - dt.timedelta(days=3), ends_on=today)
    page = selectors.journal_page(journal.teacher, journal.assignment.pk)
    assert page.period is not None
    assert page.period.id == journal.q2.pk
    with pytest.raises(Http404):
        selectors.journal_page(journal.teacher, journal.assignment.pk, f.StudyPeriodFactory.create().pk)


def test_choose_period_falls_back_to_the_latest_begun():
    periods = [
        selectors.PeriodRef(1, "Q1", "quarter", 1, dt.date(2026, 9, 1), dt.date(2026, 10, 24), False, False),
        selectors.PeriodRef(2, "Q2", "quarter", 2, dt.date(2026, 11, 2), dt.date(2026, 12, 27), False, False),
    ]
    assert selectors.choose_period(periods, None, dt.date(2026, 10, 28)).id == 1  # type: ignore[union-attr]
    assert selectors.choose_period(periods, None, dt.date(2026, 8, 1)).id == 1  # type: ignore[union-attr]
    assert selectors.choose_period([], None, dt.date(2026, 8, 1)) is None


def test_readers_and_strangers(journal, world):
    assert not selectors.journal_page(journal.class_teacher, journal.assignment.pk).can_write
    assert not selectors.journal_page(journal.admin, journal.assignment.pk).closed
    for user in (world.a.subject_teacher, world.a.admin, world.a.parent, journal.student):
        with pytest.raises(Http404):
            selectors.journal_page(user, journal.assignment.pk)
        with pytest.raises(Http404):
            selectors.lesson_page(user, journal.lesson.pk)
        with pytest.raises(Http404):
            selectors.cell_history(user, journal.lesson.pk, journal.student.pk)


def test_my_journals(journal):
    refs = selectors.journal_assignments(journal.teacher)
    assert [(r.id, r.can_write) for r in refs] == [(journal.assignment.pk, True)]
    refs = selectors.journal_assignments(journal.class_teacher)
    assert [(r.id, r.can_write) for r in refs] == [(journal.assignment.pk, False)]
    assert [r.group_name for r in selectors.journal_assignments(journal.admin)] == ["5А"]


@pytest.mark.parametrize("size", [5, 30])
def test_the_journal_page_reads_a_fixed_number_of_queries(make_journal, size, django_assert_max_num_queries):
    journal = make_journal(size)
    fill(journal)
    teacher = type(journal.teacher).objects.get(pk=journal.teacher.pk)  # no roles cached
    # 1 for the user's roles, 1 access (the assignment), 9 for the page (one of them the class
    # group's moves: who left during the period).
    with django_assert_max_num_queries(11):
        page = selectors.journal_page(teacher, journal.assignment.pk, journal.q1.pk)
    assert len(page.students) == size


@pytest.mark.parametrize("size", [5, 30])
def test_the_lesson_page_reads_a_fixed_number_of_queries(make_journal, size, django_assert_max_num_queries):
    journal = make_journal(size)
    fill(journal)
    teacher = type(journal.teacher).objects.get(pk=journal.teacher.pk)
    with django_assert_max_num_queries(13):  # one more for the remarks, whatever their number
        page = selectors.lesson_page(teacher, journal.lesson.pk)
    assert len(page.students) == size
    assert all(len(s.remarks) == 1 for s in page.students)
    assert len(page.homework_ids) == size
    assert all(len(s.marks) == 1 for s in page.students)


def test_the_lesson_page_shows_notices_and_topics(journal):
    today = timezone.localdate()
    StudyPeriod.objects.filter(pk=journal.q2.pk).update(starts_on=today, ends_on=today + dt.timedelta(days=9))
    lesson = f.LessonFactory.create(
        assignment=journal.assignment, date=today + dt.timedelta(days=1), number=4
    )
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    services.absence_notice_create(
        parent,
        student_id=journal.student.pk,
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
        reason="Flu",
    )
    page = selectors.lesson_page(journal.teacher, lesson.pk)
    first = page.students[0]
    assert first.notice is not None
    assert first.notice.reason == "Flu"
    assert first.attendance is not None
    assert first.attendance.source == "parent_notice"
    assert page.students[1].notice is None
    assert page.topic is None
    assert page.can_write


def test_cell_history_and_the_report(journal, world):
    mark = services.mark_create(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=3
    )
    services.mark_update(journal.teacher, mark.pk, version=1, value=4, reason="Recounted")
    rows = selectors.cell_history(journal.class_teacher, journal.lesson.pk, journal.student.pk)
    assert [(r.old and r.old["value"], r.new["value"]) for r in rows] == [(3, 4), (None, 3)]
    assert rows[0].reason == "Recounted"
    today = timezone.localdate()
    report = selectors.history_report(
        journal.admin,
        journal.school.pk,
        date_from=today,
        date_to=today,
        teacher_id=journal.teacher.pk,
        limit=1,
    )
    assert len(report.rows) == 1
    assert report.has_more
    # The school's report names the class and the subject of each row (issue 18, item 9).
    assert report.rows[0].class_group == journal.lesson.class_group.name
    assert report.rows[0].subject == journal.lesson.subject.name_en
    assert (
        selectors.history_report(
            journal.admin, journal.school.pk, date_from=today, date_to=today, kind="topic"
        ).rows
        == []
    )
    for user in (journal.teacher, world.a.admin):
        with pytest.raises(Http404):
            selectors.history_report(user, journal.school.pk, date_from=today, date_to=today)


def test_student_marks_for_the_family_and_the_staff(journal, world):
    fill(journal)
    PeriodMark.objects.filter(student=journal.student).update(value=5)
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    for reader in (parent, journal.student, journal.class_teacher, journal.admin):
        result = selectors.student_marks(reader, journal.student.pk, journal.q1.pk)
        [subject] = result.subjects
        assert [m.value for m in subject.marks] == [3, 3, 3, 3]
        assert subject.average == Decimal("3.00")
        assert subject.period_mark is not None
        assert subject.period_mark.value == 5
    for stranger in (world.a.parent, world.a.admin, world.b.subject_teacher, journal.students[1]):
        with pytest.raises(Http404):
            selectors.student_marks(stranger, journal.student.pk)


def test_absence_notices_for_student(journal, world):
    today = timezone.localdate()
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    services.absence_notice_create(
        parent, student_id=journal.student.pk, starts_on=today, ends_on=today, reason="Dentist"
    )
    for reader in (parent, journal.class_teacher, journal.admin):
        [notice] = selectors.absence_notices_for_student(reader, journal.student.pk)
        assert notice.reason == "Dentist"
    for stranger in (world.a.parent, world.a.admin):
        with pytest.raises(Http404):
            selectors.absence_notices_for_student(stranger, journal.student.pk)


def test_lesson_history_holds_every_student_and_is_for_readers_only(journal, world):
    first, second = journal.students[0], journal.students[1]
    services.mark_create(journal.teacher, lesson_id=journal.lesson.pk, student_id=first.pk, value=3)
    services.attendance_set(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=second.pk, status="absent"
    )
    services.mark_create(journal.teacher, lesson_id=journal.lessons[1].pk, student_id=first.pk, value=5)
    rows = selectors.lesson_history(journal.class_teacher, journal.lesson.pk)
    assert [(r.kind, r.student_id) for r in rows] == [("attendance", second.pk), ("mark", first.pk)]
    assert {r.lesson_id for r in rows} == {journal.lesson.pk}
    for user in (world.a.subject_teacher, world.a.admin, world.a.parent, journal.student):
        with pytest.raises(Http404):
            selectors.lesson_history(user, journal.lesson.pk)


def test_the_journal_page_of_one_student_keeps_the_row_and_reads_only_that_student(journal):
    fill(journal)
    student = journal.students[1]
    full = selectors.journal_page(journal.teacher, journal.assignment.pk, journal.q1.pk)
    one = selectors.journal_page(journal.teacher, journal.assignment.pk, journal.q1.pk, student_id=student.pk)
    assert one.students == full.students
    assert one.averages[student.pk] == full.averages[student.pk]
    assert one.suggested[student.pk] == full.suggested[student.pk]
    assert one.period_marks[student.pk] == full.period_marks[student.pk]
    for lesson in full.lessons:
        assert one.cell(student.pk, lesson.id) == full.cell(student.pk, lesson.id)
    assert {sid for sid, _ in one.cells} == {student.pk}
    assert set(one.period_marks) == {student.pk}
