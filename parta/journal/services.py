"""Writes of the journal: marks, attendance, period and year marks, lesson topics, closing
periods, absence notices.

Every service takes the acting user first, checks access through ``parta.journal.access``
(404 for what is not theirs, 403 for a journal they may only read), validates every rule and
either writes everything — the row, its :class:`JournalChange` history and, where the event
contract has one, the outbox event, all in one transaction — or raises ``ValidationError``
with a dict of field messages and writes nothing. The field names are those of the API's input.

Rows carry a ``version``: a write names the version it was based on, and a write based on an
older version raises :class:`StaleVersion` (HTTP 409 with the current row) instead of silently
overwriting someone else's change. For attendance and period marks, which may not exist yet,
``version=None`` means “I saw no entry”.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import rows, versions
from parta.core.errors import FieldErrors
from parta.core.principals import has_scope, is_machine, principal_key
from parta.curriculum.models import PlanItem, Topic
from parta.journal import scales
from parta.journal.access import (
    access_lesson,
    access_lesson_by_machine,
    is_guardian_of,
    journal_assignments_readable_by,
    journal_assignments_writable_by,
)
from parta.journal.models import (
    AbsenceNotice,
    Attendance,
    ControlForm,
    GradingScheme,
    JournalChange,
    Mark,
    PeriodMark,
)
from parta.outbox.services import emit, emitted, new_event
from parta.schools.access import access_child, access_school
from parta.schools.models import (
    ClassGroup,
    Enrolment,
    School,
    StudyPeriod,
    SubgroupMembership,
    TeachingAssignment,
)
from parta.timetable.models import Lesson

MAX_COMMENT = 500
MAX_REASON = 300  # Attendance.reason and AbsenceNotice.reason; JournalChange.reason holds 500.
MAX_NOTICE_DAYS = 30
MAX_ORIGIN = 100  # Mark.origin


class StaleVersion(Exception):
    """The write was based on an older version of the row; ``current`` is the row as it is now
    (``None`` when it has since been deleted). The API answers 409 with it."""

    def __init__(self, current: dict[str, Any] | None) -> None:
        super().__init__("stale version")
        self.current = current


class _Unset(enum.Enum):
    UNSET = 0


UNSET = _Unset.UNSET


# --- grading schemes and control forms ----------------------------------------------------


def grading_scheme_for(school_id: int, subject_id: int | None) -> GradingScheme:
    """The subject's scheme, else the school's default, else an unsaved 5-point scheme rounding up
    from 0.50. One query."""
    schemes = GradingScheme.objects.filter(school_id=school_id).filter(
        Q(subject_id=subject_id) | Q(subject__isnull=True)
    )
    scheme = schemes.order_by(F("subject_id").asc(nulls_last=True)).first()
    if scheme is None:
        return GradingScheme(
            school_id=school_id, scale=scales.DEFAULT_SCALE, round_up_from=scales.DEFAULT_ROUND_UP_FROM
        )
    scheme.round_up_from = Decimal(scheme.round_up_from)
    return scheme


# code, Russian name, English name, default weight — the usual weights of a Russian school.
DEFAULT_CONTROL_FORMS: tuple[tuple[str, str, str, int], ...] = (
    ("oral", "Устный ответ", "Oral answer", 1),
    ("classwork", "Работа на уроке", "Classwork", 1),
    ("homework", "Домашняя работа", "Homework", 1),
    ("independent", "Самостоятельная работа", "Independent work", 2),
    ("quiz", "Проверочная работа", "Quiz", 2),
    ("dictation", "Диктант", "Dictation", 2),
    ("essay", "Сочинение", "Essay", 2),
    ("lab", "Лабораторная работа", "Lab work", 2),
    ("practical", "Практическая работа", "Practical work", 2),
    ("project", "Проект", "Project", 2),
    ("test", "Контрольная работа", "Test", 3),
)


@transaction.atomic
def journal_defaults_ensure(school: School) -> None:
    """The school's default grading scheme (5-point, rounding up from 0.50) and control forms;
    what exists already is left as the school set it."""
    GradingScheme.objects.get_or_create(
        school=school,
        subject=None,
        defaults={"scale": scales.DEFAULT_SCALE, "round_up_from": scales.DEFAULT_ROUND_UP_FROM},
    )
    existing = set(ControlForm.objects.filter(school=school).values_list("code", flat=True))
    ControlForm.objects.bulk_create(
        ControlForm(school=school, code=code, name_ru=ru, name_en=en, default_weight=weight, order=order)
        for order, (code, ru, en, weight) in enumerate(DEFAULT_CONTROL_FORMS, start=1)
        if code not in existing
    )
    # bulk_create sends no signals; the journal lists the school's control forms.
    versions.touch([versions.school(school.pk)])


# --- shared checks ------------------------------------------------------------------------


class _Periods(NamedTuple):
    """Where the lesson's date falls: inside a study period of its year, inside a closed one."""

    inside: bool
    closed: bool


def _periods_of(lesson: Lesson) -> _Periods:
    closed = list(
        StudyPeriod.objects.filter(
            year_id=lesson.year_id, starts_on__lte=lesson.date, ends_on__gte=lesson.date
        ).values_list("closed_at", flat=True)
    )
    return _Periods(bool(closed), any(closed))


def _check_lesson(
    lesson: Lesson,
    reason: str,
    errors: FieldErrors,
    *,
    allow_future: bool = True,
    periods: _Periods | None = None,
) -> None:
    """The lesson takes journal entries: not cancelled, inside a study period, and — in a closed
    period — only with a reason. Marks and attendance (``allow_future=False``) only for a lesson
    that has taken place: its date is today or earlier in the city's zone. ``periods``: read
    already (see :func:`_cell_facts`), else one query."""
    if lesson.status == Lesson.Status.CANCELLED:
        errors.add("lesson", _("The lesson was cancelled: nothing can be entered for it."))
        return
    if not allow_future and lesson.date > timezone.localdate():
        errors.add("lesson", _("The lesson has not taken place yet."))
        return
    if periods is None:
        periods = _periods_of(lesson)
    if not periods.inside:
        errors.add("lesson", _("The lesson's date is outside every study period of the year."))
    elif periods.closed and not reason.strip():
        errors.add("reason", _("The study period is closed: give a reason for the change."))
    _check_reason_length(reason, errors)


def _check_reason_length(reason: str, errors: FieldErrors, limit: int = 500) -> None:
    if len(reason) > limit:
        errors.add("reason", _("The reason may be at most %(max)d characters.") % {"max": limit})


def _check_student(student_id: Any, errors: FieldErrors, *, in_lesson: bool) -> None:
    if not isinstance(student_id, int) or not in_lesson:
        errors.add("student", _("The student is not in this lesson's class group or subgroup."))


@dataclass(frozen=True)
class _CellFacts:
    """What a write in the cell (lesson × student) checks, read in one query."""

    periods: _Periods
    student_in_lesson: bool  # enrolled in the lesson's class group, and in its subgroup if it has one
    scale: str | None  # of the grading scheme (the subject's, else the school's); None: none yet
    form_weight: int | None  # the default weight of the control form asked for, if it is the school's


@functools.cache
def _cell_facts_sql() -> str:
    """The statement behind :func:`_cell_facts`. Written out because it runs on every mark and
    attendance write: the same as ORM subqueries costs ~3 ms of CPU to build, this ~0.1 ms."""
    period, enrolment, membership, scheme, form = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (StudyPeriod, Enrolment, SubgroupMembership, GradingScheme, ControlForm)
    )
    # Only table names (from the models) are formatted in; every value is a parameter.
    in_period = f"SELECT 1 FROM {period} WHERE year_id = %s AND starts_on <= %s AND ends_on >= %s"  # noqa: S608
    return (
        f"SELECT EXISTS ({in_period}), EXISTS ({in_period} AND closed_at IS NOT NULL),"  # noqa: S608
        f" EXISTS (SELECT 1 FROM {enrolment} WHERE class_group_id = %s AND student_id = %s),"
        f" EXISTS (SELECT 1 FROM {membership} WHERE subgroup_id = %s AND student_id = %s),"
        f" (SELECT scale FROM {scheme} WHERE school_id = %s AND (subject_id = %s OR subject_id IS NULL)"
        f" ORDER BY subject_id IS NULL LIMIT 1),"
        f" (SELECT default_weight FROM {form} WHERE id = %s AND school_id = %s)"
    )


def _cell_facts(lesson: Lesson, student_id: Any, control_form_id: int | None = None) -> _CellFacts:
    """The study periods of the lesson's date, whether the student is in the lesson, the school's
    grading scale for its subject (:func:`grading_scheme_for`) and the control form's weight: one
    query."""
    student = int(student_id) if isinstance(student_id, int) else 0
    day = connection.ops.adapt_datefield_value(lesson.date)
    params = [lesson.year_id, day, day] * 2
    params += [lesson.class_group_id, student, lesson.subgroup_id, student]
    params += [lesson.school_id, lesson.subject_id, control_form_id, lesson.school_id]
    with connection.cursor() as cursor:
        cursor.execute(_cell_facts_sql(), params)
        in_period, in_closed, enrolled, in_subgroup, scale, form_weight = cursor.fetchone()
    return _CellFacts(
        periods=_Periods(bool(in_period), bool(in_closed)),
        student_in_lesson=bool(enrolled) and (lesson.subgroup_id is None or bool(in_subgroup)),
        scale=scale,
        form_weight=form_weight,
    )


def _check_value(scale: str, value: Any, owed_until: Any, lesson_date: dt.date, errors: FieldErrors) -> None:
    if value is None:
        if owed_until is None:
            errors.add("value", _("Enter a mark, or a date by which an owed mark must be made up."))
        elif owed_until < lesson_date:
            errors.add("owed_until", _("An owed mark is made up after the lesson, not before it."))
        return
    _check_scale_value(scale, value, errors)


def _check_scale_value(scale: str, value: int, errors: FieldErrors) -> None:
    if not scales.is_valid(scale, value):
        limits = scales.bounds(scale)
        errors.add(
            "value",
            _("The mark must be a whole number from %(low)d to %(high)d.")
            % {"low": limits.low, "high": limits.high},
        )


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


def _history(
    *,
    kind: str,
    object_id: Any,
    school_id: int,
    actor: Any,
    lesson: Lesson | None,
    student_id: int | None,
    subject_id: int | None,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    reason: str,
    write: bool = True,
) -> JournalChange:
    """A change for the journal's history, written unless ``write=False`` (the caller writes it
    together with the change itself)."""
    machine = is_machine(actor)
    change = JournalChange(
        school_id=school_id,
        kind=kind,
        object_id=object_id,
        lesson=lesson,
        student_id=student_id,
        subject_id=subject_id,
        actor=None if machine else actor,
        principal=principal_key(actor) if machine else "",
        old=old,
        new=new,
        reason=reason.strip(),
    )
    if write:
        rows.insert(change)
    return change


def _cell_history(
    kind: str,
    row: Mark | Attendance,
    lesson: Lesson,
    actor: Any,
    *,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    reason: str,
    write: bool = True,
) -> JournalChange:
    """The history of a mark or an attendance entry: a change in the cell (lesson × student). A
    new row not yet written (``write=False``) is named by ``rows.NEW_KEY``."""
    return _history(
        kind=kind,
        object_id=rows.NEW_KEY if row.pk is None else row.pk,
        school_id=row.school_id,
        actor=actor,
        lesson=lesson,
        student_id=row.student_id,
        subject_id=row.subject_id,
        old=old,
        new=new,
        reason=reason,
        write=write,
    )


def _actor_id(actor: Any) -> int | None:
    """The person who made a change, for an event's payload; None for a machine (its key is no
    person's id: the notifications must not take it for one)."""
    return None if is_machine(actor) else int(actor.pk)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _save_or_stale(row: Attendance | PeriodMark, current: Callable[[], dict[str, Any] | None]) -> None:
    """Save ``row``; a new row that a concurrent request has just inserted first (the unique
    constraint refuses the second) is a stale write like any other."""
    if row.pk is not None:
        row.save()
        return
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise StaleVersion(current()) from None


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


# --- attendance ----------------------------------------------------------------------------


def attendance_data(entry: Attendance | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "id": entry.pk,
        "lesson": entry.lesson_id,
        "student": entry.student_id,
        "status": entry.status,
        "reason": entry.reason,
        "source": entry.source,
        "notice": entry.notice_id,
        "version": entry.version,
    }


def _attendance_state(entry: Attendance | None) -> dict[str, Any] | None:
    data = attendance_data(entry)
    if data is not None:
        for key in ("id", "lesson", "student"):
            data.pop(key)
    return data


def _emit_attendance(
    entry: Attendance, lesson: Lesson, *, old_status: str | None, change: str, actor: Any
) -> None:
    emit(
        "journal.attendance",
        {
            "attendance_id": entry.pk,
            "student_id": entry.student_id,
            "lesson_id": lesson.pk,
            "subject_id": lesson.subject_id,
            "date": lesson.date.isoformat(),
            "status": entry.status if change != "deleted" else None,
            "old_status": old_status,
            "change": change,
            "actor_id": _actor_id(actor),
        },
        school_id=lesson.school_id,
    )


# The sources a machine principal may record attendance from, each with the scope it needs. A person
# records only "teacher"; "parent_notice" is the absence notices' own (absence_notice_create, and
# an absence on a day a notice covers).
MACHINE_SOURCES = {
    Attendance.Source.CLINIC: "attendance:clinic",
    Attendance.Source.TURNSTILE: "attendance:turnstile",
}


def _may_record(actor: Any, source: str) -> bool:
    if is_machine(actor):
        scope = MACHINE_SOURCES.get(Attendance.Source(source))
        return scope is not None and has_scope(actor, scope)
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
) -> Attendance | None:
    """Set the student's attendance at the lesson; ``status=None`` means present (the entry is
    removed). ``version`` is the version of the entry the writer saw (None: no entry).

    The writer is a person, who records ``source="teacher"``, or a machine principal of the
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
    elif not _may_record(actor, source):
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
        _emit_attendance(entry, lesson, old_status=old_status, change="deleted", actor=actor)
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
        entry, lesson, old_status=old_status, change="created" if old is None else "changed", actor=actor
    )
    return entry


# --- period and year marks ------------------------------------------------------------------


def period_mark_data(mark: PeriodMark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {
        "id": mark.pk,
        "student": mark.student_id,
        "subject": mark.subject_id,
        "class_group": mark.class_group_id,
        "period": mark.period_id,
        "scale": mark.scale,
        "value": mark.value,
        "display": scales.display(mark.scale, mark.value),
        "version": mark.version,
    }


@transaction.atomic
def period_mark_set(
    actor: Any,
    *,
    student_id: int,
    subject_id: int,
    class_group_id: int,
    period_id: int | None,
    value: int | None,
    version: int | None = None,
    reason: str = "",
) -> PeriodMark | None:
    """Set (or with ``value=None`` remove) the student's mark for a study period, or with
    ``period_id=None`` the year mark. The writer must be able to write a journal of the subject
    in that class group (its teacher, or the school's administrator). A closed period needs a
    reason; the year mark is not locked by closing periods."""
    assignments = list(
        TeachingAssignment.objects.filter(
            journal_assignments_writable_by(actor), class_group_id=class_group_id, subject_id=subject_id
        ).select_related("class_group")
    )
    if not assignments:
        readable = TeachingAssignment.objects.filter(
            journal_assignments_readable_by(actor), class_group_id=class_group_id, subject_id=subject_id
        )
        if readable.exists():
            raise PermissionDenied  # a journal they may read (the class teacher's) but not write
        raise Http404
    group: ClassGroup = assignments[0].class_group
    errors = FieldErrors()
    enrolled = Enrolment.objects.filter(class_group_id=group.pk, student_id=student_id).exists()
    subgroups = {a.subgroup_id for a in assignments if a.subgroup_id is not None}
    if enrolled and all(a.subgroup_id is not None for a in assignments):
        enrolled = SubgroupMembership.objects.filter(
            subgroup_id__in=subgroups, student_id=student_id
        ).exists()
    if not enrolled:
        errors.add("student", _("The student is not in a class group or subgroup of this journal."))
    period: StudyPeriod | None = None
    if period_id is not None:
        period = StudyPeriod.objects.filter(pk=period_id, year_id=group.year_id).first()
        if period is None:
            errors.add("period", _("Choose a study period of the class group's year."))
        elif period.closed_at and not reason.strip():
            errors.add("reason", _("The study period is closed: give a reason for the change."))
    _check_reason_length(reason, errors)
    scheme = grading_scheme_for(group.school_id, subject_id)
    if value is not None:
        _check_scale_value(scheme.scale, value, errors)
    errors.raise_if_any()
    rows = PeriodMark.objects.select_for_update().filter(student_id=student_id, subject_id=subject_id)
    rows = (
        rows.filter(period_id=period_id)
        if period_id
        else rows.filter(period__isnull=True, year_id=group.year_id)
    )
    mark = rows.first()
    if (mark.version if mark else None) != (version or None):
        raise StaleVersion(period_mark_data(mark))
    old = _period_mark_state(mark)
    if value is None:
        if mark is None:
            return None
        _period_history(mark, actor, old, None, reason)
        mark.delete()
        return None
    if mark is None:
        mark = PeriodMark(
            school_id=group.school_id,
            year_id=group.year_id,
            period=period,
            student_id=student_id,
            subject_id=subject_id,
            class_group_id=group.pk,
        )
    elif mark.value == value and mark.scale == scheme.scale:
        return mark
    else:
        mark.version += 1
    mark.value = value
    mark.scale = scheme.scale
    mark.set_by = actor
    _save_or_stale(mark, lambda: period_mark_data(rows.first()))
    _period_history(mark, actor, old, _period_mark_state(mark), reason)
    return mark


def _period_mark_state(mark: PeriodMark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {"period": mark.period_id, "scale": mark.scale, "value": mark.value, "version": mark.version}


def _period_history(
    mark: PeriodMark, actor: Any, old: dict[str, Any] | None, new: dict[str, Any] | None, reason: str
) -> None:
    _history(
        kind=JournalChange.Kind.PERIOD_MARK,
        object_id=mark.pk,
        school_id=mark.school_id,
        actor=actor,
        lesson=None,
        student_id=mark.student_id,
        subject_id=mark.subject_id,
        old=old,
        new=new,
        reason=reason,
    )


@transaction.atomic
def period_close(actor: Any, period_id: int) -> StudyPeriod:
    """Lock the period's marks (school administrator only): later edits need a reason."""
    period = StudyPeriod.objects.select_for_update().filter(pk=period_id).first()
    if period is None:
        raise Http404
    access_school(actor, period.school_id, for_admin=True)
    if period.closed_at is not None:
        raise ValidationError({"period": [_("The study period is already closed.")]})
    period.closed_at = timezone.now()
    period.closed_by = actor
    period.save(update_fields=["closed_at", "closed_by"])
    _period_state_history(period, actor, closed=True, reason="")
    return period


def _period_state_history(period: StudyPeriod, actor: Any, *, closed: bool, reason: str) -> None:
    """Closing and reopening a period go into the journal history (kind ``period``)."""
    _history(
        kind=JournalChange.Kind.PERIOD,
        object_id=period.pk,
        school_id=period.school_id,
        actor=actor,
        lesson=None,
        student_id=None,
        subject_id=None,
        old={"closed": not closed},
        new={"closed": closed},
        reason=reason,
    )


@transaction.atomic
def period_reopen(actor: Any, period_id: int, reason: str) -> StudyPeriod:
    """Unlock a closed period (school administrator only, with a reason)."""
    period = StudyPeriod.objects.select_for_update().filter(pk=period_id).first()
    if period is None:
        raise Http404
    access_school(actor, period.school_id, for_admin=True)
    errors = FieldErrors()
    if period.closed_at is None:
        errors.add("period", _("The study period is not closed."))
    if not reason.strip():
        errors.add("reason", _("Give a reason for reopening the study period."))
    _check_reason_length(reason, errors)
    errors.raise_if_any()
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["closed_at", "closed_by"])
    _period_state_history(period, actor, closed=False, reason=reason)
    return period


# --- lesson topics -------------------------------------------------------------------------


@transaction.atomic
def lesson_topic_set(actor: Any, lesson_id: int, topic_id: int, reason: str = "") -> Lesson:
    """Pick the lesson's topic: a framework topic of the lesson's subject, either of the class
    group's grade or one from the assignment's thematic plan. Never typed."""
    lesson = access_lesson(actor, lesson_id, for_write=True)
    errors = FieldErrors()
    _check_lesson(lesson, reason, errors)
    topic = (
        Topic.objects.filter(pk=topic_id, subject_id=lesson.subject_id).first()
        if isinstance(topic_id, int)
        else None
    )
    if topic is not None and topic.grade != lesson.class_group.grade:
        in_plan = PlanItem.objects.filter(
            plan__assignment_id=lesson.assignment_id, topic_id=topic.pk
        ).exists()
        topic = topic if in_plan else None
    if topic is None:
        errors.add("topic", _("Choose a topic of this subject from the thematic plan or the framework."))
    errors.raise_if_any()
    assert topic is not None
    if lesson.topic_id == topic.pk:
        return lesson
    old = {"topic": lesson.topic_id, "code": lesson.topic.code if lesson.topic else None}
    lesson.topic = topic
    lesson.save(update_fields=["topic"])
    _history(
        kind=JournalChange.Kind.TOPIC,
        object_id=lesson.pk,
        school_id=lesson.school_id,
        actor=actor,
        lesson=lesson,
        student_id=None,
        subject_id=lesson.subject_id,
        old=old,
        new={"topic": topic.pk, "code": topic.code},
        reason=reason,
    )
    return lesson


# --- absence notices -----------------------------------------------------------------------


def _student_lessons(student_id: int, starts_on: dt.date, ends_on: dt.date) -> Q:
    """A Q over Lesson: the student's scheduled lessons in the date range (class group's and
    their subgroups')."""
    groups = Enrolment.objects.filter(student_id=student_id).values("class_group_id")
    subgroups = SubgroupMembership.objects.filter(student_id=student_id).values("subgroup_id")
    return Q(
        class_group_id__in=groups,
        date__gte=starts_on,
        date__lte=ends_on,
        status=Lesson.Status.SCHEDULED,
    ) & (Q(subgroup__isnull=True) | Q(subgroup_id__in=subgroups))


def _emit_notice(notice: AbsenceNotice, *, change: str, actor: Any) -> None:
    """One event for the whole notice (not one per excused lesson): the class teacher and the
    other guardians are told once."""
    emit(
        "journal.absence_notice",
        {
            "notice_id": notice.pk,
            "student_id": notice.student_id,
            "starts_on": notice.starts_on.isoformat(),
            "ends_on": notice.ends_on.isoformat(),
            "reason": notice.reason,
            "change": change,
            "actor_id": actor.pk,
        },
        school_id=notice.school_id,
    )


@dataclass(frozen=True)
class NoticeResult:
    notice: AbsenceNotice
    excused_lessons: int


@transaction.atomic
def absence_notice_create(
    actor: Any, *, student_id: int, starts_on: dt.date, ends_on: dt.date, reason: str
) -> NoticeResult:
    """A guardian reports the child's absence from today or a coming day, at most 30 days long.
    Every lesson in the range without an attendance entry becomes excused (source: the notice)."""
    access_child(actor, student_id)
    if not is_guardian_of(actor, student_id):
        raise Http404
    today = timezone.localdate()
    errors = FieldErrors()
    reason = reason.strip()
    if starts_on < today:
        errors.add("starts_on", _("An absence can be reported for today or a coming day."))
    if ends_on < starts_on:
        errors.add("ends_on", _("The last day cannot be before the first."))
    elif (ends_on - starts_on).days + 1 > MAX_NOTICE_DAYS:
        errors.add("ends_on", _("A notice may cover at most %(days)d days.") % {"days": MAX_NOTICE_DAYS})
    if not reason:
        errors.add("reason", _("Say why the child will be away."))
    _check_reason_length(reason, errors, MAX_REASON)
    enrolment = (
        Enrolment.objects.filter(student_id=student_id, year__ends_on__gte=starts_on)
        .order_by("year__starts_on")
        .first()
    )
    if enrolment is None:
        errors.add("student", _("The child is not enrolled in a school for these days."))
    if (
        not errors
        and AbsenceNotice.objects.filter(
            student_id=student_id, withdrawn_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exists()
    ):
        errors.add("starts_on", _("An absence is already reported for some of these days."))
    errors.raise_if_any()
    assert enrolment is not None
    notice = AbsenceNotice.objects.create(
        school_id=enrolment.school_id,
        student_id=student_id,
        reported_by=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
    )
    lessons = list(
        Lesson.objects.filter(_student_lessons(student_id, starts_on, ends_on))
        .exclude(attendance__student_id=student_id)
        .order_by("date", "number")
    )
    for lesson in lessons:
        entry = Attendance.objects.create(
            school_id=lesson.school_id,
            lesson=lesson,
            student_id=student_id,
            subject_id=lesson.subject_id,
            date=lesson.date,
            status=Attendance.Status.EXCUSED,
            reason=reason,
            source=Attendance.Source.PARENT_NOTICE,
            notice=notice,
            updated_by=actor,
        )
        _cell_history(
            JournalChange.Kind.ATTENDANCE,
            entry,
            lesson,
            actor,
            old=None,
            new=_attendance_state(entry),
            reason=reason,
        )
    _emit_notice(notice, change="created", actor=actor)
    return NoticeResult(notice, len(lessons))


@transaction.atomic
def absence_notice_withdraw(actor: Any, notice_id: int) -> AbsenceNotice:
    """A guardian withdraws a notice: the entries it made for today and later, which no teacher
    has changed since, are removed; past ones stay as they were."""
    notice = AbsenceNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or not is_guardian_of(actor, notice.student_id):
        raise Http404
    if notice.withdrawn_at is not None:
        raise ValidationError({"notice": [_("The notice is already withdrawn.")]})
    notice.withdrawn_at = timezone.now()
    notice.save(update_fields=["withdrawn_at"])
    entries = Attendance.objects.select_related("lesson").filter(
        notice=notice, source=Attendance.Source.PARENT_NOTICE, date__gte=timezone.localdate()
    )
    for entry in entries:
        _cell_history(
            JournalChange.Kind.ATTENDANCE,
            entry,
            entry.lesson,
            actor,
            old=_attendance_state(entry),
            new=None,
            reason=_("absence notice withdrawn"),
        )
        entry.delete()
    _emit_notice(notice, change="withdrawn", actor=actor)
    return notice
