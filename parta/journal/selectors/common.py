"""What the journal's reads share: cells, study periods, control forms, grading schemes, students."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.http import Http404

from parta.core import statements
from parta.core.i18n import pick
from parta.core.names import short_name
from parta.journal import scales
from parta.journal.models import (
    ControlForm,
    GradingScheme,
)
from parta.schools.models import Enrolment, StudentMove, StudyPeriod, SubgroupMembership

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
    year_closed: bool  # the academic year is closed: its year marks are locked too

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
    # In the class group from (empty: the year's start) and until the day before ``left_on``
    # (empty: still there). A student who left keeps a row in the journal of the periods they
    # were in: their marks stay readable, the days after they left take nothing.
    since: dt.date | None = None
    left_on: dt.date | None = None

    def in_class_on(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.left_on is None or day < self.left_on)


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
    value: int | None  # None: «н/а», not attested
    display: str
    version: int

    @property
    def not_attested(self) -> bool:
        return self.value is None

    @property
    def choice(self) -> str:
        """The mark as the grid's select names it."""
        return scales.NOT_ATTESTED if self.value is None else str(self.value)


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


# A journal's first read runs each of these: built once (``parta.core.statements``).
_PERIODS = statements.Statement(
    StudyPeriod,
    lambda year_id: (
        StudyPeriod.objects.filter(year_id=year_id)
        .order_by("starts_on", "kind", "number")
        .values("id", "kind", "number", "starts_on", "ends_on", "closed_at", "year__closed_at")
    ),
)
_CONTROL_FORMS = statements.Statement(
    ControlForm,
    lambda school_id: (
        ControlForm.objects.filter(school_id=school_id)
        .order_by("order", "code")
        .values_list("id", "code", "name_ru", "name_en", "default_weight")
    ),
)
_SCHEMES = statements.Statement(
    GradingScheme,
    lambda school_id: GradingScheme.objects.filter(school_id=school_id).values_list(
        "subject_id", "scale", "round_up_from", "final_scale"
    ),
)


def _period_refs(year_id: int) -> list[PeriodRef]:
    refs = []
    for row in _PERIODS.dicts(year_id):
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
                row["year__closed_at"] is not None,
            )
        )
    return refs


def open_period_names(year_id: int) -> list[str]:
    """The year's study periods not closed yet, in order: what closing the year closes with it."""
    return [p.name for p in _period_refs(year_id) if not p.closed]


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
    return [
        ControlFormRef(pk, code, pick(name_ru, name_en), weight)
        for pk, code, name_ru, name_en, weight in _CONTROL_FORMS.rows(school_id)
    ]


class SchemeRef(NamedTuple):
    scale: str
    round_up_from: Decimal
    final_scale: str  # the scale of period and year marks


_DEFAULT_SCHEME = SchemeRef(scales.DEFAULT_SCALE, scales.DEFAULT_ROUND_UP_FROM, scales.DEFAULT_SCALE)


def _schemes(school_id: int) -> dict[int | None, SchemeRef]:
    """Every scheme of the school by subject (None: the school's default)."""
    return {
        subject_id: SchemeRef(scale, Decimal(round_up_from), final_scale or scale)
        for subject_id, scale, round_up_from, final_scale in _SCHEMES.rows(school_id)
    }


def _scheme_of(schemes: dict[int | None, SchemeRef], subject_id: int) -> SchemeRef:
    return schemes.get(subject_id) or schemes.get(None) or _DEFAULT_SCHEME


_ORDER = ("student__last_name", "student__first_name", "student_id")
_NAMES = ("student__last_name", "student__first_name", "student__middle_name", "student__username")


def _enrolled(class_group_id: int, subgroup_ids: list[int], ends_on: list[dt.date]) -> QuerySet[Any, Any]:
    """The class group's (or its subgroup's: one id or none) students, of them those who joined
    by a period's last day (one date or none), in name order."""
    enrolments = Enrolment.objects.filter(class_group_id=class_group_id)
    if subgroup_ids:
        members = SubgroupMembership.objects.filter(subgroup_id=subgroup_ids[0]).values("student_id")
        enrolments = enrolments.filter(student_id__in=members)
    if ends_on:
        enrolments = enrolments.exclude(starts_on__gt=ends_on[0])
    students: QuerySet[Any, Any] = enrolments.order_by(*_ORDER).values("student_id", "starts_on", *_NAMES)
    return students


_ENROLLED = statements.Statement(Enrolment, _enrolled)
# Left after the period began: in the class for some of it (or all of it, for a past period).
_MOVED = statements.Statement(
    StudentMove,
    lambda class_group_id, starts_on: (
        StudentMove.objects.filter(from_class_group_id=class_group_id, moved_on__gt=starts_on)
        .order_by(*_ORDER)
        .values("student_id", "moved_on", "left_subgroups", *_NAMES)
    ),
)


def _students_of(
    class_group_id: int,
    subgroup_id: int | None,
    *,
    between: tuple[dt.date, dt.date] | None = None,
    subgroup_key: tuple[str, str] = ("", ""),
) -> list[StudentRef]:
    """The class group's (or subgroup's) students in name order, each with the day they joined.

    With ``between`` (a study period's first and last day) only those in the class during it,
    and after them the students who left since it began, each with the day they left (a second
    query, over the class group's moves). ``subgroup_key`` is the subgroup's name and its subject's
    Russian name, as a move records the subgroups it ended."""
    subgroups = [subgroup_id] if subgroup_id is not None else []
    students = [
        StudentRef(r["student_id"], _name(r), since=r["starts_on"])
        for r in _ENROLLED.dicts(class_group_id, subgroups, [between[1]] if between else [])
    ]
    if between is None:
        return students
    present = {s.id for s in students}
    for r in _MOVED.dicts(class_group_id, between[0]):
        # The subgroup's membership ended with the move; the move names the subgroups it ended.
        ended = {(g.get("name"), g.get("ru")) for g in r["left_subgroups"]}
        in_subgroup = subgroup_id is None or subgroup_key in ended
        if r["student_id"] not in present and in_subgroup:
            present.add(r["student_id"])
            students.append(StudentRef(r["student_id"], _name(r), left_on=r["moved_on"]))
    return students


def _name(row: Mapping[str, Any]) -> str:
    return (
        short_name(row["student__last_name"], row["student__first_name"], row["student__middle_name"])
        or row["student__username"]
    )


def _period_mark_cell(row: Mapping[str, Any]) -> PeriodMarkCell:
    return PeriodMarkCell(
        row["id"],
        row["period_id"],
        row["value"],
        scales.display_final(row["scale"], row["value"]),
        row["version"],
    )
