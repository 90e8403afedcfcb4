"""Marks in a cell (lesson × student): create — idempotent by origin —, update and delete."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from parta.core import rows
from parta.core.errors import FieldErrors
from parta.journal import scales
from parta.journal.access import access_lesson
from parta.journal.models import ControlForm, JournalChange, Mark
from parta.journal.services.common import (
    StaleVersion,
    _actor_id,
    _cell_facts,
    _cell_history,
    _check_lesson,
    _check_scale_value,
    _check_student,
    grading_scheme_for,
    journal_defaults_ensure,
)
from parta.outbox.services import emit, emitted, new_event
from parta.timetable.models import Lesson

MAX_COMMENT = 500
MAX_ORIGIN = 100  # Mark.origin


class _Unset(enum.Enum):
    UNSET = 0


UNSET = _Unset.UNSET


# --- the checks of a mark ------------------------------------------------------------------


def _check_value(scale: str, value: Any, owed_until: Any, lesson_date: dt.date, errors: FieldErrors) -> None:
    if value is None:
        if owed_until is None:
            errors.add("value", _("Enter a mark, or a date by which an owed mark must be made up."))
        elif owed_until < lesson_date:
            errors.add("owed_until", _("An owed mark is made up after the lesson, not before it."))
        return
    _check_scale_value(scale, value, errors)


def _check_comment(comment: str, errors: FieldErrors) -> None:
    if len(comment) > MAX_COMMENT:
        errors.add("comment", _("The comment may be at most %(max)d characters.") % {"max": MAX_COMMENT})


def _check_weight(weight: Any, errors: FieldErrors) -> None:
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int)
        or not (scales.MIN_WEIGHT <= weight <= scales.MAX_WEIGHT)
    ):
        errors.add(
            "weight",
            _("The weight must be a whole number from %(low)d to %(high)d.")
            % {"low": scales.MIN_WEIGHT, "high": scales.MAX_WEIGHT},
        )


def _control_form(school_id: int, control_form_id: int | None, errors: FieldErrors) -> ControlForm | None:
    if control_form_id is None:
        return None
    form = ControlForm.objects.filter(pk=control_form_id, school_id=school_id).first()
    if form is None:
        errors.add("control_form", _("Choose one of the school's control forms."))
    return form


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# --- marks ---------------------------------------------------------------------------------


def mark_data(mark: Mark) -> dict[str, Any]:
    """A mark as the API and the history write it."""
    return {
        "id": mark.pk,
        "lesson": mark.lesson_id,
        "student": mark.student_id,
        "scale": mark.scale,
        "value": mark.value,
        "display": scales.display(mark.scale, mark.value),
        "weight": mark.weight,
        "control_form": mark.control_form_id,
        "comment": mark.comment,
        "owed_until": _iso(mark.owed_until),
        "version": mark.version,
    }


def _mark_state(mark: Mark) -> dict[str, Any]:
    data = mark_data(mark)
    for key in ("id", "lesson", "student", "display"):
        data.pop(key)
    if mark.origin is not None:
        data["origin"] = mark.origin  # the cell's history shows which app made the mark
    return data


def _mark_payload(mark: Mark, *, old_value: int | None, change: str, actor: Any) -> dict[str, Any]:
    """The outbox payload of a change of the mark; a new mark not yet written is named by
    ``rows.NEW_KEY``."""
    return {
        "mark_id": rows.NEW_KEY if mark.pk is None else mark.pk,
        "student_id": mark.student_id,
        "lesson_id": mark.lesson_id,
        "subject_id": mark.subject_id,
        "date": mark.date.isoformat(),
        "value": mark.value if change != "deleted" else None,
        "old_value": old_value,
        "weight": mark.weight,
        "control_form_id": mark.control_form_id,
        "change": change,
        "actor_id": _actor_id(actor),
    }


def _emit_mark(mark: Mark, *, old_value: int | None, change: str, actor: Any) -> None:
    payload = _mark_payload(mark, old_value=old_value, change=change, actor=actor)
    emit("journal.mark", payload, school_id=mark.school_id)


def mark_create(
    actor: Any,
    *,
    lesson_id: int,
    student_id: int,
    value: int | None,
    control_form_id: int | None = None,
    weight: int | None = None,
    comment: str = "",
    owed_until: dt.date | None = None,
    reason: str = "",
    origin: str | None = None,
) -> Mark:
    """A new mark in the cell (lesson × student). ``value=None`` with ``owed_until`` is an owed
    mark; ``weight`` defaults to the control form's default weight (1 without a form).

    ``origin`` names the record of another app that made the mark, in that app's namespace
    (``"homework.handin:45"``), and makes the call idempotent: a mark of the same origin in the
    school is returned as it is, and nothing is written — its value, if the caller now has another,
    is changed with :func:`mark_update`. The same origin in another cell is a 400 (``origin``)."""
    lesson = access_lesson(actor, lesson_id, for_write=True, display=False)
    if origin is not None:
        made = _mark_of_origin(lesson, student_id, origin)
        if made is not None:
            return made
    facts = _cell_facts(lesson, student_id, control_form_id)
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors, allow_future=False, periods=facts.periods)
    _check_student(student_id, errors, in_lesson=facts.student_in_lesson)
    scale = facts.scale
    if scale is None:
        # The school's first mark: give it the default scheme and control forms (idempotent;
        # schools that existed before got them from migration journal 0003).
        journal_defaults_ensure(lesson.school)
        scale = grading_scheme_for(lesson.school_id, lesson.subject_id).scale
    if control_form_id is not None and facts.form_weight is None:
        errors.add("control_form", _("Choose one of the school's control forms."))
    if weight is None:
        weight = facts.form_weight if facts.form_weight is not None else 1
    _check_value(scale, value, owed_until, lesson.date, errors)
    _check_weight(weight, errors)
    _check_comment(comment, errors)
    if origin is not None and not 0 < len(origin) <= MAX_ORIGIN:
        errors.add("origin", _("The origin must be 1 to %(max)d characters.") % {"max": MAX_ORIGIN})
    errors.raise_if_any()
    mark = Mark(
        school_id=lesson.school_id,
        lesson=lesson,
        student_id=student_id,
        subject_id=lesson.subject_id,
        date=lesson.date,
        scale=scale,
        value=value,
        control_form_id=control_form_id,
        weight=weight,
        comment=comment.strip(),
        owed_until=owed_until if value is None else None,
        origin=origin,
        created_by=actor,
    )
    change = _cell_history(
        JournalChange.Kind.MARK,
        mark,
        lesson,
        actor,
        old=None,
        new=_mark_state(mark),
        reason=reason,
        write=False,
    )
    payload = _mark_payload(mark, old_value=None, change="created", actor=actor)
    event = new_event("journal.mark", payload, school_id=mark.school_id)
    # The mark, its history and its event in one write; on PostgreSQL one statement, which needs no
    # transaction around it (the checks above only read): one round trip instead of five.
    if origin is None:
        rows.insert_together(mark, change, event)
    else:
        try:
            with transaction.atomic():  # a savepoint: the caller's own transaction survives a clash
                rows.insert_together(mark, change, event)
        except IntegrityError:
            # A concurrent call of the same origin wrote first (its insert held ours until it
            # committed): that mark is the answer.
            made = _mark_of_origin(lesson, student_id, origin)
            if made is None:
                raise
            return made
    emitted(event)
    return mark


def _mark_of_origin(lesson: Lesson, student_id: int, origin: str) -> Mark | None:
    """The school's mark made by ``origin``, if any; one in another cell is a 400."""
    made = Mark.objects.filter(school_id=lesson.school_id, origin=origin).first()
    if made is not None and (made.lesson_id, made.student_id) != (lesson.pk, student_id):
        raise ValidationError({"origin": [_("This origin has already made a mark in another cell.")]})
    return made


def _locked_mark(actor: Any, mark_id: int, version: int) -> tuple[Mark, Lesson]:
    mark = Mark.objects.select_for_update().filter(pk=mark_id).first()
    if mark is None:
        raise Http404
    lesson = access_lesson(actor, mark.lesson_id, for_write=True, display=False)
    if mark.version != version:
        raise StaleVersion(mark_data(mark))
    return mark, lesson


@transaction.atomic
def mark_update(
    actor: Any,
    mark_id: int,
    *,
    version: int,
    value: int | _Unset | None = UNSET,
    control_form_id: int | _Unset | None = UNSET,
    weight: int | _Unset = UNSET,
    comment: str | _Unset = UNSET,
    owed_until: dt.date | _Unset | None = UNSET,
    reason: str = "",
) -> Mark:
    """Change what is given of a mark. Making up an owed mark is giving it a value (the owed date
    is then cleared). A change of control form alone does not change the weight."""
    mark, lesson = _locked_mark(actor, mark_id, version)
    old = _mark_state(mark)
    old_value = mark.value
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors, allow_future=False)
    if not isinstance(control_form_id, _Unset):
        mark.control_form = _control_form(lesson.school_id, control_form_id, errors)
    if not isinstance(value, _Unset):
        mark.value = value
    if not isinstance(owed_until, _Unset):
        mark.owed_until = owed_until
    if mark.value is not None:
        mark.owed_until = None
    _check_value(mark.scale, mark.value, mark.owed_until, lesson.date, errors)
    if not isinstance(weight, _Unset):
        _check_weight(weight, errors)
        mark.weight = weight
    if not isinstance(comment, _Unset):
        _check_comment(comment, errors)
        mark.comment = comment.strip()
    errors.raise_if_any()
    new = _mark_state(mark)
    if new == old:
        return mark
    mark.version += 1
    mark.save()
    _cell_history(JournalChange.Kind.MARK, mark, lesson, actor, old=old, new=_mark_state(mark), reason=reason)
    _emit_mark(mark, old_value=old_value, change="changed", actor=actor)
    return mark


@transaction.atomic
def mark_delete(actor: Any, mark_id: int, *, version: int, reason: str = "") -> None:
    mark, lesson = _locked_mark(actor, mark_id, version)
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors)
    errors.raise_if_any()
    _cell_history(
        JournalChange.Kind.MARK, mark, lesson, actor, old=_mark_state(mark), new=None, reason=reason
    )
    _emit_mark(mark, old_value=mark.value, change="deleted", actor=actor)
    mark.delete()
