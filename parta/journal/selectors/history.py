"""The history of a cell, of a lesson, and the administrator's report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone

from parta.core.i18n import picker
from parta.core.names import class_group_name, short_name, subgroup_name
from parta.journal.access import (
    access_lesson,
)
from parta.journal.models import (
    JournalChange,
)
from parta.journal.selectors.common import (
    MAX_HISTORY,
    _period_name,
)
from parta.schools.access import (
    access_school,
)
from parta.schools.models import AcademicYear, StudyPeriod
from parta.schools.selectors import subject_names
from parta.timetable.models import Lesson

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
    # On the school's report, where a row is about one of many classes: «7А» (or «7А/1») and the subject.
    class_group: str | None = None
    subject: str | None = None


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
    year_ids = {r.object_id for r in lines if r.kind == JournalChange.Kind.YEAR}
    names: dict[tuple[str, int], str] = {}
    if period_ids:  # closing and reopening: name the period (one more query)
        names |= {
            (JournalChange.Kind.PERIOD, p["id"]): _period_name(p["kind"], p["number"])
            + f" {p['year__name']}".rstrip()
            for p in StudyPeriod.objects.filter(pk__in=period_ids, school_id=school.pk).values(
                "id", "kind", "number", "year__name"
            )
        }
    if year_ids:
        names |= {
            (JournalChange.Kind.YEAR, y["id"]): y["name"]
            for y in AcademicYear.objects.filter(pk__in=year_ids, school_id=school.pk).values("id", "name")
        }
    if names:
        lines = [
            replace(r, period=names[(r.kind, r.object_id)]) if (r.kind, r.object_id) in names else r
            for r in lines
        ]
    return HistoryReport(_with_groups_and_subjects(lines), offset, limit, len(rows) > limit)


def _with_groups_and_subjects(lines: list[HistoryRow]) -> list[HistoryRow]:
    """Name each row's class (from its lesson) and subject: two queries for the page."""
    lesson_ids = {r.lesson_id for r in lines if r.lesson_id is not None}
    groups = (
        {
            row["pk"]: subgroup_name(
                class_group_name(row["class_group__grade"], row["class_group__letter"]),
                row["subgroup__number"],
            )
            or class_group_name(row["class_group__grade"], row["class_group__letter"])
            for row in Lesson.objects.filter(pk__in=lesson_ids).values(
                "pk", "class_group__grade", "class_group__letter", "subgroup__number"
            )
        }
        if lesson_ids
        else {}
    )
    pick = picker()
    subjects = subject_names(r.subject_id for r in lines if r.subject_id is not None)
    return [
        replace(
            r,
            class_group=groups.get(r.lesson_id or 0),
            subject=pick(subjects[r.subject_id]["ru"], subjects[r.subject_id]["en"])
            if r.subject_id in subjects
            else None,
        )
        for r in lines
    ]
