"""The diary: what a student and their family read — the week day by day, marks per subject with
averages and period marks, the attendance summary, the report card.

Who reads a diary (``access_diary``): the student, their guardians, and through work the staff
``access_person`` lets reach the student — the class teacher, the teachers who teach the class,
and the school's administrators (staff see only their own school's records). Anyone else gets 404.

Every read runs a fixed number of queries whatever the number of lessons, marks or homework: the
week reads the student and their enrolments once (``reach_diary``), their lessons as
``parta.timetable.selectors.lessons_for_student`` does (``lessons_of``, with the class groups
already known), and one query each for marks, attendance, teachers' remarks, homework (with its
links, files, library materials and ticks) and the library materials given at the lessons.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import statements
from parta.core.i18n import pick
from parta.curriculum.selectors import Plan, plan_of
from parta.diary.reach import DiaryAccess, DiaryStudent, access_diary, reach_diary, scoped
from parta.homework.selectors import HomeworkRow, homework_for_reached_student
from parta.journal import scales
from parta.journal.models import AbsenceNotice, Attendance, Mark, Remark
from parta.journal.selectors import RemarkRow, remark_rows_of, remarks_in_force
from parta.library.selectors.lessons import MaterialRef, materials_given_at_lessons
from parta.schools.models import Holiday, SubgroupMembership, TeachingAssignment
from parta.timetable.selectors import Day, LessonRow, lessons_in_groups, week_days, week_start

# The API gives at most a month of diary at once: a month of a full timetable with its marks and
# homework is what one phone screen scrolls through; the timetable API serves longer ranges.
MAX_RANGE_DAYS = 31


def _student_statement(
    model: type[Model], finish: Callable[[QuerySet[Any, Any]], QuerySet[Any, Any]]
) -> statements.Statement:
    """A student's rows of ``model`` (marks, attendance, remarks) in the dates and the reader's
    scope, as ``finish`` orders and selects them."""

    def build(
        student_id: int, date_from: dt.date, date_to: dt.date, school_ids: list[int], *, scoped: bool
    ) -> QuerySet[Any, Any]:
        qs = model._default_manager.filter(student_id=student_id, date__gte=date_from, date__lte=date_to)
        return finish(qs.filter(school_id__in=school_ids) if scoped else qs)

    return statements.Statement(model, build)


def _run(
    statement: statements.Statement, student: DiaryStudent, date_from: dt.date, date_to: dt.date
) -> list[dict[str, Any]]:
    scope = student.school_ids
    return statement.dicts(student.id, date_from, date_to, sorted(scope or ()), scoped=scope is not None)


# --- the week -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkRow:
    id: int
    lesson_id: int
    date: dt.date
    subject_code: str
    subject: str
    scale: str
    value: int | None
    display: str
    weight: int
    control_form: str | None
    comment: str
    owed_until: dt.date | None

    @property
    def is_owed(self) -> bool:
        return self.value is None

    @property
    def counts_in_average(self) -> bool:
        return self.value is not None and scales.counts_in_average(self.scale)


@dataclass(frozen=True)
class AttendanceRow:
    lesson_id: int
    date: dt.date
    subject_code: str
    subject: str
    status: str
    status_display: str
    reason: str
    source: str


@dataclass
class DiaryLesson:
    lesson: LessonRow
    marks: list[MarkRow] = field(default_factory=list)
    attendance: AttendanceRow | None = None
    homework_due: list[HomeworkRow] = field(default_factory=list)
    homework_set: list[HomeworkRow] = field(default_factory=list)
    remarks: list[RemarkRow] = field(default_factory=list)
    # Library materials the teacher gave at the lesson (those given with homework are the homework's).
    materials: list[MaterialRef] = field(default_factory=list)


@dataclass
class DiaryDay:
    date: dt.date
    lessons: list[DiaryLesson] = field(default_factory=list)
    holiday: str | None = None
    # Due this day but not at one of its lessons (the lesson moved or was cancelled).
    homework_due: list[HomeworkRow] = field(default_factory=list)
    # Marks and remarks of this day at a lesson not in the student's timetable (a subgroup changed since).
    other_marks: list[MarkRow] = field(default_factory=list)
    other_remarks: list[RemarkRow] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


@dataclass(frozen=True)
class DiaryWeek:
    student: DiaryStudent
    monday: dt.date
    last_day: dt.date
    days: list[DiaryDay]


@dataclass(frozen=True)
class DiaryRange:
    student: DiaryStudent
    date_from: dt.date
    date_to: dt.date
    days: list[DiaryDay]


_MARKS = _student_statement(
    Mark,
    lambda qs: qs.order_by("date", "id").values(
        "id",
        "lesson_id",
        "date",
        "subject__code",
        "subject__name_ru",
        "subject__name_en",
        "scale",
        "value",
        "weight",
        "control_form__name_ru",
        "control_form__name_en",
        "comment",
        "owed_until",
    ),
)


def mark_rows(student: DiaryStudent, date_from: dt.date, date_to: dt.date) -> list[MarkRow]:
    return [
        MarkRow(
            id=v["id"],
            lesson_id=v["lesson_id"],
            date=v["date"],
            subject_code=v["subject__code"],
            subject=pick(v["subject__name_ru"], v["subject__name_en"]),
            scale=v["scale"],
            value=v["value"],
            display=scales.display(v["scale"], v["value"]),
            weight=v["weight"],
            control_form=pick(v["control_form__name_ru"], v["control_form__name_en"])
            if v["control_form__name_ru"]
            else None,
            comment=v["comment"],
            owed_until=v["owed_until"],
        )
        for v in _run(_MARKS, student, date_from, date_to)
    ]


_STATUS_LABELS = dict(Attendance.Status.choices)


_ATTENDANCE = _student_statement(
    Attendance,
    lambda qs: qs.order_by("date", "lesson__number").values(
        "lesson_id",
        "date",
        "subject__code",
        "subject__name_ru",
        "subject__name_en",
        "status",
        "reason",
        "source",
    ),
)
_REMARKS = _student_statement(Remark, remarks_in_force)


def attendance_rows(student: DiaryStudent, date_from: dt.date, date_to: dt.date) -> list[AttendanceRow]:
    return [
        AttendanceRow(
            lesson_id=v["lesson_id"],
            date=v["date"],
            subject_code=v["subject__code"],
            subject=pick(v["subject__name_ru"], v["subject__name_en"]),
            status=v["status"],
            status_display=str(_STATUS_LABELS.get(v["status"], v["status"])),
            reason=v["reason"],
            source=v["source"],
        )
        for v in _run(_ATTENDANCE, student, date_from, date_to)
    ]


# Homework set at a lesson of the range is shown there too when it is due at most this long after
# the range ends (nearly all homework is due within a week or two).
SET_AHEAD_DAYS = 31


def _homework_rows(
    user: Any, student: DiaryStudent, date_from: dt.date, date_to: dt.date
) -> list[HomeworkRow]:
    """The homework app's own read of the student's homework (its access rules, links, files and
    the student's tick): due in the range, or due soon after it (for "set at this lesson")."""
    return homework_for_reached_student(
        user, student.id, date_from, date_to + dt.timedelta(days=SET_AHEAD_DAYS)
    )


_SUBGROUPS = statements.Statement(
    SubgroupMembership,
    lambda student_id: SubgroupMembership.objects.filter(student_id=student_id).values_list(
        "subgroup_id", "subgroup__number"
    ),
)
_HOLIDAYS = statements.Statement(
    Holiday,
    lambda school_id, date_from, date_to: (
        Holiday.objects.filter(school_id=school_id, starts_on__lte=date_to, ends_on__gte=date_from)
        .order_by("starts_on")
        .values_list("starts_on", "ends_on", "name")
    ),
)


def lessons_of(student: DiaryStudent, date_from: dt.date, date_to: dt.date) -> list[LessonRow]:
    """The student's lessons (``parta.timetable.selectors.lessons_for_student``'s rows, in its
    order) with the class groups ``reach_diary`` has read already: two queries, their subgroups and
    the lessons."""
    subgroup_numbers: dict[int, int] = dict(_SUBGROUPS.rows(student.id))
    return lessons_in_groups(
        dict(student.class_groups), subgroup_numbers, date_from, date_to, school_ids=student.school_ids
    )


def _holidays(
    student: DiaryStudent, date_from: dt.date, date_to: dt.date
) -> list[tuple[dt.date, dt.date, str]]:
    return _HOLIDAYS.rows(student.school_id, date_from, date_to)


def _build_days(
    user: Any, student: DiaryStudent, days: list[Day], date_from: dt.date, date_to: dt.date
) -> list[DiaryDay]:
    """Put marks, attendance, remarks and homework on the days and lessons they belong to."""
    lesson_rows = [row for day in days for row in day.lessons]
    marks = mark_rows(student, date_from, date_to)
    remarks = remark_rows_of(_run(_REMARKS, student, date_from, date_to))
    attendance = attendance_rows(student, date_from, date_to)
    lesson_ids = {row.id for row in lesson_rows}
    homework = [
        hw
        for hw in _homework_rows(user, student, date_from, date_to)
        if date_from <= hw.due_on <= date_to or hw.lesson_id in lesson_ids
    ]
    holidays = _holidays(student, date_from, date_to)
    materials = materials_given_at_lessons(lesson_ids)

    marks_by_lesson: dict[int, list[MarkRow]] = defaultdict(list)
    for mark in marks:
        marks_by_lesson[mark.lesson_id].append(mark)
    attendance_by_lesson = {a.lesson_id: a for a in attendance}
    remarks_by_lesson: dict[int, list[RemarkRow]] = defaultdict(list)
    for remark in remarks:
        remarks_by_lesson[remark.lesson_id].append(remark)
    set_at: dict[int, list[HomeworkRow]] = defaultdict(list)
    for hw in homework:
        set_at[hw.lesson_id].append(hw)

    result: list[DiaryDay] = []
    placed_marks: set[int] = set()
    placed_homework: set[int] = set()
    for day in days:
        diary_day = DiaryDay(
            date=day.date,
            holiday=next((name for a, b, name in holidays if a <= day.date <= b), None),
        )
        for row in day.lessons:
            item = DiaryLesson(
                lesson=row,
                marks=marks_by_lesson.get(row.id, []),
                attendance=attendance_by_lesson.get(row.id),
                homework_set=set_at.get(row.id, []),
                remarks=remarks_by_lesson.get(row.id, []),
                materials=materials.get(row.id, []),
            )
            placed_marks.update(m.id for m in item.marks)
            diary_day.lessons.append(item)
        # Homework due: at its due lesson, else at the day's first lesson of its subject.
        for hw in homework:
            if hw.due_on != day.date or hw.id in placed_homework:
                continue
            target = next((i for i in diary_day.lessons if i.lesson.id == hw.due_lesson_id), None)
            if target is None:
                target = next(
                    (
                        i
                        for i in diary_day.lessons
                        if i.lesson.subject_code == hw.subject_code and not i.lesson.is_cancelled
                    ),
                    None,
                )
            if target is None:
                diary_day.homework_due.append(hw)
            else:
                target.homework_due.append(hw)
            placed_homework.add(hw.id)
        result.append(diary_day)
    by_date = {d.date: d for d in result}
    for mark in marks:
        if mark.id not in placed_marks and mark.date in by_date:
            by_date[mark.date].other_marks.append(mark)
    placed_lessons = {item.lesson.id for day in result for item in day.lessons}
    for remark in remarks:
        if remark.lesson_id not in placed_lessons and remark.date in by_date:
            by_date[remark.date].other_remarks.append(remark)
    return result


def diary_week(user: Any, student_id: int, monday: dt.date) -> DiaryWeek:
    """The student's school week (Monday to Saturday, Saturday only when it has lessons) that
    contains ``monday`` (any day of it), day by day: a fixed number of queries."""
    monday = week_start(monday)
    last_day = monday + dt.timedelta(days=5)
    student = access_diary(user, student_id, monday)
    rows = lessons_of(student, monday, last_day)
    days = _build_days(user, student, week_days(rows, monday), monday, last_day)
    return DiaryWeek(student=student, monday=monday, last_day=last_day, days=days)


@dataclass(frozen=True)
class DayChoice:
    """The day of a week shown on its own (a phone's diary), with the days before and after it."""

    date: dt.date
    previous: dt.date
    next: dt.date


def choose_day(days: list[DiaryDay], asked: dt.date | None, today: dt.date) -> DayChoice:
    """The day of the week (``diary_week``'s days) to show: the one asked for (a Saturday or Sunday
    without lessons gives the week's last school day); else today, or the next day with lessons
    when today has none, so that the page is never empty; else the week's first day with lessons.
    The day before Monday is the Saturday before (a week without Saturday lessons gives its
    Friday); the day after the week's last is the next Monday."""
    dates = [d.date for d in days]
    if asked is not None:
        chosen = asked if asked in dates else dates[-1]
    else:
        ahead = [d for d in days if d.date >= today]
        with_lessons = [d for d in (ahead or days) if d.lessons]
        chosen = (with_lessons or ahead or days)[0].date
    i = dates.index(chosen)
    return DayChoice(
        date=chosen,
        previous=dates[i - 1] if i else dates[0] - dt.timedelta(days=2),
        next=dates[i + 1] if i + 1 < len(dates) else dates[0] + dt.timedelta(days=7),
    )


def validate_range(date_from: dt.date, date_to: dt.date, *, max_days: int = MAX_RANGE_DAYS) -> None:
    """A ValidationError with the field's message for a backwards or too long range."""
    if date_to < date_from:
        raise ValidationError({"to": [_("“to” must not be before “from”.")]})
    if (date_to - date_from).days + 1 > max_days:
        raise ValidationError({"to": [_("Ask for at most %(days)d days at once.") % {"days": max_days}]})


def diary_range(user: Any, student_id: int, date_from: dt.date, date_to: dt.date) -> DiaryRange:
    """Every day from ``date_from`` to ``date_to`` (inclusive, at most ``MAX_RANGE_DAYS``) with its
    lessons, marks, attendance and homework. Access is checked before the range: someone else's
    id answers 404 whatever the dates."""
    return diary_range_of(user, reach_diary(user, student_id), date_from, date_to)


def diary_range_of(user: Any, reach: DiaryAccess, date_from: dt.date, date_to: dt.date) -> DiaryRange:
    """``diary_range`` of a student ``reach_diary`` has let the user reach (the API checks access
    before it reads the query's dates, and does not check it twice)."""
    student = reach.on(date_from)
    validate_range(date_from, date_to)
    rows = lessons_of(student, date_from, date_to)
    span = (date_to - date_from).days + 1
    days = [Day(date_from + dt.timedelta(days=i)) for i in range(span)]
    by_date = {d.date: d for d in days}
    for row in rows:
        by_date[row.date].lessons.append(row)
    return DiaryRange(
        student=student,
        date_from=date_from,
        date_to=date_to,
        days=_build_days(user, student, days, date_from, date_to),
    )


# --- absence notices ----------------------------------------------------------------------


def check_notice_of(student: DiaryStudent, notice_id: int) -> None:
    """404 unless the notice is one of this student's (the caller has passed ``access_diary``)."""
    if not scoped(AbsenceNotice.objects.filter(pk=notice_id, student_id=student.id), student).exists():
        raise Http404


def subject_plan(student: DiaryStudent, subject_code: str) -> Plan | None:
    """The thematic plan the student's class (or their subgroup) is taught the subject by, for the
    family to read: two or three queries. None where there is no such assignment or plan."""
    assignment = (
        TeachingAssignment.objects.filter(class_group_id=student.class_group_id, subject__code=subject_code)
        .filter(
            Q(subgroup__isnull=True)
            | Q(subgroup__in=SubgroupMembership.objects.filter(student_id=student.id).values("subgroup_id"))
        )
        .order_by("subgroup_id")
        .values_list("pk", flat=True)
        .first()
    )
    return plan_of(assignment) if assignment is not None else None
