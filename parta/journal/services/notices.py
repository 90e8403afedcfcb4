"""A family's absence notices: reporting one excuses the lessons it covers, withdrawing it removes
the entries it made for the days to come."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.journal.access import is_guardian_of
from parta.journal.models import AbsenceNotice, Attendance, JournalChange
from parta.journal.services.common import (
    MAX_REASON,
    _attendance_state,
    _cell_history,
    _check_reason_length,
)
from parta.outbox.services import emit
from parta.schools.access import access_child
from parta.schools.models import Enrolment, SubgroupMembership
from parta.timetable.models import Lesson

MAX_NOTICE_DAYS = 30


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
