"""Who teaches a lesson: its own teacher (a substitute too) or the teacher of its teaching
assignment, in a school where they still teach.

The one definition behind “may write this lesson” of the apps above the timetable: homework is set
by the lesson's teachers; the journal is written by them and by the school's administrators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from parta.schools.access import roles_of
from parta.timetable.models import Lesson


def lessons_taught_by(user: Any, *, prefix: str = "") -> Q:
    """A Q over Lesson (or over a model reaching it through ``prefix``, e.g. ``"lesson__"``):
    the lessons the user teaches, as the lesson's teacher or the assignment's. A superuser: all."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.teacher_school_ids:
        return Q(pk__in=[])
    schools = {f"{prefix}school_id__in": roles.teacher_school_ids}
    return Q(**{f"{prefix}teacher_id": roles.user_id}, **schools) | Q(
        **{f"{prefix}assignment__teacher_id": roles.user_id}, **schools
    )


def teaches_lesson(user: Any, lesson: Lesson) -> bool:
    """The user teaches this lesson (see ``lessons_taught_by``); no query beyond the user's roles,
    but ``lesson.assignment`` is read, so fetch it with ``select_related("assignment")``."""
    roles = roles_of(user)
    if roles.is_superuser:
        return True
    if lesson.school_id not in roles.teacher_school_ids:
        return False
    return roles.user_id in (lesson.teacher_id, lesson.assignment.teacher_id)
