"""Subgroups of a class group and who is in them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.schools.models import ClassGroup, Enrolment, Subgroup, SubgroupMembership, Subject
from parta.schools.services.common import _admin_school, _insert_unique, uses_of

MIN_SUBGROUP, MAX_SUBGROUP = 1, 9


@transaction.atomic
def subgroup_save(
    *,
    actor: Any,
    class_group: ClassGroup,
    subject: Subject,
    number: int,
    subgroup: Subgroup | None = None,
) -> Subgroup:
    """Split a class group for a subject (subgroup 1, 2…), or change ``subgroup``'s subject or number."""
    _admin_school(actor, class_group.school_id)
    errors = FieldErrors()
    if subgroup is not None and subgroup.class_group_id != class_group.pk:
        raise ValidationError({"number": [_("This subgroup belongs to another class group.")]})
    valid_number = MIN_SUBGROUP <= number <= MAX_SUBGROUP
    if not valid_number:
        errors.add(
            "number",
            _("The number must be from %(min)d to %(max)d.") % {"min": MIN_SUBGROUP, "max": MAX_SUBGROUP},
        )
    if subgroup is not None and subgroup.subject_id != subject.pk and subgroup.teaching_assignments.exists():
        errors.add(
            "subject",
            _("The subgroup has a teacher of %(subject)s: the subject cannot change.")
            % {"subject": subgroup.subject.name},
        )

    def taken() -> str | None:
        others = Subgroup.objects.filter(class_group=class_group, subject=subject, number=number)
        if subgroup is not None:
            others = others.exclude(pk=subgroup.pk)
        if not others.exists():
            return None
        return _("%(group)s already has subgroup %(number)d in %(subject)s.") % {
            "group": class_group.name,
            "number": number,
            "subject": subject.name,
        }

    if valid_number and (message := taken()) is not None:
        errors.add("number", message)
    errors.raise_if_any()
    if subgroup is None:
        return _insert_unique(
            lambda: Subgroup.objects.create(
                school_id=class_group.school_id, class_group=class_group, subject=subject, number=number
            ),
            taken,
            "number",
        )
    changed = subgroup

    def update() -> Subgroup:
        if changed.subject_id != subject.pk:
            # Its members could now be in two subgroups of the new subject: they are chosen again.
            changed.memberships.all().delete()
        changed.subject, changed.number = subject, number
        changed.save(update_fields=["subject", "number"])
        return changed

    return _insert_unique(update, taken, "number")


@transaction.atomic
def subgroup_delete(*, actor: Any, subgroup: Subgroup) -> None:
    """Delete a subgroup that no teaching assignment, timetable slot or lesson uses; its
    memberships go with it (they are no official record)."""
    _admin_school(actor, subgroup.school_id)
    uses = uses_of(subgroup, ignore=(SubgroupMembership,))
    if uses:
        raise ValidationError(
            {
                "subgroup": [
                    _("Subgroup %(name)s cannot be deleted: it is used by %(uses)s.")
                    % {"name": subgroup.name, "uses": ", ".join(uses)}
                ]
            }
        )
    subgroup.delete()


@transaction.atomic
def subgroup_members_set(*, actor: Any, subgroup: Subgroup, student_ids: Iterable[int]) -> list[int]:
    """Make these students the subgroup's members (the others leave it). Each must be enrolled in
    the subgroup's class group and in no other subgroup of the same subject there."""
    _admin_school(actor, subgroup.school_id)
    wanted = set(student_ids)
    # The class group's row is locked: an enrolment or a move of its students waits for this.
    ClassGroup.objects.select_for_update().filter(pk=subgroup.class_group_id).first()
    enrolled = set(
        Enrolment.objects.filter(class_group_id=subgroup.class_group_id, student_id__in=wanted).values_list(
            "student_id", flat=True
        )
    )
    errors = FieldErrors()
    if wanted - enrolled:
        errors.add(
            "students",
            _("Only students of %(group)s can be in its subgroups.") % {"group": subgroup.class_group.name},
        )
    elsewhere = list(
        SubgroupMembership.objects.filter(
            subgroup__class_group_id=subgroup.class_group_id,
            subgroup__subject_id=subgroup.subject_id,
            student_id__in=wanted,
        )
        .exclude(subgroup=subgroup)
        .select_related("student", "subgroup__class_group")
        .order_by("student__last_name", "student__first_name")
    )
    for membership in elsewhere:
        errors.add(
            "students",
            _("%(student)s is already in subgroup %(subgroup)s of this subject.")
            % {"student": membership.student.short_name, "subgroup": membership.subgroup.name},
        )
    errors.raise_if_any()
    current = set(subgroup.memberships.values_list("student_id", flat=True))
    subgroup.memberships.filter(student_id__in=current - wanted).delete()
    for student_id in sorted(wanted - current):
        # One by one (few rows), so that each new member's diary hears of it through its signal.
        SubgroupMembership.objects.create(
            school_id=subgroup.school_id, subgroup=subgroup, student_id=student_id
        )
    return sorted(wanted)
