"""The journals a user may open, and a journal page (an assignment in a study period)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Model, QuerySet
from django.utils import timezone

from parta.core import statements, versions
from parta.core.i18n import pick
from parta.core.names import class_group_name, short_name, subgroup_name
from parta.journal import scales
from parta.journal.access import (
    access_assignment,
    can_write_assignment,
    journal_assignments_readable_by,
    journal_assignments_writable_by,
)
from parta.journal.models import (
    Attendance,
    Mark,
    PeriodMark,
    Scale,
)
from parta.journal.selectors.common import (
    _ATTENDANCE_COLUMNS,
    _MARK_COLUMNS,
    Cell,
    ControlFormRef,
    PeriodMarkCell,
    PeriodRef,
    StudentRef,
    _attendance_cell,
    _control_forms,
    _mark_cell,
    _period_mark_cell,
    _period_refs,
    _scheme_of,
    _schemes,
    _students_of,
    choose_period,
)
from parta.schools.access import (
    roles_of,
)
from parta.schools.models import TeachingAssignment
from parta.timetable.models import Lesson

# --- the list of journals ------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRef:
    id: int
    school_id: int
    year_id: int
    subject_id: int
    subject_code: str
    subject: str
    class_group_id: int
    class_group: str
    subgroup_id: int | None
    group_name: str
    teacher_id: int
    teacher: str
    can_write: bool


_ASSIGNMENT_COLUMNS = (
    "id",
    "school_id",
    "year_id",
    "subject_id",
    "subject__code",
    "subject__name_ru",
    "subject__name_en",
    "class_group_id",
    "class_group__grade",
    "class_group__letter",
    "subgroup_id",
    "subgroup__number",
    "teacher_id",
    "teacher__last_name",
    "teacher__first_name",
    "teacher__middle_name",
)


def _assignment_ref(row: dict[str, Any], can_write: bool) -> AssignmentRef:
    group = class_group_name(row["class_group__grade"], row["class_group__letter"])
    return AssignmentRef(
        id=row["id"],
        school_id=row["school_id"],
        year_id=row["year_id"],
        subject_id=row["subject_id"],
        subject_code=row["subject__code"],
        subject=pick(row["subject__name_ru"], row["subject__name_en"]),
        class_group_id=row["class_group_id"],
        class_group=group,
        subgroup_id=row["subgroup_id"],
        group_name=subgroup_name(group, row["subgroup__number"]) or group,
        teacher_id=row["teacher_id"],
        teacher=short_name(
            row["teacher__last_name"], row["teacher__first_name"], row["teacher__middle_name"]
        ),
        can_write=can_write,
    )


def _assignment_row(a: TeachingAssignment) -> dict[str, Any]:
    """``_ASSIGNMENT_COLUMNS`` of an assignment read with its subject, class group, subgroup and
    teacher (as ``access_assignment`` reads it), without reading it again."""
    return {
        "id": a.pk,
        "school_id": a.school_id,
        "year_id": a.year_id,
        "subject_id": a.subject_id,
        "subject__code": a.subject.code,
        "subject__name_ru": a.subject.name_ru,
        "subject__name_en": a.subject.name_en,
        "class_group_id": a.class_group_id,
        "class_group__grade": a.class_group.grade,
        "class_group__letter": a.class_group.letter,
        "subgroup_id": a.subgroup_id,
        "subgroup__number": a.subgroup.number if a.subgroup is not None else None,
        "teacher_id": a.teacher_id,
        "teacher__last_name": a.teacher.last_name,
        "teacher__first_name": a.teacher.first_name,
        "teacher__middle_name": a.teacher.middle_name,
    }


def journal_assignments(user: Any, *, year_id: int | None = None) -> list[AssignmentRef]:
    """The journals the user may open (their own first), newest year first. Two queries."""
    qs = TeachingAssignment.objects.filter(journal_assignments_readable_by(user))
    if year_id is not None:
        qs = qs.filter(year_id=year_id)
    writable = set(
        TeachingAssignment.objects.filter(journal_assignments_writable_by(user))
        .filter(pk__in=qs.values("pk"))
        .values_list("pk", flat=True)
    )
    user_id = roles_of(user).user_id
    rows = qs.order_by(
        "-year__starts_on", "class_group__grade", "class_group__letter", "subject__order", "subgroup__number"
    ).values(*_ASSIGNMENT_COLUMNS)
    refs = [_assignment_ref(row, row["id"] in writable) for row in rows]
    return sorted(refs, key=lambda ref: ref.teacher_id != user_id)


# --- the journal page ----------------------------------------------------------------------


@dataclass(frozen=True)
class LessonColumn:
    id: int
    date: dt.date
    number: int
    status: str
    topic_id: int | None
    topic_code: str | None
    topic: str | None
    homework_count: int
    teacher_id: int

    @property
    def is_cancelled(self) -> bool:
        return self.status == Lesson.Status.CANCELLED

    @property
    def is_future(self) -> bool:
        """Not taken place yet (after today in the city's zone): no marks or attendance yet."""
        return self.date > timezone.localdate()


@dataclass
class JournalPage:
    assignment: AssignmentRef
    periods: list[PeriodRef]
    period: PeriodRef | None
    lessons: list[LessonColumn]
    students: list[StudentRef]
    cells: dict[tuple[int, int], Cell]
    averages: dict[int, Decimal | None]
    suggested: dict[int, int | None]
    period_marks: dict[int, PeriodMarkCell]
    year_marks: dict[int, PeriodMarkCell]
    suggested_year: dict[int, int | None]
    control_forms: list[ControlFormRef]
    scale: str
    round_up_from: Decimal
    final_scale: str  # of the period and year marks
    can_write: bool

    @property
    def closed(self) -> bool:
        return bool(self.period and self.period.closed)

    @property
    def year_closed(self) -> bool:
        return bool(self.periods and self.periods[0].year_closed)

    def cell(self, student_id: int, lesson_id: int) -> Cell:
        return self.cells.get((student_id, lesson_id)) or Cell()


def journal_reading(user: Any, assignment: TeachingAssignment, period_id: int | None) -> versions.Reading:
    """How a journal page is cached for a reader who may read it (``access_assignment``): the answer
    differs only by whether the reader may write, and, without a period, by today (which picks
    the period)."""
    writer = int(can_write_assignment(user, assignment))
    period = period_id if period_id is not None else f"on{timezone.localdate()}"
    return versions.Reading(
        key=f"journal:{assignment.pk}:{period}:{writer}",
        depends_on=(
            versions.EVERYTHING,
            versions.school(assignment.school_id),
            versions.class_group(assignment.class_group_id),
            versions.class_marks(assignment.class_group_id),
        ),
    )


def _lessons(assignment_id: int, dates: list[dt.date]) -> QuerySet[Any, Any]:
    """The assignment's lessons, in a period's dates (its first and last day) or all."""
    lessons = Lesson.objects.filter(assignment_id=assignment_id)
    if dates:
        lessons = lessons.filter(date__gte=dates[0], date__lte=dates[1])
    values: QuerySet[Any, Any] = (
        lessons.annotate(homework_count=Count("homework_set"))
        .order_by("date", "number")
        .values(
            "id",
            "date",
            "number",
            "status",
            "topic_id",
            "topic__code",
            "topic__title_ru",
            "topic__title_en",
            "homework_count",
            "teacher_id",
        )
    )
    return values


def _of_lessons(model: type[Model], columns: tuple[str, ...], order: tuple[str, ...]) -> statements.Statement:
    """The rows of ``model`` at these lessons, or only of a student (one id, or none for all)."""

    def build(lesson_ids: list[int], student_ids: list[int]) -> QuerySet[Any, Any]:
        rows = model._default_manager.filter(lesson_id__in=lesson_ids)
        if student_ids:
            rows = rows.filter(student_id__in=student_ids)
        return (rows.order_by(*order) if order else rows).values(*columns)

    return statements.Statement(model, build)


def _period_marks(
    class_group_id: int, subject_id: int, year_id: int, student_ids: list[int]
) -> QuerySet[Any, Any]:
    marks = PeriodMark.objects.filter(class_group_id=class_group_id, subject_id=subject_id, year_id=year_id)
    if student_ids:
        marks = marks.filter(student_id__in=student_ids)
    values: QuerySet[Any, Any] = marks.values("id", "student_id", "period_id", "value", "scale", "version")
    return values


# A journal's first read runs each of these once: built once (``parta.core.statements``).
_LESSONS = statements.Statement(Lesson, _lessons)
_MARKS = _of_lessons(Mark, _MARK_COLUMNS, ("id",))
_ATTENDANCE = _of_lessons(Attendance, _ATTENDANCE_COLUMNS, ())
_PERIOD_MARKS = statements.Statement(PeriodMark, _period_marks)


def journal_page(
    user: Any, assignment_id: int, period_id: int | None = None, *, student_id: int | None = None
) -> JournalPage:
    """The journal of a teaching assignment for a study period (default: see ``choose_period``).
    A fixed number of queries whatever the size of the class.

    With ``student_id`` only that student's marks, attendance and period marks are read (the
    cell save endpoint re-renders one row): every other student keeps its place in ``students``
    but shows empty cells and no average."""
    return journal_page_of(user, access_assignment(user, assignment_id), period_id, student_id=student_id)


def journal_page_of(
    user: Any, assignment: TeachingAssignment, period_id: int | None = None, *, student_id: int | None = None
) -> JournalPage:
    """``journal_page`` of an assignment ``access_assignment`` has let the user read."""
    ref = _assignment_ref(_assignment_row(assignment), can_write_assignment(user, assignment))
    periods = _period_refs(assignment.year_id)
    period = choose_period(periods, period_id, timezone.localdate())
    dates = [period.starts_on, period.ends_on] if period is not None else []
    lessons = [
        LessonColumn(
            r["id"],
            r["date"],
            r["number"],
            r["status"],
            r["topic_id"],
            r["topic__code"],
            pick(r["topic__title_ru"], r["topic__title_en"]) if r["topic_id"] else None,
            r["homework_count"],
            r["teacher_id"],
        )
        for r in _LESSONS.dicts(assignment.pk, dates)
    ]
    subgroup = assignment.subgroup
    students = _students_of(
        assignment.class_group_id,
        assignment.subgroup_id,
        between=(period.starts_on, period.ends_on) if period is not None else None,
        subgroup_key=(f"{assignment.class_group.name}/{subgroup.number}", assignment.subject.name_ru)
        if subgroup is not None
        else ("", ""),
    )
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    marks_by_student: dict[int, list[dict[str, Any]]] = defaultdict(list)
    lesson_ids = [lesson.id for lesson in lessons]
    student = [student_id] if student_id is not None else []
    for m in _MARKS.dicts(lesson_ids, student):
        cells[(m["student_id"], m["lesson_id"])].marks.append(_mark_cell(m))
        marks_by_student[m["student_id"]].append(m)
    for a in _ATTENDANCE.dicts(lesson_ids, student):
        cells[(a["student_id"], a["lesson_id"])].attendance = _attendance_cell(a)
    scale, round_up_from, final_scale = _scheme_of(_schemes(assignment.school_id), assignment.subject_id)
    averages = {s.id: scales.weighted_average(marks_by_student.get(s.id, [])) for s in students}
    # A suggestion only where the period mark is on the lessons' own scale (not pass/fail instead of 1–5).
    final_of = final_scale if final_scale == scale else Scale.PASS_FAIL
    suggested = {sid: scales.suggest_final(avg, round_up_from, final_of) for sid, avg in averages.items()}
    period_marks: dict[int, PeriodMarkCell] = {}
    year_marks: dict[int, PeriodMarkCell] = {}
    by_period: dict[int, list[dict[str, Any]]] = defaultdict(list)
    group = (assignment.class_group_id, assignment.subject_id, assignment.year_id)
    for pm in _PERIOD_MARKS.dicts(*group, student):
        if pm["period_id"] is None:
            year_marks[pm["student_id"]] = _period_mark_cell(pm)
        else:
            by_period[pm["student_id"]].append({**pm, "weight": 1})
            if period is not None and pm["period_id"] == period.id:
                period_marks[pm["student_id"]] = _period_mark_cell(pm)
    suggested_year = {
        s.id: scales.suggest_final(scales.weighted_average(by_period.get(s.id, [])), round_up_from, final_of)
        for s in students
    }
    return JournalPage(
        assignment=ref,
        periods=periods,
        period=period,
        lessons=lessons,
        students=students,
        cells=dict(cells),
        averages=averages,
        suggested=suggested,
        period_marks=period_marks,
        year_marks=year_marks,
        suggested_year=suggested_year,
        control_forms=_control_forms(assignment.school_id),
        scale=scale,
        round_up_from=round_up_from,
        final_scale=final_scale,
        can_write=ref.can_write,
    )
