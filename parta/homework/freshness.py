"""The homework app's read-cache freshness rules (``parta.core.freshness``): which tokens a save
or delete of its rows renews."""

from __future__ import annotations

from parta.core import freshness, versions
from parta.homework.models import (
    Homework,
    HomeworkCompletion,
    HomeworkFile,
    HomeworkLink,
    HomeworkMaterial,
    HomeworkStudent,
)


def _homework(row: Homework) -> list[str]:
    return [versions.class_group(row.class_group_id)]


def _attachment(row: HomeworkLink | HomeworkFile | HomeworkMaterial | HomeworkStudent) -> list[str]:
    """A link, file, library material or chosen student shows (or hides) where its homework does."""
    return freshness.one_step(Homework, row.homework_id, "class_group_id", versions.class_group)


def _completion(row: HomeworkCompletion) -> list[str]:
    """The student's work: its status and the teacher's comment show in their diary. Its files
    and history show on no cached page."""
    return [versions.student(row.student_id)]


def register() -> None:
    freshness.register(Homework, _homework)
    freshness.register(HomeworkLink, _attachment)
    freshness.register(HomeworkFile, _attachment)
    freshness.register(HomeworkMaterial, _attachment)
    freshness.register(HomeworkStudent, _attachment)
    freshness.register(HomeworkCompletion, _completion)
