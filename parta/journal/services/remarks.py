"""A teacher's remarks and praise about a student at a lesson: written and withdrawn, never edited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.journal.access import access_lesson
from parta.journal.models import JournalChange, Remark
from parta.journal.services.common import (
    _actor_id,
    _cell_facts,
    _check_lesson,
    _check_student,
    _history,
)
from parta.outbox.services import emit

MAX_REMARK = 500  # Remark.text


def remark_data(remark: Remark) -> dict[str, Any]:
    """A remark as the API writes it (``created_by`` is read: the author's name)."""
    return {
        "id": remark.pk,
        "lesson": remark.lesson_id,
        "student": remark.student_id,
        "date": remark.date,
        "kind": remark.kind,
        "text": remark.text,
        "author": {"id": remark.created_by_id, "short_name": remark.created_by.short_name},
        "created_at": remark.created_at,
    }


def _state(remark: Remark) -> dict[str, Any]:
    """What the history keeps of a remark."""
    return {"kind": remark.kind, "text": remark.text}


def _remark_history(remark: Remark, actor: Any, *, withdrawn: bool, reason: str) -> None:
    _history(
        kind=JournalChange.Kind.REMARK,
        object_id=remark.pk,
        school_id=remark.school_id,
        actor=actor,
        lesson=remark.lesson,
        student_id=remark.student_id,
        subject_id=remark.subject_id,
        old=_state(remark) if withdrawn else None,
        new=None if withdrawn else _state(remark),
        reason=reason,
    )


def _emit_remark(remark: Remark, *, change: str, actor: Any) -> None:
    """The family is told; the payload keeps the text, so that the notification reads without a
    query even after a withdrawal."""
    emit(
        "journal.remark",
        {
            "remark_id": remark.pk,
            "student_id": remark.student_id,
            "lesson_id": remark.lesson_id,
            "subject_id": remark.subject_id,
            "date": remark.date.isoformat(),
            "kind": remark.kind,
            "text": remark.text,
            "change": change,
            "actor_id": _actor_id(actor),
        },
        school_id=remark.school_id,
    )


@transaction.atomic
def remark_create(
    actor: Any, *, lesson_id: int, student_id: int, kind: str, text: str, reason: str = ""
) -> Remark:
    """A remark or a praise (``kind``) about a student of the lesson, by whoever may mark the lesson
    (its teacher, a substitute, the school's administrator), once the lesson has taken place. In a
    closed study period it needs a ``reason``, as every other change of the journal."""
    lesson = access_lesson(actor, lesson_id, for_write=True, display=False)
    facts = _cell_facts(lesson, student_id)
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors, allow_future=False, periods=facts.periods)
    _check_student(student_id, errors, in_lesson=facts.student_in_lesson)
    if kind not in Remark.Kind.values:
        errors.add("kind", _("Choose a remark or a praise."))
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        errors.add("text", _("Write what the remark is about."))
    elif len(text) > MAX_REMARK:
        errors.add("text", _("A remark may be at most %(max)d characters.") % {"max": MAX_REMARK})
    errors.raise_if_any()
    remark = Remark.objects.create(
        school_id=lesson.school_id,
        lesson=lesson,
        student_id=student_id,
        subject_id=lesson.subject_id,
        date=lesson.date,
        kind=kind,
        text=text,
        created_by=actor,
    )
    _remark_history(remark, actor, withdrawn=False, reason=reason)
    _emit_remark(remark, change="created", actor=actor)
    return remark


@transaction.atomic
def remark_withdraw(actor: Any, remark_id: int, *, lesson_id: int | None = None, reason: str = "") -> Remark:
    """Withdraw a remark written by mistake: the family no longer sees it, the row and its history
    stay. By whoever may mark its lesson; 404 for anyone else, and for a remark of another lesson
    than ``lesson_id`` (the lesson the caller reached it by)."""
    remark = Remark.objects.select_for_update().filter(pk=remark_id).first()
    if remark is None or lesson_id not in (None, remark.lesson_id):
        raise Http404
    lesson = access_lesson(actor, remark.lesson_id, for_write=True, display=False)
    if remark.is_withdrawn:
        raise ValidationError({"remark": [_("The remark is already withdrawn.")]})
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors)
    errors.raise_if_any()
    remark.lesson = lesson
    remark.withdrawn_at = timezone.now()
    remark.withdrawn_by = actor
    remark.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _remark_history(remark, actor, withdrawn=True, reason=reason)
    _emit_remark(remark, change="withdrawn", actor=actor)
    return remark
