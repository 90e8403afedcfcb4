"""Absence notices: a child's, and a class teacher's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from parta.core.names import class_group_name, short_name
from parta.journal.models import (
    AbsenceNotice,
)
from parta.journal.selectors.common import (
    MAX_HISTORY,
)
from parta.journal.selectors.lessons import (
    _NOTICE_COLUMNS,
    NoticeRef,
    _notice_ref,
)
from parta.journal.selectors.marks import (
    _student_scope,
)
from parta.schools.access import (
    roles_of,
)
from parta.schools.models import Enrolment

# --- absence notices -----------------------------------------------------------------------


def absence_notices_for_student(
    user: Any, student_id: int, *, include_withdrawn: bool = False
) -> list[NoticeRef]:
    """A student's absence notices, newest first: for the family, and for the staff who may read
    the student (the class teacher sees them)."""
    scope = _student_scope(user, student_id)
    qs = AbsenceNotice.objects.filter(student_id=student_id)
    if scope is not None:
        qs = qs.filter(school_id__in=scope)
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    return [_notice_ref(r) for r in qs.order_by("-starts_on", "-id").values(*_NOTICE_COLUMNS)[:MAX_HISTORY]]


@dataclass(frozen=True)
class ClassNotice:
    """An absence notice of a student in a class group the user leads (the class teacher's list)."""

    id: int
    student_id: int
    student: str
    group_name: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    reported_by: str

    @property
    def is_current(self) -> bool:
        return self.starts_on <= timezone.localdate() <= self.ends_on


def absence_notices_for_class_teacher(user: Any) -> list[ClassNotice]:
    """The current and coming absence notices (not withdrawn, not yet over) of the students of
    the class groups the user leads as class teacher, soonest first. One query."""
    roles = roles_of(user)
    if not roles.user_id or not roles.teacher_school_ids:
        return []
    today = timezone.localdate()
    groups = Enrolment.objects.filter(
        class_group__class_teacher_id=roles.user_id,
        school_id__in=roles.teacher_school_ids,
        year__ends_on__gte=today,
    )
    rows = (
        AbsenceNotice.objects.filter(
            student__enrolments__in=groups, withdrawn_at__isnull=True, ends_on__gte=today
        )
        .order_by("starts_on", "student__last_name", "student__first_name", "id")
        .values(
            "id",
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__enrolments__class_group__grade",
            "student__enrolments__class_group__letter",
            "starts_on",
            "ends_on",
            "reason",
            "reported_by__last_name",
            "reported_by__first_name",
            "reported_by__middle_name",
        )[:MAX_HISTORY]
    )
    return [
        ClassNotice(
            id=r["id"],
            student_id=r["student_id"],
            student=short_name(r["student__last_name"], r["student__first_name"], r["student__middle_name"]),
            group_name=class_group_name(
                r["student__enrolments__class_group__grade"], r["student__enrolments__class_group__letter"]
            ),
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            reason=r["reason"],
            reported_by=short_name(
                r["reported_by__last_name"], r["reported_by__first_name"], r["reported_by__middle_name"]
            ),
        )
        for r in rows
    ]
