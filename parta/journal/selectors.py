"""Reads of the journal for pages and the API: plain dataclasses built from ``values()`` rows, in a
fixed number of queries whatever the size of the class or the number of marks.

- ``journal_assignments`` — the journals a user may open;
- ``journal_page`` — a journal (assignment × study period): lessons × students with marks and
  attendance, weighted averages, suggested and set period marks;
- ``lesson_page`` — one lesson with its students, the topic picker and the active absence notices;
- ``cell_history`` / ``lesson_history`` / ``history_report`` — the history of a cell, of a lesson, and the
  administrator's report;
- ``student_marks`` — a student's marks per subject (the diary; families and staff);
- ``absence_notices_for_student`` — a child's absence notices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from parta.core import versions
from parta.core.i18n import pick
from parta.core.names import class_group_name, short_name, subgroup_name
from parta.curriculum.models import PlanItem, Topic
from parta.journal import scales
from parta.journal.access import (
    access_assignment,
    access_lesson,
    can_write_assignment,
    can_write_lesson,
    journal_assignments_readable_by,
    journal_assignments_writable_by,
)
from parta.journal.models import (
    AbsenceNotice,
    Attendance,
    ControlForm,
    GradingScheme,
    JournalChange,
    Mark,
    PeriodMark,
)
from parta.schools.access import (
    access_child,
    access_person,
    access_school,
    is_self_or_child,
    person_school_scope,
    roles_of,
)
from parta.schools.models import Enrolment, StudyPeriod, SubgroupMembership, TeachingAssignment
from parta.timetable.models import Lesson

# The most history rows one request returns.
MAX_HISTORY = 500


# --- shared pieces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRef:
    id: int
    name: str
    kind: str
    number: int
    starts_on: dt.date
    ends_on: dt.date
    closed: bool

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class ControlFormRef:
    id: int
    code: str
    name: str
    default_weight: int


@dataclass(frozen=True)
class StudentRef:
    id: int
    short_name: str


@dataclass(frozen=True)
class MarkCell:
    id: int
    value: int | None
    display: str
    scale: str
    weight: int
    control_form_id: int | None
    comment: str
    owed_until: dt.date | None
    version: int

    @property
    def is_owed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class AttendanceCell:
    id: int
    status: str
    reason: str
    source: str
    notice_id: int | None
    version: int


@dataclass
class Cell:
    marks: list[MarkCell] = field(default_factory=list)
    attendance: AttendanceCell | None = None


@dataclass(frozen=True)
class PeriodMarkCell:
    id: int
    period_id: int | None
    value: int
    display: str
    version: int


_MARK_COLUMNS = (
    "id",
    "lesson_id",
    "student_id",
    "value",
    "scale",
    "weight",
    "control_form_id",
    "comment",
    "owed_until",
    "version",
)
_ATTENDANCE_COLUMNS = ("id", "lesson_id", "student_id", "status", "reason", "source", "notice_id", "version")


def _mark_cell(row: dict[str, Any]) -> MarkCell:
    return MarkCell(
        id=row["id"],
        value=row["value"],
        display=scales.display(row["scale"], row["value"]),
        scale=row["scale"],
        weight=row["weight"],
        control_form_id=row["control_form_id"],
        comment=row["comment"],
        owed_until=row["owed_until"],
        version=row["version"],
    )


def _attendance_cell(row: dict[str, Any]) -> AttendanceCell:
    return AttendanceCell(
        id=row["id"],
        status=row["status"],
        reason=row["reason"],
        source=row["source"],
        notice_id=row["notice_id"],
        version=row["version"],
    )


def _period_name(kind: str, number: int) -> str:
    template = StudyPeriod.NAME_FORMATS.get(kind)
    return str(template) % {"number": number} if template else str(number)


def _period_refs(year_id: int) -> list[PeriodRef]:
    rows = (
        StudyPeriod.objects.filter(year_id=year_id)
        .order_by("starts_on", "kind", "number")
        .values("id", "kind", "number", "starts_on", "ends_on", "closed_at")
    )
    refs = []
    for row in rows:
        name = _period_name(row["kind"], row["number"])
        refs.append(
            PeriodRef(
                row["id"],
                name,
                row["kind"],
                row["number"],
                row["starts_on"],
                row["ends_on"],
                row["closed_at"] is not None,
            )
        )
    return refs


def choose_period(periods: list[PeriodRef], period_id: int | None, today: dt.date) -> PeriodRef | None:
    """The asked-for period, else the one containing today, else the latest begun, else the first.
    An id that is not one of ``periods`` answers 404."""
    if period_id is not None:
        for period in periods:
            if period.id == period_id:
                return period
        raise Http404
    for period in periods:
        if period.covers(today):
            return period
    begun = [p for p in periods if p.starts_on <= today]
    if begun:
        return begun[-1]
    return periods[0] if periods else None


def _control_forms(school_id: int) -> list[ControlFormRef]:
    rows = (
        ControlForm.objects.filter(school_id=school_id)
        .order_by("order", "code")
        .values("id", "code", "name_ru", "name_en", "default_weight")
    )
    return [
        ControlFormRef(r["id"], r["code"], pick(r["name_ru"], r["name_en"]), r["default_weight"])
        for r in rows
    ]


def _schemes(school_id: int) -> dict[int | None, tuple[str, Decimal]]:
    """Every scheme of the school by subject (None: the school's default)."""
    return {
        row["subject_id"]: (row["scale"], Decimal(row["round_up_from"]))
        for row in GradingScheme.objects.filter(school_id=school_id).values(
            "subject_id", "scale", "round_up_from"
        )
    }


def _scheme_of(schemes: dict[int | None, tuple[str, Decimal]], subject_id: int) -> tuple[str, Decimal]:
    return (
        schemes.get(subject_id) or schemes.get(None) or (scales.DEFAULT_SCALE, scales.DEFAULT_ROUND_UP_FROM)
    )


def _students_of(class_group_id: int, subgroup_id: int | None) -> list[StudentRef]:
    enrolments = Enrolment.objects.filter(class_group_id=class_group_id)
    if subgroup_id is not None:
        members = SubgroupMembership.objects.filter(subgroup_id=subgroup_id).values("student_id")
        enrolments = enrolments.filter(student_id__in=members)
    rows = enrolments.order_by("student__last_name", "student__first_name", "student_id").values(
        "student_id", "student__last_name", "student__first_name", "student__middle_name", "student__username"
    )
    return [
        StudentRef(
            r["student_id"],
            short_name(r["student__last_name"], r["student__first_name"], r["student__middle_name"])
            or r["student__username"],
        )
        for r in rows
    ]


def _period_mark_cell(row: Mapping[str, Any]) -> PeriodMarkCell:
    return PeriodMarkCell(
        row["id"], row["period_id"], row["value"], scales.display(row["scale"], row["value"]), row["version"]
    )


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
    can_write: bool

    @property
    def closed(self) -> bool:
        return bool(self.period and self.period.closed)

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
    lessons_qs = Lesson.objects.filter(assignment_id=assignment.pk)
    if period is not None:
        lessons_qs = lessons_qs.filter(date__gte=period.starts_on, date__lte=period.ends_on)
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
        for r in lessons_qs.annotate(homework_count=Count("homework_set"))
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
    ]
    students = _students_of(assignment.class_group_id, assignment.subgroup_id)
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    marks_by_student: dict[int, list[dict[str, Any]]] = defaultdict(list)
    lesson_ids = [lesson.id for lesson in lessons]
    marks_qs = Mark.objects.filter(lesson_id__in=lesson_ids)
    attendance_qs = Attendance.objects.filter(lesson_id__in=lesson_ids)
    period_marks_qs = PeriodMark.objects.filter(
        class_group_id=assignment.class_group_id, subject_id=assignment.subject_id, year_id=assignment.year_id
    )
    if student_id is not None:
        marks_qs = marks_qs.filter(student_id=student_id)
        attendance_qs = attendance_qs.filter(student_id=student_id)
        period_marks_qs = period_marks_qs.filter(student_id=student_id)
    for m in marks_qs.order_by("id").values(*_MARK_COLUMNS):
        cells[(m["student_id"], m["lesson_id"])].marks.append(_mark_cell(m))
        marks_by_student[m["student_id"]].append(m)
    for a in attendance_qs.values(*_ATTENDANCE_COLUMNS):
        cells[(a["student_id"], a["lesson_id"])].attendance = _attendance_cell(a)
    schemes = _schemes(assignment.school_id)
    scale, round_up_from = _scheme_of(schemes, assignment.subject_id)
    averages = {s.id: scales.weighted_average(marks_by_student.get(s.id, [])) for s in students}
    suggested = {sid: scales.suggest_final(avg, round_up_from, scale) for sid, avg in averages.items()}
    period_marks: dict[int, PeriodMarkCell] = {}
    year_marks: dict[int, PeriodMarkCell] = {}
    by_period: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pm in period_marks_qs.values("id", "student_id", "period_id", "value", "scale", "version"):
        if pm["period_id"] is None:
            year_marks[pm["student_id"]] = _period_mark_cell(pm)
        else:
            by_period[pm["student_id"]].append({**pm, "weight": 1})
            if period is not None and pm["period_id"] == period.id:
                period_marks[pm["student_id"]] = _period_mark_cell(pm)
    suggested_year = {
        s.id: scales.suggest_final(scales.weighted_average(by_period.get(s.id, [])), round_up_from, scale)
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
        can_write=ref.can_write,
    )


# --- the lesson page -----------------------------------------------------------------------


@dataclass(frozen=True)
class TopicOption:
    id: int
    code: str
    title: str
    in_plan: bool


@dataclass(frozen=True)
class NoticeRef:
    id: int
    student_id: int
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    reported_by_id: int
    reported_by: str
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None


@dataclass(frozen=True)
class LessonStudent:
    id: int
    short_name: str
    marks: list[MarkCell]
    attendance: AttendanceCell | None
    notice: NoticeRef | None


@dataclass
class LessonPage:
    id: int
    assignment_id: int
    school_id: int
    date: dt.date
    number: int
    status: str
    subject_id: int
    subject: str
    group_name: str
    teacher_id: int
    topic: TopicOption | None
    plan_topics: list[TopicOption]
    framework_topics: list[TopicOption]
    students: list[LessonStudent]
    homework_ids: list[int]
    control_forms: list[ControlFormRef]
    scale: str
    period: PeriodRef | None
    can_write: bool

    @property
    def closed(self) -> bool:
        return bool(self.period and self.period.closed)


_NOTICE_COLUMNS = (
    "id",
    "student_id",
    "starts_on",
    "ends_on",
    "reason",
    "reported_by_id",
    "reported_by__last_name",
    "reported_by__first_name",
    "reported_by__middle_name",
    "created_at",
    "withdrawn_at",
)


def _notice_ref(r: dict[str, Any]) -> NoticeRef:
    return NoticeRef(
        r["id"],
        r["student_id"],
        r["starts_on"],
        r["ends_on"],
        r["reason"],
        r["reported_by_id"],
        short_name(r["reported_by__last_name"], r["reported_by__first_name"], r["reported_by__middle_name"]),
        r["created_at"],
        r["withdrawn_at"],
    )


def lesson_topic(lesson: Lesson) -> TopicOption | None:
    """The lesson's topic as the picker shows it: ``in_plan`` when it is in the thematic plan of
    the lesson's teaching assignment. One query (none without a topic)."""
    topic = lesson.topic
    if topic is None:
        return None
    in_plan = PlanItem.objects.filter(plan__assignment_id=lesson.assignment_id, topic_id=topic.pk).exists()
    return TopicOption(topic.pk, topic.code, topic.title, in_plan)


def lesson_page(user: Any, lesson_id: int) -> LessonPage:
    """A lesson with its students' marks and attendance, the topic picker (the thematic plan's
    topics, then every framework topic of the subject and grade), active absence notices and the
    homework set at it. A fixed number of queries."""
    lesson = access_lesson(user, lesson_id)
    group_name = class_group_name(lesson.class_group.grade, lesson.class_group.letter)
    if lesson.subgroup is not None:
        group_name = subgroup_name(group_name, lesson.subgroup.number) or group_name
    plan_rows = (
        PlanItem.objects.filter(plan__assignment_id=lesson.assignment_id)
        .order_by("order")
        .values("topic_id", "topic__code", "topic__title_ru", "topic__title_en")
    )
    plan_topics = [
        TopicOption(r["topic_id"], r["topic__code"], pick(r["topic__title_ru"], r["topic__title_en"]), True)
        for r in plan_rows
    ]
    planned = {t.id for t in plan_topics}
    framework_topics = [
        TopicOption(r["id"], r["code"], pick(r["title_ru"], r["title_en"]), r["id"] in planned)
        for r in Topic.objects.filter(subject_id=lesson.subject_id, grade=lesson.class_group.grade)
        .order_by("section__order", "order")
        .values("id", "code", "title_ru", "title_en")
    ]
    topic = (
        TopicOption(lesson.topic.pk, lesson.topic.code, lesson.topic.title, lesson.topic.pk in planned)
        if lesson.topic
        else None
    )
    students = _students_of(lesson.class_group_id, lesson.subgroup_id)
    marks: dict[int, list[MarkCell]] = defaultdict(list)
    for m in Mark.objects.filter(lesson_id=lesson.pk).order_by("id").values(*_MARK_COLUMNS):
        marks[m["student_id"]].append(_mark_cell(m))
    attendance = {
        a["student_id"]: _attendance_cell(a)
        for a in Attendance.objects.filter(lesson_id=lesson.pk).values(*_ATTENDANCE_COLUMNS)
    }
    notices = {
        r["student_id"]: _notice_ref(r)
        for r in AbsenceNotice.objects.filter(
            student_id__in=Enrolment.objects.filter(class_group_id=lesson.class_group_id).values(
                "student_id"
            ),
            starts_on__lte=lesson.date,
            ends_on__gte=lesson.date,
            withdrawn_at__isnull=True,
        )
        .order_by("created_at")
        .values(*_NOTICE_COLUMNS)
    }
    homework_ids = [
        pk
        for pk in Lesson.objects.filter(pk=lesson.pk)
        .order_by("homework_set__id")
        .values_list("homework_set__id", flat=True)
        if pk is not None
    ]
    periods = [p for p in _period_refs(lesson.year_id) if p.covers(lesson.date)]
    return LessonPage(
        id=lesson.pk,
        assignment_id=lesson.assignment_id,
        school_id=lesson.school_id,
        date=lesson.date,
        number=lesson.number,
        status=lesson.status,
        subject_id=lesson.subject_id,
        subject=lesson.subject.name,
        group_name=group_name,
        teacher_id=lesson.teacher_id,
        topic=topic,
        plan_topics=plan_topics,
        framework_topics=framework_topics,
        students=[
            LessonStudent(s.id, s.short_name, marks.get(s.id, []), attendance.get(s.id), notices.get(s.id))
            for s in students
        ],
        homework_ids=homework_ids,
        control_forms=_control_forms(lesson.school_id),
        scale=_scheme_of(_schemes(lesson.school_id), lesson.subject_id)[0],
        period=next((p for p in periods if p.closed), periods[0] if periods else None),
        can_write=can_write_lesson(user, lesson),
    )


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    id: int
    kind: str
    object_id: int
    at: dt.datetime
    actor_id: int | None  # None: a machine made the change (``actor`` names it then)
    actor: str
    lesson_id: int | None
    lesson_date: dt.date | None
    student_id: int | None
    student: str | None
    subject_id: int | None
    old: Any
    new: Any
    reason: str
    # For a study period closed or reopened (kind ``period``): its name and year.
    period: str | None = None


_HISTORY_COLUMNS = (
    "id",
    "kind",
    "object_id",
    "at",
    "actor_id",
    "principal",
    "actor__last_name",
    "actor__first_name",
    "actor__middle_name",
    "lesson_id",
    "lesson__date",
    "student_id",
    "student__last_name",
    "student__first_name",
    "student__middle_name",
    "subject_id",
    "old",
    "new",
    "reason",
)


def _history_row(r: dict[str, Any]) -> HistoryRow:
    return HistoryRow(
        id=r["id"],
        kind=r["kind"],
        object_id=r["object_id"],
        at=r["at"],
        actor_id=r["actor_id"],
        actor=short_name(r["actor__last_name"], r["actor__first_name"], r["actor__middle_name"])
        if r["actor_id"]
        else r["principal"],
        lesson_id=r["lesson_id"],
        lesson_date=r["lesson__date"],
        student_id=r["student_id"],
        student=short_name(r["student__last_name"], r["student__first_name"], r["student__middle_name"])
        if r["student_id"]
        else None,
        subject_id=r["subject_id"],
        old=r["old"],
        new=r["new"],
        reason=r["reason"],
    )


def cell_history(user: Any, lesson_id: int, student_id: int) -> list[HistoryRow]:
    """Every change of the student's marks and attendance at the lesson, newest first (at most
    ``MAX_HISTORY``). Readers of the lesson's journal only."""
    lesson = access_lesson(user, lesson_id)
    rows = (
        JournalChange.objects.filter(
            lesson_id=lesson.pk,
            student_id=student_id,
            kind__in=[JournalChange.Kind.MARK, JournalChange.Kind.ATTENDANCE],
        )
        .order_by("-at", "-id")
        .values(*_HISTORY_COLUMNS)[:MAX_HISTORY]
    )
    return [_history_row(r) for r in rows]


def lesson_history(user: Any, lesson_id: int) -> list[HistoryRow]:
    """Every change at the lesson (its topic, marks and attendance), newest first (at most
    ``MAX_HISTORY``). Readers of the lesson's journal only."""
    lesson = access_lesson(user, lesson_id)
    rows = (
        JournalChange.objects.filter(lesson_id=lesson.pk, school_id=lesson.school_id)
        .order_by("-at", "-id")
        .values(*_HISTORY_COLUMNS)[:MAX_HISTORY]
    )
    return [_history_row(r) for r in rows]


@dataclass(frozen=True)
class HistoryReport:
    rows: list[HistoryRow]
    offset: int
    limit: int
    has_more: bool


def history_report(
    user: Any,
    school_id: int,
    *,
    date_from: dt.date,
    date_to: dt.date,
    teacher_id: int | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> HistoryReport:
    """The school's journal history between two local dates (the school administrator's report),
    optionally one person's changes or one kind; ``limit`` rows from ``offset`` (at most
    ``MAX_HISTORY``), newest first."""
    school = access_school(user, school_id, for_admin=True)
    limit = max(1, min(limit, MAX_HISTORY))
    offset = max(0, offset)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    qs = JournalChange.objects.filter(school_id=school.pk, at__gte=start, at__lt=end)
    if teacher_id is not None:
        qs = qs.filter(actor_id=teacher_id)
    if kind is not None:
        qs = qs.filter(kind=kind)
    rows = list(qs.order_by("-at", "-id").values(*_HISTORY_COLUMNS)[offset : offset + limit + 1])
    lines = [_history_row(r) for r in rows[:limit]]
    period_ids = {r.object_id for r in lines if r.kind == JournalChange.Kind.PERIOD}
    if period_ids:  # closing and reopening: name the period (one more query)
        names = {
            p["id"]: _period_name(p["kind"], p["number"]) + f" {p['year__name']}".rstrip()
            for p in StudyPeriod.objects.filter(pk__in=period_ids, school_id=school.pk).values(
                "id", "kind", "number", "year__name"
            )
        }
        lines = [replace(r, period=names.get(r.object_id)) if r.object_id in period_ids else r for r in lines]
    return HistoryReport(lines, offset, limit, len(rows) > limit)


# --- the diary's reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class DiaryMark:
    id: int
    lesson_id: int
    date: dt.date
    value: int | None
    display: str
    scale: str
    weight: int
    control_form: str | None
    comment: str
    owed_until: dt.date | None


@dataclass(frozen=True)
class SubjectMarks:
    subject_id: int
    subject_code: str
    subject: str
    marks: list[DiaryMark]
    average: Decimal | None
    period_mark: PeriodMarkCell | None
    year_mark: PeriodMarkCell | None


@dataclass(frozen=True)
class StudentMarks:
    student_id: int
    class_group_id: int | None
    periods: list[PeriodRef]
    period: PeriodRef | None
    subjects: list[SubjectMarks]


def _student_scope(user: Any, student_id: int) -> frozenset[int] | None:
    """The schools whose marks of the student the user may read (None: all); 404 for a stranger."""
    if is_self_or_child(user, student_id):
        access_child(user, student_id)
        return None
    access_person(user, student_id)
    return person_school_scope(user, student_id)


def student_marks(user: Any, student_id: int, period_id: int | None = None) -> StudentMarks:
    """A student's marks per subject for a study period of their current year (default: see
    ``choose_period``): the marks, the weighted average, the period and year marks. For the
    student, their guardians, and the staff of their school. A fixed number of queries."""
    scope = _student_scope(user, student_id)
    enrolments = Enrolment.objects.filter(student_id=student_id)
    if scope is not None:
        enrolments = enrolments.filter(school_id__in=scope)
    today = timezone.localdate()
    enrolment = (
        enrolments.filter(year__starts_on__lte=today)
        .order_by("-year__starts_on")
        .values("class_group_id", "year_id", "school_id")
        .first()
        or enrolments.order_by("year__starts_on").values("class_group_id", "year_id", "school_id").first()
    )
    if enrolment is None:
        return StudentMarks(student_id, None, [], None, [])
    periods = _period_refs(enrolment["year_id"])
    period = choose_period(periods, period_id, today)
    subgroups = SubgroupMembership.objects.filter(student_id=student_id).values("subgroup_id")
    subjects = (
        TeachingAssignment.objects.filter(class_group_id=enrolment["class_group_id"])
        .filter(Q(subgroup__isnull=True) | Q(subgroup_id__in=subgroups))
        .order_by("subject__order", "subject__code")
        .values("subject_id", "subject__code", "subject__name_ru", "subject__name_en")
        .distinct()
    )
    marks = Mark.objects.filter(student_id=student_id, school_id=enrolment["school_id"])
    if period is not None:
        marks = marks.filter(date__gte=period.starts_on, date__lte=period.ends_on)
    by_subject: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in marks.order_by("date", "id").values(
        *_MARK_COLUMNS, "subject_id", "date", "control_form__name_ru", "control_form__name_en"
    ):
        by_subject[m["subject_id"]].append(m)
    period_marks: dict[int, PeriodMarkCell] = {}
    year_marks: dict[int, PeriodMarkCell] = {}
    for pm in PeriodMark.objects.filter(student_id=student_id, year_id=enrolment["year_id"]).values(
        "id", "subject_id", "period_id", "value", "scale", "version"
    ):
        if pm["period_id"] is None:
            year_marks[pm["subject_id"]] = _period_mark_cell(pm)
        elif period is not None and pm["period_id"] == period.id:
            period_marks[pm["subject_id"]] = _period_mark_cell(pm)
    result = []
    for s in subjects:
        rows = by_subject.get(s["subject_id"], [])
        result.append(
            SubjectMarks(
                subject_id=s["subject_id"],
                subject_code=s["subject__code"],
                subject=pick(s["subject__name_ru"], s["subject__name_en"]),
                marks=[
                    DiaryMark(
                        id=m["id"],
                        lesson_id=m["lesson_id"],
                        date=m["date"],
                        value=m["value"],
                        display=scales.display(m["scale"], m["value"]),
                        scale=m["scale"],
                        weight=m["weight"],
                        control_form=pick(m["control_form__name_ru"], m["control_form__name_en"])
                        if m["control_form_id"]
                        else None,
                        comment=m["comment"],
                        owed_until=m["owed_until"],
                    )
                    for m in rows
                ],
                average=scales.weighted_average(rows),
                period_mark=period_marks.get(s["subject_id"]),
                year_mark=year_marks.get(s["subject_id"]),
            )
        )
    return StudentMarks(student_id, enrolment["class_group_id"], periods, period, result)


# --- absence notices -----------------------------------------------------------------------


def absence_notices_for_student(
    user: Any, student_id: int, *, include_withdrawn: bool = False
) -> list[NoticeRef]:
    """A student's absence notices, newest first: for the family, and for the staff who may read
    the student (the class teacher sees them)."""
    scope = _student_scope(user, student_id)
    qs = AbsenceNotice.objects.filter(student_id=student_id)
    if scope is not None:
        qs = qs.filter(school_id__in=scope)
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    return [_notice_ref(r) for r in qs.order_by("-starts_on", "-id").values(*_NOTICE_COLUMNS)[:MAX_HISTORY]]


@dataclass(frozen=True)
class ClassNotice:
    """An absence notice of a student in a class group the user leads (the class teacher's list)."""

    id: int
    student_id: int
    student: str
    group_name: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    reported_by: str

    @property
    def is_current(self) -> bool:
        return self.starts_on <= timezone.localdate() <= self.ends_on


def absence_notices_for_class_teacher(user: Any) -> list[ClassNotice]:
    """The current and coming absence notices (not withdrawn, not yet over) of the students of
    the class groups the user leads as class teacher, soonest first. One query."""
    roles = roles_of(user)
    if not roles.user_id or not roles.teacher_school_ids:
        return []
    today = timezone.localdate()
    groups = Enrolment.objects.filter(
        class_group__class_teacher_id=roles.user_id,
        school_id__in=roles.teacher_school_ids,
        year__ends_on__gte=today,
    )
    rows = (
        AbsenceNotice.objects.filter(
            student__enrolments__in=groups, withdrawn_at__isnull=True, ends_on__gte=today
        )
        .order_by("starts_on", "student__last_name", "student__first_name", "id")
        .values(
            "id",
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__enrolments__class_group__grade",
            "student__enrolments__class_group__letter",
            "starts_on",
            "ends_on",
            "reason",
            "reported_by__last_name",
            "reported_by__first_name",
            "reported_by__middle_name",
        )[:MAX_HISTORY]
    )
    return [
        ClassNotice(
            id=r["id"],
            student_id=r["student_id"],
            student=short_name(r["student__last_name"], r["student__first_name"], r["student__middle_name"]),
            group_name=class_group_name(
                r["student__enrolments__class_group__grade"], r["student__enrolments__class_group__letter"]
            ),
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            reason=r["reason"],
            reported_by=short_name(
                r["reported_by__last_name"], r["reported_by__first_name"], r["reported_by__middle_name"]
            ),
        )
        for r in rows
    ]
