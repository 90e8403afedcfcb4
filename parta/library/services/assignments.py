"""Giving a material to a class group: at a lesson (from the lesson page, two clicks) or with
homework (the homework app calls :func:`material_assign` with its own origin)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404

from parta.library.access import access_material
from parta.library.models import Assignment, Material, Use
from parta.library.services.usage import use_record
from parta.timetable.access import lessons_taught_by
from parta.timetable.models import Lesson

LESSON = "lesson"


def _lesson_taught_by(actor: Any, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.filter(lessons_taught_by(actor), pk=lesson_id).first()
    if lesson is None:
        raise Http404
    return lesson


@transaction.atomic
def material_attach_to_lesson(actor: Any, *, lesson_id: int, material_id: int) -> Assignment:
    """The lesson's teacher gives a material they may open to the lesson's class group; giving it
    twice changes nothing."""
    lesson = _lesson_taught_by(actor, lesson_id)
    material = access_material(actor, material_id)
    assignment, created = Assignment.objects.get_or_create(
        material=material,
        origin=f"{LESSON}:{lesson.pk}",
        class_group_id=lesson.class_group_id,
        defaults={"school_id": lesson.school_id, "lesson": lesson, "added_by": actor},
    )
    if created:
        use_record(material.pk, Use.Kind.LESSON, actor)
    return assignment


@transaction.atomic
def material_detach_from_lesson(actor: Any, *, lesson_id: int, material_id: int) -> None:
    lesson = _lesson_taught_by(actor, lesson_id)
    deleted, _ = Assignment.objects.filter(material_id=material_id, origin=f"{LESSON}:{lesson.pk}").delete()
    if not deleted:
        raise Http404


def material_assign(
    actor: Any, *, material: Material, school_id: int, class_group_id: int, origin: str, lesson_id: int | None
) -> Assignment:
    """For another app that gives a material (homework: ``origin="homework:12"``), after it has
    checked the actor may give to that class group and may open the material
    (``access_material``). Idempotent by (material, origin, class group)."""
    assignment, created = Assignment.objects.get_or_create(
        material=material,
        origin=origin,
        class_group_id=class_group_id,
        defaults={"school_id": school_id, "lesson_id": lesson_id, "added_by": actor},
    )
    if created:
        use_record(
            material.pk, Use.Kind.HOMEWORK if origin.startswith("homework") else Use.Kind.LESSON, actor
        )
    return assignment


def material_unassign(*, origin: str, keep: set[int] | None = None) -> None:
    """Take back what ``origin`` gave, but the materials in ``keep``."""
    queryset = Assignment.objects.filter(origin=origin)
    if keep:
        queryset = queryset.exclude(material_id__in=keep)
    queryset.delete()
