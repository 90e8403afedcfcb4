"""The timetable's read-cache freshness rules (``parta.core.freshness``): which tokens a save or
delete of its rows renews."""

from __future__ import annotations

from parta.core import freshness, versions
from parta.timetable.models import Bell, Lesson, TemplateSlot


def _lesson(row: Lesson) -> list[str]:
    """A lesson: its class group's timetable and diaries, and the timetables of the teachers it
    names. A teacher it named before the save needs nothing more: their cached timetable showed
    the lesson, so it depends on the lesson's class group token too."""
    teachers = {pk for pk in (row.teacher_id, row.replaced_teacher_id) if pk is not None}
    return [versions.class_group(row.class_group_id), *(versions.teacher(pk) for pk in sorted(teachers))]


def register() -> None:
    freshness.register(Lesson, _lesson)
    freshness.register(Bell, freshness.of_school)
    freshness.register(TemplateSlot, freshness.of_school)
