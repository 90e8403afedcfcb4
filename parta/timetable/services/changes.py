"""Substitutions and cancellations of single lessons, by the school's administrators.

Every change is kept as a ``LessonChange`` row (the lesson's history) and, for a lesson of today
or later, told through the outbox event ``timetable.lesson_change`` to the class's students and
families and to the teachers concerned (``parta.timetable.notifications``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.outbox.services import emit
from parta.schools.access import roles_of
from parta.schools.models import StaffMembership
from parta.timetable.models import Lesson, LessonChange

LESSON_CHANGE_EVENT = "timetable.lesson_change"


def _lesson_for_admin(actor: Any, lesson: Lesson) -> Lesson:
    """The lesson, locked and fresh, if the actor administers its school; otherwise 404."""
    roles = roles_of(actor)
    if not (roles.is_superuser or lesson.school_id in roles.admin_school_ids):
        raise Http404
    current = Lesson.objects.select_for_update().filter(pk=lesson.pk, school_id=lesson.school_id).first()
    if current is None:
        raise Http404
    return current


def _busy(lesson: Lesson, *q: Q, **where: Any) -> bool:
    """Whether another scheduled lesson at the same date and number matches."""
    return (
        Lesson.objects.filter(
            *q, date=lesson.date, number=lesson.number, status=Lesson.Status.SCHEDULED, **where
        )
        .exclude(pk=lesson.pk)
        .exists()
    )


def _record(lesson: Lesson, kind: str, actor: Any, previous_teacher_id: int, tell: bool) -> LessonChange:
    """The change's history row, and its event when families still have the lesson ahead (and
    ``tell``: the demo generator's made-up year of changes is history, not news)."""
    change = LessonChange.objects.create(
        school_id=lesson.school_id,
        lesson=lesson,
        kind=kind,
        teacher_id=lesson.teacher_id,
        previous_teacher_id=previous_teacher_id,
        note=lesson.note,
        actor=actor,
    )
    if tell and lesson.date >= timezone.localdate():
        payload = {
            "change_id": change.pk,
            "lesson_id": lesson.pk,
            "change": kind,
            "date": lesson.date.isoformat(),
            "number": lesson.number,
            "subject_id": lesson.subject_id,
            "class_group_id": lesson.class_group_id,
            "subgroup_id": lesson.subgroup_id,
            "teacher_id": lesson.teacher_id,
            "previous_teacher_id": previous_teacher_id,
            "planned_teacher_id": lesson.replaced_teacher_id or lesson.teacher_id,
            "note": lesson.note,
            "actor_id": getattr(actor, "pk", None),
        }
        emit(LESSON_CHANGE_EVENT, payload, school_id=lesson.school_id)
    return change


def _save(lesson: Lesson, fields: list[str], field: str) -> Lesson:
    """Save, turning a lost race against the database's no-double-booking constraints into a field error."""
    try:
        with transaction.atomic():
            lesson.save(update_fields=fields)
    except IntegrityError as exc:
        raise ValidationError(
            {field: _("Someone else has just booked this time; reload and try again.")}
        ) from exc
    return lesson


@transaction.atomic
def lesson_substitute(
    *, actor: Any, lesson: Lesson, teacher: User, note: str = "", tell: bool = True
) -> Lesson:
    """Hand a lesson to another teacher of the school who is free at that time.

    The lesson keeps its planned teacher in ``replaced_teacher``; substituting again keeps
    the planned teacher there, and handing the lesson back to the planned teacher ends the
    substitution. Only the school's administrators may do it (others get 404).
    """
    current = _lesson_for_admin(actor, lesson)
    if current.status != Lesson.Status.SCHEDULED:
        raise ValidationError({"lesson": _("A cancelled lesson cannot be substituted; restore it first.")})
    if len(note) > 300:
        raise ValidationError({"note": _("The note is longer than 300 characters.")})
    is_teacher = StaffMembership.objects.filter(
        school_id=current.school_id, user_id=teacher.pk, role=StaffMembership.Role.TEACHER
    ).exists()
    if not is_teacher:
        raise ValidationError({"teacher": _("The substitute must be a teacher of this school.")})
    if teacher.pk == current.teacher_id:
        raise ValidationError({"teacher": _("This teacher already teaches the lesson.")})
    if _busy(current, teacher_id=teacher.pk):
        raise ValidationError(
            {"teacher": _("%(teacher)s has another lesson at this time.") % {"teacher": teacher}}
        )
    planned = current.replaced_teacher_id or current.teacher_id
    previous = current.teacher_id
    current.teacher_id = teacher.pk
    current.replaced_teacher_id = None if teacher.pk == planned else planned
    current.note = note.strip()
    _save(current, ["teacher", "replaced_teacher", "note"], "teacher")
    kind = LessonChange.Kind.RETURNED if teacher.pk == planned else LessonChange.Kind.SUBSTITUTED
    _record(current, kind, actor, previous, tell)
    return current


@transaction.atomic
def lesson_cancel(*, actor: Any, lesson: Lesson, reason: str, tell: bool = True) -> Lesson:
    """Cancel a lesson, with the reason families will see. Only the school's administrators."""
    current = _lesson_for_admin(actor, lesson)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lesson is cancelled.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("The reason is longer than 300 characters.")})
    if current.status == Lesson.Status.CANCELLED:
        raise ValidationError({"lesson": _("The lesson is already cancelled.")})
    current.status = Lesson.Status.CANCELLED
    current.note = reason
    _save(current, ["status", "note"], "lesson")
    _record(current, LessonChange.Kind.CANCELLED, actor, current.teacher_id, tell)
    return current


@transaction.atomic
def lesson_restore(*, actor: Any, lesson: Lesson) -> Lesson:
    """Undo a cancellation if the teacher, the room and the class are still free at that time."""
    current = _lesson_for_admin(actor, lesson)
    if current.status != Lesson.Status.CANCELLED:
        raise ValidationError({"lesson": _("The lesson is not cancelled.")})
    if _busy(current, teacher_id=current.teacher_id):
        raise ValidationError({"teacher": _("The teacher has another lesson at this time now.")})
    if current.room_id and _busy(current, room_id=current.room_id):
        raise ValidationError({"room": _("The room is taken at this time now.")})
    # A subgroup's lesson shares its slot with the other subgroups, never with the whole class.
    clash = (
        Q() if current.subgroup_id is None else Q(subgroup__isnull=True) | Q(subgroup_id=current.subgroup_id)
    )
    if _busy(current, clash, class_group_id=current.class_group_id):
        raise ValidationError({"class_group": _("The class has another lesson at this time now.")})
    current.status = Lesson.Status.SCHEDULED
    current.note = ""
    _save(current, ["status", "note"], "lesson")
    _record(current, LessonChange.Kind.RESTORED, actor, current.teacher_id, True)
    return current


@transaction.atomic
def lesson_hand_back(*, actor: Any, lesson: Lesson) -> Lesson:
    """End a substitution: the planned teacher teaches the lesson again, if free at that time."""
    current = _lesson_for_admin(actor, lesson)
    if current.replaced_teacher_id is None:
        raise ValidationError({"lesson": _("The lesson has no substitute.")})
    planned = User.objects.get(pk=current.replaced_teacher_id)
    return lesson_substitute(actor=actor, lesson=current, teacher=planned, note="")
