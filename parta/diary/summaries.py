"""The diary's summaries of a study period: marks per subject with the weighted average and the
period and year marks, one subject's marks over time against the class group's average, the
attendance summary, and the report card built from them.

Each takes the reader and the student's id, passes ``access_diary`` first, and runs a fixed
number of queries whatever the number of marks. Averages are ``parta.journal.scales``' —
Σ value × weight / Σ weight over marks with a value, not pass/fail.

The class group's average on the chart never shows another child: it is an average per week over
at least ``MIN_GROUP_STUDENTS`` students (the point is left out otherwise), and only the averages
leave the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.i18n import pick
from parta.core.ids import parse_id
from parta.diary.reach import DiaryAccess, DiaryStudent, access_diary, reach_diary, scoped
from parta.diary.selectors import (
    AttendanceRow,
    MarkRow,
    attendance_rows,
    lessons_of,
    mark_rows,
    validate_range,
)
from parta.journal import scales
from parta.journal.models import Attendance, Mark, PeriodMark, Scale
from parta.journal.selectors import student_marks
from parta.schools.models import StudyPeriod, SubgroupMembership, Subject, TeachingAssignment

# Fewer students than this in a week's marks and the class average is not shown: with two or three,
# a child who knows their own mark could work out a classmate's.
MIN_GROUP_STUDENTS = 5
# The attendance API answers for at most a school year at once.
MAX_ATTENDANCE_DAYS = 366


# --- study periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRef:
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    is_closed: bool


@dataclass(frozen=True)
class PeriodChoice:
    """The periods of the student's year and the one being read (None: the whole year)."""

    periods: list[PeriodRef]
    period: PeriodRef | None
    date_from: dt.date
    date_to: dt.date


def _periods(student: DiaryStudent) -> list[PeriodRef]:
    return [
        PeriodRef(
            id=p.pk, name=p.name, starts_on=p.starts_on, ends_on=p.ends_on, is_closed=p.closed_at is not None
        )
        for p in StudyPeriod.objects.filter(year_id=student.year_id).order_by("starts_on", "kind", "number")
    ]


def choose_period(
    student: DiaryStudent, requested: str | int | None, *, strict: bool = False
) -> PeriodChoice:
    """The period asked for (an id of the student's year; ``"year"`` for the whole year), else the
    one that contains today, else the last that has started, else the first: one query. ``strict``
    (the API) refuses a period that is not one of the year's with a ValidationError instead."""
    periods = _periods(student)
    year = PeriodChoice(periods, None, student.year_starts_on, student.year_ends_on)
    if requested == "year":
        return year
    wanted = requested if isinstance(requested, int) else parse_id(requested)
    chosen = next((p for p in periods if p.id == wanted), None)
    if strict and requested not in (None, "") and chosen is None:
        raise ValidationError({"period": [_("Choose a study period of the student's year, or “year”.")]})
    if not periods:
        return year
    if chosen is None:
        today = timezone.localdate()
        started = [p for p in periods if p.starts_on <= today]
        chosen = next((p for p in started if today <= p.ends_on), started[-1] if started else periods[0])
    return PeriodChoice(periods, chosen, chosen.starts_on, chosen.ends_on)


# --- marks per subject --------------------------------------------------------------------


@dataclass(frozen=True)
class FinalMark:
    value: int | None  # None: «н/а», not attested
    display: str


@dataclass
class SubjectMarks:
    subject_code: str
    subject: str
    marks: list[MarkRow] = field(default_factory=list)
    period_mark: FinalMark | None = None
    year_mark: FinalMark | None = None

    @property
    def average(self) -> Decimal | None:
        return scales.weighted_average(
            {"value": m.value, "weight": m.weight, "scale": m.scale} for m in self.marks
        )

    @property
    def counted(self) -> int:
        """Marks with a value (an owed mark is not yet a mark)."""
        return sum(1 for m in self.marks if m.value is not None)

    @property
    def owed(self) -> int:
        return sum(1 for m in self.marks if m.is_owed)


@dataclass(frozen=True)
class MarksSummary:
    student: DiaryStudent
    choice: PeriodChoice
    subjects: list[SubjectMarks]


def _subjects(student: DiaryStudent) -> list[tuple[str, str]]:
    """The subjects the student's class group (or one of the student's subgroups) is taught this
    year, in the school's order: one query."""
    taught = TeachingAssignment.objects.filter(class_group_id=student.class_group_id).filter(
        Q(subgroup_id__isnull=True)
        | Q(subgroup_id__in=SubgroupMembership.objects.filter(student_id=student.id).values("subgroup_id"))
    )
    rows = (
        Subject.objects.filter(pk__in=taught.values("subject_id"))
        .order_by("order", "code")
        .values_list("code", "name_ru", "name_en")
    )
    return [(code, pick(ru, en)) for code, ru, en in rows]


def _final_marks(
    student: DiaryStudent, period_id: int | None
) -> tuple[dict[str, FinalMark], dict[str, FinalMark]]:
    """The period marks of ``period_id`` and the year marks, by subject code: one query."""
    wanted = Q(period_id__isnull=True)
    if period_id is not None:
        wanted |= Q(period_id=period_id)
    period: dict[str, FinalMark] = {}
    year: dict[str, FinalMark] = {}
    qs = scoped(PeriodMark.objects.filter(wanted, student_id=student.id, year_id=student.year_id), student)
    for code, period_of, scale, value in qs.values_list("subject__code", "period_id", "scale", "value"):
        target = year if period_of is None else period
        target[code] = FinalMark(value=value, display=scales.display_final(scale, value))
    return period, year


def _summary(user: Any, student: DiaryStudent, choice: PeriodChoice) -> MarksSummary:
    """A period's marks come from the journal's own read (``student_marks``: its access rule, its
    subjects, its period and year marks); the whole year, which it does not offer, is read here."""
    if choice.period is None:
        return _year_summary(student, choice)
    data = student_marks(user, student.id, choice.period.id)
    subjects = [
        SubjectMarks(
            subject_code=s.subject_code,
            subject=s.subject,
            marks=[
                MarkRow(
                    id=m.id,
                    lesson_id=m.lesson_id,
                    date=m.date,
                    subject_code=s.subject_code,
                    subject=s.subject,
                    scale=m.scale,
                    value=m.value,
                    display=m.display,
                    weight=m.weight,
                    control_form=m.control_form,
                    comment=m.comment,
                    owed_until=m.owed_until,
                )
                for m in s.marks
            ],
            period_mark=FinalMark(s.period_mark.value, s.period_mark.display) if s.period_mark else None,
            year_mark=FinalMark(s.year_mark.value, s.year_mark.display) if s.year_mark else None,
        )
        for s in data.subjects
    ]
    return MarksSummary(student=student, choice=choice, subjects=subjects)


def _year_summary(student: DiaryStudent, choice: PeriodChoice) -> MarksSummary:
    by_subject: dict[str, SubjectMarks] = {
        code: SubjectMarks(subject_code=code, subject=name) for code, name in _subjects(student)
    }
    for mark in mark_rows(student, choice.date_from, choice.date_to):
        entry = by_subject.setdefault(
            mark.subject_code, SubjectMarks(subject_code=mark.subject_code, subject=mark.subject)
        )
        entry.marks.append(mark)
    period, year = _final_marks(student, None)
    for code, entry in by_subject.items():
        entry.period_mark = period.get(code)
        entry.year_mark = year.get(code)
    return MarksSummary(student=student, choice=choice, subjects=list(by_subject.values()))


def marks_summary(
    user: Any, student_id: int, period: str | int | None = None, *, strict: bool = False
) -> MarksSummary:
    """Every subject of the student's class this period: the marks (value, weight, control form,
    comment, owed), the weighted average, the period mark and the year mark."""
    student = access_diary(user, student_id)
    return _summary(user, student, choose_period(student, period, strict=strict))


# --- one subject over time ----------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    week: dt.date
    student: Decimal | None
    group: Decimal | None


@dataclass(frozen=True)
class SubjectDetail:
    student: DiaryStudent
    choice: PeriodChoice
    marks: SubjectMarks
    points: list[ChartPoint]
    min_group_students: int = MIN_GROUP_STUDENTS

    def chart_data(self) -> dict[str, Any]:
        """What the page's chart script reads (json_script): only this student's averages and the
        class group's averages — no other child's values."""
        return {
            "labels": [p.week.isoformat() for p in self.points],
            "student": [float(p.student) if p.student is not None else None for p in self.points],
            "group": [float(p.group) if p.group is not None else None for p in self.points],
        }


_CENTS = Decimal("0.01")


def _weekly_group_average(
    student: DiaryStudent, subject_code: str, date_from: dt.date, date_to: dt.date
) -> dict[dt.date, Decimal]:
    """The class group's weighted average per week, computed by the database; weeks marked for
    fewer than ``MIN_GROUP_STUDENTS`` students are left out. One query."""
    qs = (
        Mark.objects.filter(
            school_id=student.school_id,
            lesson__class_group_id=student.class_group_id,
            subject__code=subject_code,
            date__gte=date_from,
            date__lte=date_to,
            value__isnull=False,
        )
        .exclude(scale=Scale.PASS_FAIL)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(
            total=Sum(F("value") * F("weight")),
            weights=Sum("weight"),
            students=Count("student_id", distinct=True),
        )
        .filter(students__gte=MIN_GROUP_STUDENTS)
        .values_list("week", "total", "weights")
    )
    result: dict[dt.date, Decimal] = {}
    for week, total, weights in qs:
        day = week.date() if isinstance(week, dt.datetime) else week
        if weights:
            result[day] = (Decimal(total) / Decimal(weights)).quantize(_CENTS, rounding=ROUND_HALF_UP)
    return result


def subject_detail(
    user: Any, student_id: int, subject_code: str, period: str | int | None = None
) -> SubjectDetail:
    """One subject's marks this period with the average and final marks, and the chart of the
    student's weekly average against the class group's. 404 for a subject the student has
    neither lessons planned in nor marks."""
    student = access_diary(user, student_id)
    choice = choose_period(student, period)
    summary = _summary(user, student, choice)
    entry = next((s for s in summary.subjects if s.subject_code == subject_code), None)
    if entry is None:
        raise Http404
    mine: dict[dt.date, list[MarkRow]] = defaultdict(list)
    for mark in entry.marks:
        mine[mark.date - dt.timedelta(days=mark.date.weekday())].append(mark)
    group = _weekly_group_average(student, subject_code, choice.date_from, choice.date_to)
    points = [
        ChartPoint(
            week=week,
            student=scales.weighted_average(
                {"value": m.value, "weight": m.weight, "scale": m.scale} for m in mine.get(week, [])
            ),
            group=group.get(week),
        )
        for week in sorted(set(mine) | set(group))
    ]
    return SubjectDetail(student=student, choice=choice, marks=entry, points=points)


# --- attendance ---------------------------------------------------------------------------


@dataclass
class AttendanceCounts:
    lessons: int = 0
    absent: int = 0
    excused: int = 0
    sick: int = 0
    late: int = 0

    @property
    def missed(self) -> int:
        """Lessons missed, for any reason."""
        return self.absent + self.excused + self.sick

    @property
    def unexcused(self) -> int:
        return self.absent

    def add(self, status: str) -> None:
        if status == Attendance.Status.ABSENT:
            self.absent += 1
        elif status == Attendance.Status.EXCUSED:
            self.excused += 1
        elif status == Attendance.Status.SICK:
            self.sick += 1
        elif status == Attendance.Status.LATE:
            self.late += 1


@dataclass(frozen=True)
class SubjectAttendance:
    subject_code: str
    subject: str
    counts: AttendanceCounts


@dataclass(frozen=True)
class PeriodAttendance:
    period: PeriodRef
    counts: AttendanceCounts


@dataclass(frozen=True)
class AttendanceSummary:
    student: DiaryStudent
    date_from: dt.date
    date_to: dt.date
    total: AttendanceCounts
    subjects: list[SubjectAttendance]
    periods: list[PeriodAttendance]
    entries: list[AttendanceRow]


def _attendance(
    student: DiaryStudent, date_from: dt.date, date_to: dt.date, periods: list[PeriodRef]
) -> AttendanceSummary:
    """Counts per subject and per period over the range: lessons held (not cancelled, up to today)
    from the timetable, absences and lateness from the journal. Three queries (the student's
    subgroups, their lessons, their attendance)."""
    today = timezone.localdate()
    lessons = [row for row in lessons_of(student, date_from, min(date_to, today)) if not row.is_cancelled]
    entries = attendance_rows(student, date_from, date_to)
    total = AttendanceCounts()
    subjects: dict[str, SubjectAttendance] = {}

    def subject(code: str, name: str) -> AttendanceCounts:
        return subjects.setdefault(code, SubjectAttendance(code, name, AttendanceCounts())).counts

    in_periods = [p for p in periods if p.starts_on <= date_to and p.ends_on >= date_from]
    by_period = {p.id: PeriodAttendance(p, AttendanceCounts()) for p in in_periods}

    def period_of(day: dt.date) -> AttendanceCounts | None:
        found = next((p for p in in_periods if p.starts_on <= day <= p.ends_on), None)
        return by_period[found.id].counts if found else None

    for row in lessons:
        total.lessons += 1
        subject(row.subject_code, row.subject).lessons += 1
        counts = period_of(row.date)
        if counts is not None:
            counts.lessons += 1
    for entry in entries:
        total.add(entry.status)
        subject(entry.subject_code, entry.subject).add(entry.status)
        counts = period_of(entry.date)
        if counts is not None:
            counts.add(entry.status)
    return AttendanceSummary(
        student=student,
        date_from=date_from,
        date_to=date_to,
        total=total,
        subjects=sorted(subjects.values(), key=lambda s: s.subject),
        periods=list(by_period.values()),
        entries=entries,
    )


def attendance_summary(
    user: Any, student_id: int, period: str | int | None = None
) -> tuple[PeriodChoice, AttendanceSummary]:
    """Attendance in the chosen period (per subject) and in each period of the year."""
    student = access_diary(user, student_id)
    choice = choose_period(student, period)
    return choice, _attendance(student, choice.date_from, choice.date_to, choice.periods)


def attendance_range(user: Any, student_id: int, date_from: dt.date, date_to: dt.date) -> AttendanceSummary:
    """Attendance from one date to another (at most ``MAX_ATTENDANCE_DAYS``), for the API."""
    return attendance_range_of(reach_diary(user, student_id), date_from, date_to)


def attendance_range_of(reach: DiaryAccess, date_from: dt.date, date_to: dt.date) -> AttendanceSummary:
    """``attendance_range`` of a student ``reach_diary`` has let the user reach."""
    student = reach.on(date_from)
    validate_range(date_from, date_to, max_days=MAX_ATTENDANCE_DAYS)
    return _attendance(student, date_from, date_to, _periods(student))


# --- the report card ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportCardRow:
    subject: str
    marks: int
    average: Decimal | None
    period_mark: FinalMark | None
    year_mark: FinalMark | None
    missed: int


@dataclass(frozen=True)
class ReportCard:
    student: DiaryStudent
    choice: PeriodChoice
    title: str
    rows: list[ReportCardRow]
    attendance: AttendanceCounts
    generated_on: dt.date


def report_card(user: Any, student_id: int, period: str | int | None = None) -> ReportCard:
    """The student's report card for a period (or the year): per subject the number of marks, the
    weighted average and the period mark; attendance totals; the date it was made."""
    student = access_diary(user, student_id)
    choice = choose_period(student, period)
    summary = _summary(user, student, choice)
    attendance = _attendance(student, choice.date_from, choice.date_to, choice.periods)
    missed = {s.subject_code: s.counts.missed for s in attendance.subjects}
    rows = [
        ReportCardRow(
            subject=s.subject,
            marks=s.counted,
            average=s.average,
            period_mark=s.period_mark,
            year_mark=s.year_mark,
            missed=missed.get(s.subject_code, 0),
        )
        for s in summary.subjects
    ]
    return ReportCard(
        student=student,
        choice=choice,
        title=choice.period.name if choice.period else student.year,
        rows=rows,
        attendance=attendance.total,
        generated_on=timezone.localdate(),
    )
