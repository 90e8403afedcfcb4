"""A student's attendance at a lesson, recorded by a teacher or by a machine (clinic, turnstile);
an absence on a day the family's notice covers is excused. A machine may give a cell back what
its own entry replaced (``attendance_restore``: a clinic's withdrawn sick note)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.core.principals import has_scope, is_machine
from parta.journal.access import access_lesson, access_lesson_by_machine
from parta.journal.models import AbsenceNotice, Attendance, JournalChange
from parta.journal.services.common import (
    MAX_REASON,
    StaleVersion,
    _actor_id,
    _attendance_state,
    _cell_facts,
    _cell_history,
    _check_lesson,
    _check_reason_length,
    _check_student,
    _save_or_stale,
    attendance_data,
)
from parta.outbox.services import emit
from parta.timetable.models import Lesson


def _emit_attendance(
    entry: Attendance,
    lesson: Lesson,
    *,
    old_status: str | None,
    change: str,
    actor: Any,
    notify: bool = True,
) -> None:
    payload: dict[str, Any] = {
        "attendance_id": entry.pk,
        "student_id": entry.student_id,
        "lesson_id": lesson.pk,
        "subject_id": lesson.subject_id,
        "date": lesson.date.isoformat(),
        "status": entry.status if change != "deleted" else None,
        "old_status": old_status,
        "change": change,
        "actor_id": _actor_id(actor),
    }
    if not notify:
        # The writer tells the family itself, once for many entries (a clinic's sick note).
        payload["notify"] = False
    emit("journal.attendance", payload, school_id=lesson.school_id)


# The sources a machine principal may record attendance from, each with the scope it needs. A person
# records only "teacher" — or "turnstile" when confirming what a turnstile reported (the passage
# app's flags, ``confirms_turnstile``: the teacher decides, the entry says where it came from);
# "parent_notice" is the absence notices' own (absence_notice_create, and an absence on a day a
# notice covers).
MACHINE_SOURCES = {
    Attendance.Source.CLINIC: "attendance:clinic",
    Attendance.Source.TURNSTILE: "attendance:turnstile",
}


def _may_record(actor: Any, source: str, *, confirms_turnstile: bool = False) -> bool:
    if is_machine(actor):
        scope = MACHINE_SOURCES.get(Attendance.Source(source))
        return scope is not None and has_scope(actor, scope)
    if confirms_turnstile and source == Attendance.Source.TURNSTILE:
        return True
    return source == Attendance.Source.TEACHER


def _active_notice(student_id: int, day: dt.date) -> AbsenceNotice | None:
    return (
        AbsenceNotice.objects.filter(
            student_id=student_id, starts_on__lte=day, ends_on__gte=day, withdrawn_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def attendance_set(
    actor: Any,
    *,
    lesson_id: int,
    student_id: int,
    status: str | None,
    reason: str = "",
    version: int | None = None,
    source: str = Attendance.Source.TEACHER,
    confirms_turnstile: bool = False,
    notify: bool = True,
) -> Attendance | None:
    """Set the student's attendance at the lesson; ``status=None`` means present (the entry is
    removed). ``version`` is the version of the entry the writer saw (None: no entry).
    ``notify=False``: the family is not told of this entry, as the writer tells them itself once
    for many (the event is still emitted, marked ``"notify": false``).

    The writer is a person, who records ``source="teacher"`` (or ``"turnstile"`` with
    ``confirms_turnstile``: accepting what the turnstile says, never from the API), or a machine
    principal of the
    lesson's school (any school if city-wide), which records ``"clinic"`` with the scope
    ``attendance:clinic`` or ``"turnstile"`` with ``attendance:turnstile``; another source is a
    400 (``source``). A machine's change names it in the history (``JournalChange.principal``).

    An absence on a day covered by the family's active absence notice is recorded as excused and
    keeps the notice as its source; any other entry by the teacher wins over a notice's entry, and
    the history keeps what the notice had set."""
    if is_machine(actor):
        lesson = access_lesson_by_machine(actor, lesson_id)
    else:
        lesson = access_lesson(actor, lesson_id, for_write=True, display=False)
    facts = _cell_facts(lesson, student_id)
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors, allow_future=status is None, periods=facts.periods)
    _check_student(student_id, errors, in_lesson=facts.student_in_lesson)
    if status is not None and status not in Attendance.Status.values:
        errors.add("status", _("Choose absent, late, sick or excused."))
    if source not in Attendance.Source.values:
        errors.add("source", _("Unknown source of the attendance entry."))
    elif not _may_record(actor, source, confirms_turnstile=confirms_turnstile):
        errors.add("source", _("You may not record attendance from this source."))
    _check_reason_length(reason, errors, MAX_REASON)
    errors.raise_if_any()
    entry = Attendance.objects.select_for_update().filter(lesson_id=lesson.pk, student_id=student_id).first()
    if (entry.version if entry else None) != (version or None):
        raise StaleVersion(attendance_data(entry))
    old = _attendance_state(entry)
    old_status = entry.status if entry else None
    if status is None:
        if entry is None:
            return None
        _cell_history(JournalChange.Kind.ATTENDANCE, entry, lesson, actor, old=old, new=None, reason=reason)
        _emit_attendance(entry, lesson, old_status=old_status, change="deleted", actor=actor, notify=notify)
        entry.delete()
        return None
    notice = _active_notice(student_id, lesson.date) if status == Attendance.Status.ABSENT else None
    if entry is None:
        entry = Attendance(
            school_id=lesson.school_id,
            lesson=lesson,
            student_id=student_id,
            subject_id=lesson.subject_id,
            date=lesson.date,
        )
    else:
        entry.version += 1
    entry.status = status
    # In a closed period the reason explains the change to the history; it is not the family's
    # reason for the absence, so the entry keeps the one it had.
    if not facts.periods.closed:
        entry.reason = reason.strip()
    entry.source = source
    entry.notice = None
    if notice is not None:
        entry.status = Attendance.Status.EXCUSED
        entry.source = Attendance.Source.PARENT_NOTICE
        entry.notice = notice
        entry.reason = entry.reason or notice.reason
    entry.updated_by = None if is_machine(actor) else actor
    new = _attendance_state(entry)
    if entry.pk and old is not None and new is not None and {**new, "version": 0} == {**old, "version": 0}:
        return Attendance.objects.get(pk=entry.pk)  # nothing changed: keep the version as it was
    _save_or_stale(
        entry,
        lambda: attendance_data(
            Attendance.objects.filter(lesson_id=lesson.pk, student_id=student_id).first()
        ),
    )
    _cell_history(
        JournalChange.Kind.ATTENDANCE,
        entry,
        lesson,
        actor,
        old=old,
        new=_attendance_state(entry),
        reason=reason,
    )
    _emit_attendance(
        entry,
        lesson,
        old_status=old_status,
        change="created" if old is None else "changed",
        actor=actor,
        notify=notify,
    )
    return entry


@transaction.atomic
def attendance_restore(
    actor: Any,
    *,
    lesson_id: int,
    student_id: int,
    state: dict[str, Any] | None,
    version: int,
    reason: str,
    notify: bool = True,
) -> Attendance | None:
    """A machine gives the cell back what its own entry replaced. ``state`` is the entry as it was
    before the machine's write (that change's ``JournalChange.old``: status, reason, source,
    notice; None: there was no entry), ``version`` the version the machine's write left.

    The entry must still be that write — of a source the machine records, at that version —
    else :class:`StaleVersion`: someone has changed the cell since, and their change stands. A
    person is refused (404: they set what they mean with ``attendance_set``). The history names
    the machine and ``reason``; ``notify`` as for ``attendance_set``. A clinic withdrawing a sick
    note gives the teacher's "absent" back as the teacher's."""
    if not is_machine(actor):
        raise Http404
    lesson = access_lesson_by_machine(actor, lesson_id)
    own = {source for source, scope in MACHINE_SOURCES.items() if has_scope(actor, scope)}
    entry = Attendance.objects.select_for_update().filter(lesson_id=lesson.pk, student_id=student_id).first()
    if entry is None or entry.version != version or entry.source not in own:
        raise StaleVersion(attendance_data(entry))
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors)
    status = None if state is None else state.get("status")
    source = None if state is None else state.get("source")
    if state is not None and status not in Attendance.Status.values:
        errors.add("status", _("Choose absent, late, sick or excused."))
    if state is not None and source not in Attendance.Source.values:
        errors.add("source", _("Unknown source of the attendance entry."))
    restored_reason = "" if state is None else str(state.get("reason") or "")
    _check_reason_length(restored_reason, errors, MAX_REASON)
    errors.raise_if_any()
    old = _attendance_state(entry)
    old_status = entry.status
    if state is None:
        _cell_history(JournalChange.Kind.ATTENDANCE, entry, lesson, actor, old=old, new=None, reason=reason)
        _emit_attendance(entry, lesson, old_status=old_status, change="deleted", actor=actor, notify=notify)
        entry.delete()
        return None
    notice_id = state.get("notice")
    entry.version += 1
    entry.status = str(status)
    entry.reason = restored_reason
    entry.source = str(source)
    entry.notice_id = (
        notice_id
        if isinstance(notice_id, int)
        and AbsenceNotice.objects.filter(pk=notice_id, student_id=student_id).exists()
        else None
    )
    entry.updated_by = None
    entry.save()
    _cell_history(
        JournalChange.Kind.ATTENDANCE,
        entry,
        lesson,
        actor,
        old=old,
        new=_attendance_state(entry),
        reason=reason,
    )
    _emit_attendance(entry, lesson, old_status=old_status, change="changed", actor=actor, notify=notify)
    return entry
