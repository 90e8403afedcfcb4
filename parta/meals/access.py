"""Who may see or change a child's meals.

- The family page (balance, history, statements): the child themself and the child's guardians
  (and the superuser). Anyone else — another family's parent, a teacher — gets 404.
- Changing it (the daily limit, the low-balance threshold, the stop-list, a top-up): the child's
  guardians only. The child sees their settings but does not change them.
- The school's cafeteria (menus, items, entitlements, corrections, refunds, the day's report):
  the school's administrators (Parta has no cafeteria role yet; the administrator is the operator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone

from parta.meals.models import Account
from parta.schools.access import access_child, access_school, roles_of
from parta.schools.models import Enrolment, School
from parta.schools.selectors import student_placement


@dataclass(frozen=True)
class MealsChild:
    """A child whose meals the reader may open, and the school their account is kept in."""

    id: int
    name: str
    short_name: str
    school_id: int
    class_group: str
    can_manage: bool


def access_meals_child(user: Any, student_id: int, *, manage: bool = False) -> MealsChild:
    """The child whose meals ``user`` may read (``manage``: change); 404 for anyone else, and for a
    person who is no student anywhere."""
    roles = roles_of(user)
    guardian = student_id in roles.child_ids
    if manage and not guardian:
        raise Http404
    person = access_child(user, student_id)
    placement = student_placement(person.pk, timezone.localdate())
    if placement is None:
        raise Http404
    account_school = Account.objects.filter(student_id=person.pk).values_list("school_id", flat=True).first()
    return MealsChild(
        id=person.pk,
        name=person.full_name or person.get_username(),
        short_name=person.short_name,
        school_id=account_school or placement.school_id,
        class_group=placement.class_group,
        can_manage=guardian,
    )


def access_meals_school(user: Any, school_id: int) -> School:
    """A school whose cafeteria ``user`` runs: its administrator (or the superuser)."""
    return access_school(user, school_id, for_admin=True)


def student_of_school(school_id: int, student_id: int) -> None:
    """404 unless the student is (or was) enrolled in the school: an administrator reaches only
    their own school's children."""
    if not Enrolment.objects.filter(school_id=school_id, student_id=student_id).exists():
        raise Http404
