"""Period and year marks, and closing and reopening a study period."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
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
