"""A student's marks per subject: the diary's read, for families and staff."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from parta.core.i18n import pick
from parta.journal import scales
from parta.journal.models import (
    Mark,
    PeriodMark,
)
from parta.journal.selectors.common import (
    _MARK_COLUMNS,
    PeriodMarkCell,
    PeriodRef,
    _period_mark_cell,
    _period_refs,
    choose_period,
)
from parta.schools.access import (
    access_child,
    access_person,
    is_self_or_child,
    person_school_scope,
)
from parta.schools.models import Enrolment, SubgroupMembership, TeachingAssignment

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
