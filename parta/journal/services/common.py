"""What the journal's writes share: stale versions, grading schemes and control forms, the checks
of a lesson and a cell (lesson × student), the history, and an attendance entry's data."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import rows, versions
from parta.core.errors import FieldErrors
from parta.core.principals import is_machine, principal_key
from parta.journal import scales
from parta.journal.models import (
    Attendance,
    ControlForm,
    GradingScheme,
    JournalChange,
    Mark,
    PeriodMark,
)
from parta.schools.models import (
    Enrolment,
    School,
    StudyPeriod,
    SubgroupMembership,
)
from parta.timetable.models import Lesson

MAX_REASON = 300  # Attendance.reason and AbsenceNotice.reason; JournalChange.reason holds 500.


class StaleVersion(Exception):
    """The write was based on an older version of the row; ``current`` is the row as it is now
    (``None`` when it has since been deleted). The API answers 409 with it."""

    def __init__(self, current: dict[str, Any] | None) -> None:
        super().__init__("stale version")
        self.current = current


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
    # Enrolled in the lesson's class group by the lesson's day, and in its subgroup if it has one.
    student_in_lesson: bool
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
        f" EXISTS (SELECT 1 FROM {enrolment} WHERE class_group_id = %s AND student_id = %s"
        f" AND (starts_on IS NULL OR starts_on <= %s)),"
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
    params += [lesson.class_group_id, student, day, lesson.subgroup_id, student]
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


def _check_scale_value(scale: str, value: int, errors: FieldErrors) -> None:
    if not scales.is_valid(scale, value):
        limits = scales.bounds(scale)
        errors.add(
            "value",
            _("The mark must be a whole number from %(low)d to %(high)d.")
            % {"low": limits.low, "high": limits.high},
        )


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


# --- attendance entries (written by attendance_set and by the absence notices) ----------------


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
