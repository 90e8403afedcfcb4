"""A student's move to another class group of the school, or out of the school, with its history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.core.errors import FieldErrors
from parta.schools.models import ClassGroup, Enrolment, StudentMove, SubgroupMembership
from parta.schools.services.common import _admin_school

REASON_MAX_LENGTH = 500  # StudentMove.reason


@transaction.atomic
def student_move(
    *,
    actor: Any,
    student: User,
    from_class_group: ClassGroup,
    to_class_group: ClassGroup | None,
    moved_on: dt.date,
    reason: str,
) -> StudentMove:
    """Move a student of ``from_class_group`` to ``to_class_group`` of the same school and year
    from ``moved_on``, or out of the school when ``to_class_group`` is None.

    The enrolment in the old class group ends and (for a move) one in the new class group starts
    on that day; the student leaves the old class group's subgroups; a history row records who
    moved whom, from where to where, when and why. Marks, attendance and period marks stay where
    they were given. The enrolments' and memberships' own freshness rules renew the cached reads
    of the student and of both class groups.
    """
    school = _admin_school(actor, from_class_group.school_id)
    errors = FieldErrors()
    reason = reason.strip()
    # Locked until the move commits: a concurrent move or subgroup change of this student waits.
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(class_group=from_class_group, student=student)
        .select_related("year")
        .first()
    )
    if enrolment is None:
        errors.add(
            "student",
            _("%(student)s is not a student of %(group)s.")
            % {"student": student.short_name, "group": from_class_group.name},
        )
    if to_class_group is not None:
        if to_class_group.school_id != school.pk or to_class_group.year_id != from_class_group.year_id:
            errors.add("to_class_group", _("Choose a class group of this school and academic year."))
        elif to_class_group.pk == from_class_group.pk:
            errors.add("to_class_group", _("The student is in this class group already."))
    year = from_class_group.year
    today = timezone.localdate()
    since = (enrolment.starts_on if enrolment else None) or year.starts_on
    if not year.starts_on <= moved_on <= year.ends_on:
        errors.add(
            "moved_on",
            _("The day must fall within the academic year %(year)s.") % {"year": year.name},
        )
    elif moved_on < since and enrolment is not None and enrolment.starts_on is not None:
        errors.add(
            "moved_on",
            _("The student joined %(group)s on %(date)s: the move cannot be earlier.")
            % {"group": from_class_group.name, "date": date_format(since, "SHORT_DATE_FORMAT")},
        )
    elif moved_on > today:
        errors.add("moved_on", _("Record the move on the day it takes effect or later, not in advance."))
    if not reason:
        errors.add("reason", _("Give the reason, for example the order's number or the family's request."))
    elif len(reason) > REASON_MAX_LENGTH:
        errors.add("reason", _("Use at most %(max)d characters.") % {"max": REASON_MAX_LENGTH})
    errors.raise_if_any()
    assert enrolment is not None  # checked above

    left = list(
        SubgroupMembership.objects.filter(
            student=student, subgroup__class_group=from_class_group
        ).select_related("subgroup__class_group", "subgroup__subject")
    )
    left_names = [
        {"name": m.subgroup.name, "ru": m.subgroup.subject.name_ru, "en": m.subgroup.subject.name_en}
        for m in sorted(left, key=lambda m: (m.subgroup.subject.order, m.subgroup.subject.code))
    ]
    for membership in left:
        membership.delete()
    # The old enrolment ends and a new one starts: two rows' freshness rules, one per class group.
    enrolment.delete()
    if to_class_group is not None:
        Enrolment.objects.create(
            school=school, year_id=year.pk, class_group=to_class_group, student=student, starts_on=moved_on
        )
    return StudentMove.objects.create(
        school=school,
        year_id=year.pk,
        student=student,
        from_class_group=from_class_group,
        to_class_group=to_class_group,
        moved_on=moved_on,
        reason=reason,
        left_subgroups=left_names,
        moved_by=actor,
        created_at=timezone.now(),
    )
