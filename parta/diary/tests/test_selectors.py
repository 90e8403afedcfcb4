import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parta.diary.reach import access_diary
from parta.diary.selectors import MAX_RANGE_DAYS, diary_range, diary_week
from parta.diary.summaries import (
    MIN_GROUP_STUDENTS,
    attendance_range,
    attendance_summary,
    marks_summary,
    report_card,
    subject_detail,
)
from parta.diary.tests.helpers import absences_for, marks_for, topic_for, week_of_lessons
from parta.homework.models import HomeworkCompletion, HomeworkLink
from parta.journal.models import Attendance, Mark, PeriodMark, Scale
from parta.schools.models import StudyPeriod
from parta.testing import factories as f
from parta.testing.world import MONDAY
from parta.timetable.models import Lesson

# --- who reads a diary ------------------------------------------------------------------------


def test_student_parent_and_the_class_teachers_read_the_diary(world):
    a = world.a
    for reader in (a.student, a.parent, a.class_teacher, a.subject_teacher, a.admin):
        assert access_diary(reader, a.student.pk).id == a.student.pk


@pytest.mark.parametrize(
    "reader",
    [
        lambda w: w.b.parent,  # another family (in another school)
        lambda w: w.b.class_teacher,  # a teacher of another school
        lambda w: w.b.admin,
        lambda w: w.outsider,
        lambda w: w.a.sibling,  # a classmate's or sibling's account is not a guardian
    ],
)
def test_anyone_else_gets_404(world, reader):
    with pytest.raises(Http404):
        diary_week(reader(world), world.a.student.pk, MONDAY)


def test_wrong_parent_in_the_same_school_gets_404(world):
    other_parent = f.UserFactory.create()
    other_child = f.UserFactory.create()
    f.EnrolmentFactory.create(class_group=world.a.group, student=other_child)
    f.GuardianshipFactory.create(guardian=other_parent, student=other_child)
    with pytest.raises(Http404):
        diary_week(other_parent, world.a.student.pk, MONDAY)
    assert diary_week(other_parent, other_child.pk, MONDAY).student.id == other_child.pk


def test_a_teacher_is_not_a_student_so_has_no_diary(world):
    with pytest.raises(Http404):
        access_diary(world.a.admin, world.a.class_teacher.pk)


# --- the week -----------------------------------------------------------------------------


def test_mark_attendance_homework_and_topic_appear_at_their_lesson(world):
    a = world.a
    lesson = a.lesson  # Monday, lesson 2, algebra
    topic = topic_for(lesson)
    Lesson.objects.filter(pk=lesson.pk).update(topic=topic, online_link="https://meet.example/alg")
    wednesday = f.LessonFactory.create(assignment=a.assignment, date=MONDAY + dt.timedelta(days=2), number=2)
    form = f.ControlFormFactory.create(school=a.school, code="test", name_en="Test", name_ru="Контрольная")
    f.MarkFactory.create(
        lesson=lesson, student=a.student, value=4, weight=3, control_form=form, comment="good"
    )
    f.MarkFactory.create(
        lesson=lesson, student=a.student, value=None, owed_until=MONDAY + dt.timedelta(days=7)
    )
    f.MarkFactory.create(lesson=lesson, student=a.sibling, value=2)  # not this student's
    f.AttendanceFactory.create(
        lesson=wednesday, student=a.student, status=Attendance.Status.LATE, reason="bus"
    )
    hw = f.HomeworkFactory.create(lesson=lesson, due_on=wednesday.date, due_lesson=wednesday, text="Page 12")
    HomeworkLink.objects.create(homework=hw, url="https://example.org/ex", title="Exercises")
    HomeworkCompletion.objects.create(school=a.school, homework=hw, student=a.student)

    week = diary_week(a.parent, a.student.pk, MONDAY + dt.timedelta(days=3))
    assert week.monday == MONDAY
    monday, _tuesday, wed = week.days[0], week.days[1], week.days[2]
    [item] = monday.lessons
    assert item.lesson.topic == "Fractions"
    assert item.lesson.online_link == "https://meet.example/alg"
    assert [(m.display, m.weight, m.control_form, m.comment) for m in item.marks] == [
        ("4", 3, "Test", "good"),
        ("—", 1, None, ""),
    ]
    assert item.marks[1].is_owed
    assert item.attendance is None
    assert [h.text for h in item.homework_set] == ["Page 12"]
    [wed_item] = wed.lessons
    assert wed_item.attendance is not None
    assert (wed_item.attendance.status, wed_item.attendance.reason) == ("late", "bus")
    [due] = wed_item.homework_due
    assert due.done
    assert [link.url for link in due.links] == ["https://example.org/ex"]
    assert wed_item.marks == []


def test_homework_due_without_a_due_lesson_goes_to_the_days_lesson_of_its_subject(world):
    a = world.a
    tuesday = f.LessonFactory.create(assignment=a.assignment, date=MONDAY + dt.timedelta(days=1), number=1)
    f.HomeworkFactory.create(lesson=a.lesson, due_on=tuesday.date, text="Learn the rule")
    f.HomeworkFactory.create(lesson=a.lesson, due_on=MONDAY + dt.timedelta(days=4), text="No lesson that day")
    week = diary_week(a.student, a.student.pk, MONDAY)
    assert [h.text for h in week.days[1].lessons[0].homework_due] == ["Learn the rule"]
    assert [h.text for h in week.days[4].homework_due] == ["No lesson that day"]


def test_cancelled_and_substituted_lessons_keep_their_status(world):
    a = world.a
    Lesson.objects.filter(pk=a.lesson.pk).update(
        status=Lesson.Status.CANCELLED, replaced_teacher=a.subject_teacher, teacher=a.class_teacher
    )
    [item] = diary_week(a.student, a.student.pk, MONDAY).days[0].lessons
    assert item.lesson.is_cancelled
    assert item.lesson.is_substitution


def _count_queries(reader, student_id):
    with CaptureQueriesContext(connection) as ctx:
        diary_week(reader, student_id, MONDAY)
    return len(ctx.captured_queries)


def test_the_week_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    a = world.a
    f.MarkFactory.create(lesson=a.lesson, student=a.student)
    # A fresh reader each time, so that roles cached on the user object do not hide queries.
    reader = type(a.parent).objects.get(pk=a.parent.pk)
    with django_assert_max_num_queries(12):
        diary_week(reader, a.student.pk, MONDAY)
    few = _count_queries(type(a.parent).objects.get(pk=a.parent.pk), a.student.pk)

    lessons = week_of_lessons(a, per_day=6)
    marks_for(lessons, [a.student], per_lesson=3)
    absences_for(lessons[::3], a.student)
    for lesson in lessons[::2]:
        f.RemarkFactory.create(lesson=lesson, student=a.student)
        f.RemarkFactory.create(lesson=lesson, student=a.student, kind="praise", text="Молодец")
        hw = f.HomeworkFactory.create(lesson=lesson, due_on=lesson.date + dt.timedelta(days=1))
        HomeworkLink.objects.create(homework=hw, url="https://example.org/a")
    reader = type(a.parent).objects.get(pk=a.parent.pk)
    # Roles, the student, their enrolments, subgroups, lessons, marks, attendance, remarks,
    # homework, its links, files and materials (one query), holidays, the lessons' materials.
    with django_assert_max_num_queries(12):
        week = diary_week(reader, a.student.pk, MONDAY)
    assert sum(len(item.marks) for day in week.days for item in day.lessons) == 1 + 30 * 3
    assert sum(len(item.remarks) for day in week.days for item in day.lessons) == 30
    many = _count_queries(type(a.parent).objects.get(pk=a.parent.pk), a.student.pk)
    # The links and files query runs only once there is homework.
    assert many <= few + 1


# --- the range ----------------------------------------------------------------------------


def test_range_gives_every_day(world):
    rng = diary_range(world.a.student, world.a.student.pk, MONDAY, MONDAY + dt.timedelta(days=9))
    assert rng.days[0].date == MONDAY
    assert len(rng.days) == 10
    assert len(rng.days[0].lessons) == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [(MONDAY, MONDAY - dt.timedelta(days=1)), (MONDAY, MONDAY + dt.timedelta(days=MAX_RANGE_DAYS))],
)
def test_range_refuses_backwards_and_too_long(world, start, end):
    with pytest.raises(ValidationError) as error:
        diary_range(world.a.student, world.a.student.pk, start, end)
    assert "to" in error.value.message_dict


def test_range_checks_access_before_the_dates(world):
    with pytest.raises(Http404):
        diary_range(world.b.parent, world.a.student.pk, MONDAY, MONDAY - dt.timedelta(days=5))


# --- marks, chart, attendance, report card ------------------------------------------------


def test_marks_summary_has_weighted_average_and_final_marks(world):
    a = world.a
    period = StudyPeriod.objects.get(year=a.group.year)
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5, weight=2)
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=2, weight=1)
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=None, owed_until=MONDAY)
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=1, scale=Scale.PASS_FAIL)
    PeriodMark.objects.create(
        school=a.school,
        year=a.group.year,
        period=period,
        student=a.student,
        subject=a.lesson.subject,
        class_group=a.group,
        value=4,
        set_by=a.subject_teacher,
    )
    summary = marks_summary(a.parent, a.student.pk, str(period.pk))
    assert summary.choice.period is not None
    by_code = {s.subject_code: s for s in summary.subjects}
    assert set(by_code) == {"algebra", "russian"}
    algebra = by_code["algebra"]
    assert algebra.average == Decimal("4.00")  # (5×2 + 2×1) / 3
    assert algebra.counted == 3
    assert algebra.owed == 1
    assert algebra.period_mark is not None
    assert algebra.period_mark.display == "4"
    assert by_code["russian"].average is None


def test_strict_period_refuses_another_schools_period(world):
    other = StudyPeriod.objects.get(year__school=world.b.school)
    with pytest.raises(ValidationError):
        marks_summary(world.a.student, world.a.student.pk, str(other.pk), strict=True)
    # The page is lenient: it falls back to the current period.
    assert marks_summary(world.a.student, world.a.student.pk, str(other.pk)).choice.period is not None


def test_chart_shows_class_average_only_with_enough_students(world):
    a = world.a
    classmates = [f.UserFactory.create() for _ in range(MIN_GROUP_STUDENTS - 2)]
    for c in classmates:
        f.EnrolmentFactory.create(class_group=a.group, student=c)
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5)
    for c in classmates:
        f.MarkFactory.create(lesson=a.lesson, student=c, value=2)
    detail = subject_detail(a.parent, a.student.pk, "algebra")
    # MIN - 1 students marked that week: the class average is hidden.
    assert [(p.student, p.group) for p in detail.points] == [(Decimal("5.00"), None)]

    extra = f.UserFactory.create()
    f.EnrolmentFactory.create(class_group=a.group, student=extra)
    f.MarkFactory.create(lesson=a.lesson, student=extra, value=3)
    detail = subject_detail(a.parent, a.student.pk, "algebra")
    [point] = detail.points
    assert point.group == Decimal("2.80")  # (5 + 2 + 2 + 2 + 3) / 5
    data = detail.chart_data()
    assert data == {"labels": [MONDAY.isoformat()], "student": [5.0], "group": [2.8]}


def test_subject_without_lessons_or_marks_is_404(world):
    with pytest.raises(Http404):
        subject_detail(world.a.student, world.a.student.pk, "no-such-subject")


def test_attendance_summary_counts_per_subject_and_period(world):
    a = world.a
    lessons = week_of_lessons(a, per_day=2)
    f.AttendanceFactory.create(lesson=lessons[0], student=a.student, status=Attendance.Status.ABSENT)
    f.AttendanceFactory.create(lesson=lessons[1], student=a.student, status=Attendance.Status.EXCUSED)
    f.AttendanceFactory.create(lesson=lessons[2], student=a.student, status=Attendance.Status.SICK)
    f.AttendanceFactory.create(lesson=lessons[3], student=a.student, status=Attendance.Status.LATE)
    choice, summary = attendance_summary(a.parent, a.student.pk)
    assert choice.period is not None
    assert summary.total.lessons == 11  # the world's lesson and 10 more
    assert (summary.total.missed, summary.total.excused, summary.total.sick, summary.total.late) == (
        3,
        1,
        1,
        1,
    )
    assert sum(s.counts.lessons for s in summary.subjects) == 11
    [period] = summary.periods
    assert period.counts.missed == 3

    api = attendance_range(a.student, a.student.pk, MONDAY, MONDAY)
    assert api.total.lessons == 3


def test_report_card_has_each_subject_and_attendance(world):
    a = world.a
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5)
    f.AttendanceFactory.create(lesson=a.lesson, student=a.student, status=Attendance.Status.SICK)
    card = report_card(a.parent, a.student.pk)
    rows = {r.subject: r for r in card.rows}
    assert rows["Algebra"].marks == 1
    assert rows["Algebra"].average == Decimal("5.00")
    assert rows["Algebra"].missed == 1
    assert card.attendance.sick == 1


def test_marks_and_report_card_run_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    a = world.a
    fresh = type(a.parent).objects.get
    with django_assert_max_num_queries(14):
        report_card(fresh(pk=a.parent.pk), a.student.pk)
    lessons = week_of_lessons(a, per_day=6)
    marks_for(lessons, [a.student], per_lesson=2)
    absences_for(lessons[::4], a.student)
    with django_assert_max_num_queries(11):
        summary = marks_summary(fresh(pk=a.parent.pk), a.student.pk)
    assert sum(len(s.marks) for s in summary.subjects) == 60
    with django_assert_max_num_queries(14):
        card = report_card(fresh(pk=a.parent.pk), a.student.pk)
    assert sum(r.marks for r in card.rows) == 60


@given(
    marks=st.lists(
        st.tuples(st.integers(0, 6), st.integers(1, 5), st.integers(1, 3)), min_size=1, max_size=20
    )
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_class_average_never_comes_from_fewer_than_the_minimum(world, marks):
    """Whatever the class's marks, a week's class average is shown only when at least
    MIN_GROUP_STUDENTS students were marked, and then it is the weighted average of them all."""
    a = world.a
    Mark.objects.filter(lesson=a.lesson).delete()
    students = [a.student, *_classmates(a, 6)]
    for index, value, weight in marks:
        f.MarkFactory.create(lesson=a.lesson, student=students[index], value=value, weight=weight)
    detail = subject_detail(a.student, a.student.pk, "algebra")
    # No point at all when neither the student nor enough of the class was marked that week.
    assert len(detail.points) <= 1
    group = detail.points[0].group if detail.points else None
    marked = {index for index, _value, _weight in marks}
    if len(marked) < MIN_GROUP_STUDENTS:
        assert group is None
    else:
        total = sum(value * weight for _i, value, weight in marks)
        weights = sum(weight for _i, _value, weight in marks)
        assert group == (Decimal(total) / Decimal(weights)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _classmates(a, count):
    existing = list(
        type(a.student)
        .objects.filter(enrolments__class_group=a.group)
        .exclude(pk=a.student.pk)
        .order_by("pk")
    )
    for _ in range(count - len(existing)):
        student = f.UserFactory.create()
        f.EnrolmentFactory.create(class_group=a.group, student=student)
        existing.append(student)
    return existing[:count]
