"""Period and year marks, and closing and reopening study periods and the academic year."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.journal import scales
from parta.journal.access import journal_assignments_readable_by, journal_assignments_writable_by
from parta.journal.models import JournalChange, PeriodMark
from parta.journal.services.common import (
    StaleVersion,
    _check_reason_length,
    _check_scale_value,
    _history,
    _save_or_stale,
    grading_scheme_for,
)
from parta.schools.access import access_school
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    StudyPeriod,
    SubgroupMembership,
    TeachingAssignment,
)


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
        "not_attested": mark.not_attested,
        "display": scales.display_final(mark.scale, mark.value),
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
    not_attested: bool = False,
    version: int | None = None,
    reason: str = "",
) -> PeriodMark | None:
    """Set the student's mark for a study period, or with ``period_id=None`` the year mark: a
    value on the subject's final scale, or ``not_attested`` («н/а»); ``value=None`` alone removes
    it. The writer must be able to write a journal of the subject in that class group (its
    teacher, or the school's administrator). A closed period needs a reason, and so does the year
    mark of a closed year; closing periods does not lock the year mark."""
    assignments = list(
        TeachingAssignment.objects.filter(
            journal_assignments_writable_by(actor), class_group_id=class_group_id, subject_id=subject_id
        ).select_related("class_group__year")
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
    elif group.year.closed_at and not reason.strip():
        errors.add("reason", _("The academic year is closed: give a reason for the change."))
    _check_reason_length(reason, errors)
    scale = grading_scheme_for(group.school_id, subject_id).final
    if not_attested and value is not None:
        errors.add("value", _("A mark that is not attested has no value."))
    elif value is not None:
        _check_scale_value(scale, value, errors)
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
    if value is None and not not_attested:
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
    elif mark.value == value and mark.scale == scale:
        return mark
    else:
        mark.version += 1
    mark.value = value
    mark.scale = scale
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


# --- closing and reopening -----------------------------------------------------------------
# A study period and the academic year lock the same way: ``closed_at``/``closed_by`` set by the
# school's administrator, a history row of kind ``period`` or ``year``, a reason to reopen.

Lockable = StudyPeriod | AcademicYear
_KIND = {StudyPeriod: JournalChange.Kind.PERIOD, AcademicYear: JournalChange.Kind.YEAR}


def _lockable(model: type[Lockable], pk: int, actor: Any) -> Any:
    """The period or year, locked for the change, if ``actor`` administers its school (else 404)."""
    target = model._default_manager.select_for_update().filter(pk=pk).first()
    if target is None:
        raise Http404
    access_school(actor, target.school_id, for_admin=True)
    return target


def is_running(target: Lockable) -> bool:
    """A period or year runs until its last day is over: closing it then needs ``early``."""
    return target.ends_on >= timezone.localdate()


def _check_closable(target: Lockable, early: bool, closed: str, runs_until: str) -> None:
    """Not closed already; and closing what still runs is confirmed by ``early``."""
    field = "period" if isinstance(target, StudyPeriod) else "year"
    if target.closed_at is not None:
        raise ValidationError({field: [closed]})
    if not early and is_running(target):
        raise ValidationError({"early": [runs_until % {"date": date_format(target.ends_on, "j E Y")}]})


def _set_closed(target: Lockable, actor: Any, *, closed: bool, reason: str = "") -> None:
    target.closed_at = timezone.now() if closed else None
    target.closed_by = actor if closed else None
    target.save(update_fields=["closed_at", "closed_by"])
    _history(
        kind=_KIND[type(target)],
        object_id=target.pk,
        school_id=target.school_id,
        actor=actor,
        lesson=None,
        student_id=None,
        subject_id=None,
        old={"closed": not closed},
        new={"closed": closed},
        reason=reason,
    )


def _reopen(target: Lockable, actor: Any, reason: str, errors: FieldErrors, missing_reason: str) -> None:
    if not reason.strip():
        errors.add("reason", missing_reason)
    _check_reason_length(reason, errors)
    errors.raise_if_any()
    _set_closed(target, actor, closed=False, reason=reason)


@transaction.atomic
def period_close(actor: Any, period_id: int, *, early: bool = False) -> StudyPeriod:
    """Lock the period's marks (school administrator only): later edits need a reason. A period
    that has not ended yet is closed only with ``early``, the administrator's confirmation."""
    period: StudyPeriod = _lockable(StudyPeriod, period_id, actor)
    _check_closable(
        period,
        early,
        _("The study period is already closed."),
        _("The study period runs until %(date)s. Confirm that it is to be closed before its end."),
    )
    _set_closed(period, actor, closed=True)
    return period


@transaction.atomic
def period_reopen(actor: Any, period_id: int, reason: str) -> StudyPeriod:
    """Unlock a closed period (school administrator only, with a reason), unless its year is closed."""
    period: StudyPeriod = _lockable(StudyPeriod, period_id, actor)
    errors = FieldErrors()
    if period.closed_at is None:
        errors.add("period", _("The study period is not closed."))
    elif AcademicYear.objects.filter(pk=period.year_id, closed_at__isnull=False).exists():
        errors.add("period", _("The academic year is closed: reopen the year first."))
    _reopen(period, actor, reason, errors, _("Give a reason for reopening the study period."))
    return period


@transaction.atomic
def year_close(actor: Any, year_id: int, *, early: bool = False) -> AcademicYear:
    """Close the academic year (school administrator only): every study period of it still open is
    closed, and the year marks are locked — a later edit needs a reason. A year that has not ended
    yet is closed only with ``early``, the administrator's confirmation."""
    year: AcademicYear = _lockable(AcademicYear, year_id, actor)
    _check_closable(
        year,
        early,
        _("The academic year is already closed."),
        _("The academic year runs until %(date)s. Confirm that it is to be closed before its end."),
    )
    for period in StudyPeriod.objects.select_for_update().filter(year_id=year.pk, closed_at__isnull=True):
        _set_closed(period, actor, closed=True)
    _set_closed(year, actor, closed=True)
    return year


@transaction.atomic
def year_reopen(actor: Any, year_id: int, reason: str) -> AcademicYear:
    """Unlock the year marks of a closed year (school administrator only, with a reason). Its study
    periods stay closed; each is reopened on its own."""
    year: AcademicYear = _lockable(AcademicYear, year_id, actor)
    errors = FieldErrors()
    if year.closed_at is None:
        errors.add("year", _("The academic year is not closed."))
    _reopen(year, actor, reason, errors, _("Give a reason for reopening the academic year."))
    return year
