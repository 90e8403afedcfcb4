"""Who teaches a lesson: its own teacher (a substitute too) or the teacher of its teaching
assignment, in a school where they still teach.

The one definition behind “may write this lesson” of the apps above the timetable: homework is set
by the lesson's teachers; the journal is written by them and by the school's administrators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from parta.schools.access import roles_of
from parta.schools.models import AcademicYear
from parta.timetable.models import Lesson, Publication, TemplateSlot


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


def year_for_admin(user: Any, year_id: int) -> AcademicYear:
    """An academic year whose school the user administers (a superuser: any); otherwise 404."""
    roles = roles_of(user)
    year = AcademicYear.objects.select_related("school").filter(pk=year_id).first()
    if year is None or not (roles.is_superuser or year.school_id in roles.admin_school_ids):
        raise Http404
    return year


def year_slot(year: AcademicYear, slot_id: int) -> TemplateSlot:
    """A weekly lesson of a year already reached through ``year_for_admin``; otherwise 404."""
    slot = TemplateSlot.objects.filter(year=year, pk=slot_id).first()
    if slot is None:
        raise Http404
    return slot


def year_publication(year: AcademicYear, publication_id: int) -> Publication:
    """A publication of a year already reached through ``year_for_admin``; otherwise 404."""
    publication = (
        Publication.objects.select_related("started_by").filter(year=year, pk=publication_id).first()
    )
    if publication is None:
        raise Http404
    return publication


def lesson_for_admin(user: Any, lesson_id: int, *, school_id: int | None = None) -> Lesson:
    """A lesson of a school the user administers (a superuser: any), and of ``school_id`` when a
    page names the school in its address; otherwise 404."""
    roles = roles_of(user)
    lessons = Lesson.objects.filter(pk=lesson_id)
    if school_id is not None:
        lessons = lessons.filter(school_id=school_id)
    lesson = lessons.first()
    if lesson is None or not (roles.is_superuser or lesson.school_id in roles.admin_school_ids):
        raise Http404
    return lesson
