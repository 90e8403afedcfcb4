"""The journal's read-cache freshness rules (``parta.core.freshness``): which tokens a save or
delete of its rows renews."""

from __future__ import annotations

from parta.core import freshness, versions
from parta.journal.models import (
    AbsenceNotice,
    Attendance,
    ControlForm,
    GradingScheme,
    Mark,
    PeriodMark,
    Remark,
)
from parta.timetable.models import Lesson


def _cell(row: Mark | Attendance) -> list[str]:
    """A mark or attendance: the student's diary and the class's journal cells."""
    if type(row).lesson.is_cached(row):
        return [versions.student(row.student_id), versions.class_marks(row.lesson.class_group_id)]
    return [
        versions.student(row.student_id),
        *freshness.one_step(Lesson, row.lesson_id, "class_group_id", versions.class_marks),
    ]


def _period_mark(row: PeriodMark) -> list[str]:
    return [versions.student(row.student_id), versions.class_marks(row.class_group_id)]


def _of_student(row: AbsenceNotice | Remark) -> list[str]:
    """What only the student's diary shows."""
    return [versions.student(row.student_id)]


def register() -> None:
    freshness.register(Mark, _cell)
    freshness.register(Attendance, _cell)
    freshness.register(PeriodMark, _period_mark)
    freshness.register(AbsenceNotice, _of_student)
    freshness.register(Remark, _of_student)
    freshness.register(ControlForm, freshness.of_school)
    freshness.register(GradingScheme, freshness.of_school)
