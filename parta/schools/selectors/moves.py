"""The history of students' moves between class groups and out of the school."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from parta.core.i18n import pick
from parta.core.names import full_name, short_name
from parta.schools.models import AcademicYear, StudentMove


@dataclass(frozen=True)
class MoveRow:
    id: int
    student_id: int
    student: str
    from_class_group: str
    to_class_group: str | None  # None: out of the school
    moved_on: dt.date
    reason: str
    left_subgroups: str
    moved_by: str
    created_at: dt.datetime


def student_moves(
    year: AcademicYear, *, class_group_id: int | None = None, student_id: int | None = None
) -> list[MoveRow]:
    """The year's moves, latest first; only those into or out of a class group, or of one
    student, when asked: one query."""
    moves = StudentMove.objects.filter(year=year)
    if class_group_id is not None:
        moves = moves.filter(Q(from_class_group_id=class_group_id) | Q(to_class_group_id=class_group_id))
    if student_id is not None:
        moves = moves.filter(student_id=student_id)
    rows = moves.order_by("-moved_on", "-created_at", "-pk").values_list(
        "pk",
        "student_id",
        "student__last_name",
        "student__first_name",
        "student__middle_name",
        "student__username",
        "from_class_group__grade",
        "from_class_group__letter",
        "to_class_group__grade",
        "to_class_group__letter",
        "moved_on",
        "reason",
        "left_subgroups",
        "moved_by__last_name",
        "moved_by__first_name",
        "moved_by__middle_name",
        "moved_by__username",
        "created_at",
    )
    return [
        MoveRow(
            id=pk,
            student_id=student,
            student=full_name(last, first, middle) or username,
            from_class_group=f"{from_grade}{from_letter}",
            to_class_group=f"{to_grade}{to_letter}" if to_grade is not None else None,
            moved_on=moved_on,
            reason=reason,
            left_subgroups=", ".join(f"{s['name']} {pick(s['ru'], s['en'])}" for s in left or []),
            moved_by=short_name(by_last, by_first, by_middle) or by_username,
            created_at=created_at,
        )
        for (
            pk,
            student,
            last,
            first,
            middle,
            username,
            from_grade,
            from_letter,
            to_grade,
            to_letter,
            moved_on,
            reason,
            left,
            by_last,
            by_first,
            by_middle,
            by_username,
            created_at,
        ) in rows
    ]
