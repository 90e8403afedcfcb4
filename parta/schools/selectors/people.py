"""People as other apps' pages need them: where a student learns, a guardian's children, a school's
teachers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from parta.accounts.models import User
from parta.core.names import class_group_name
from parta.schools.access import Roles
from parta.schools.models import Enrolment, School, StaffMembership, TeachingAssignment
from parta.schools.selectors.years import current_years

# --- people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where a student learns in a given year: their class group and its school."""

    class_group_id: int
    class_group: str
    school_id: int


def student_placement(student_id: int, day: dt.date) -> Placement | None:
    """The student's class group for the year that contains ``day`` (else the latest): one query."""
    enrolments = list(
        Enrolment.objects.filter(student_id=student_id)
        .order_by("-year__starts_on")
        .values_list(
            "class_group_id",
            "class_group__grade",
            "class_group__letter",
            "school_id",
            "year__starts_on",
            "year__ends_on",
        )
    )
    if not enrolments:
        return None
    chosen = next((e for e in enrolments if e[4] <= day <= e[5]), enrolments[0])
    return Placement(
        class_group_id=chosen[0], class_group=class_group_name(chosen[1], chosen[2]), school_id=chosen[3]
    )


def children_of(roles: Roles) -> QuerySet[User]:
    """A guardian's children who can sign in, as a family lists them (by first name)."""
    return User.objects.filter(pk__in=roles.child_ids, is_active=True).order_by("first_name", "pk")


def teacher_school_ids(user_id: int) -> list[int]:
    return list(
        StaffMembership.objects.filter(user_id=user_id, role=StaffMembership.Role.TEACHER).values_list(
            "school_id", flat=True
        )
    )


def subjects_taught(roles: Roles, today: dt.date) -> list[int]:
    """The subjects a teacher teaches in the current year of each of their schools, in the order
    subjects are listed (a new material's subjects to start with). Two queries; none for one who
    teaches nowhere."""
    if not roles.teacher_school_ids:
        return []
    year_ids = [year.pk for year in current_years(roles.teacher_school_ids, today).values()]
    rows = (
        TeachingAssignment.objects.filter(teacher_id=roles.user_id, year_id__in=year_ids)
        .order_by("subject__order", "subject__code")
        .values_list("subject_id", flat=True)
    )
    return list(dict.fromkeys(rows))


def teachers_of(school: School) -> Q:
    """A Q over User: the teachers of this school (for form choices)."""
    return Q(
        pk__in=StaffMembership.objects.filter(school=school, role=StaffMembership.Role.TEACHER).values(
            "user_id"
        )
    )


def group_readers(class_group_id: int | None, subgroup_id: int | None) -> dict[int, int]:
    """Who reads about a lesson of a class group (or of one of its subgroups): each student, and
    each guardian of one, mapped to the child it is about (a guardian of two in the class: the
    first). Two queries."""
    from parta.accounts.models import Guardianship
    from parta.schools.models import SubgroupMembership

    if subgroup_id is not None:
        students = list(
            SubgroupMembership.objects.filter(subgroup_id=subgroup_id).values_list("student_id", flat=True)
        )
    elif class_group_id is not None:
        students = list(
            Enrolment.objects.filter(class_group_id=class_group_id).values_list("student_id", flat=True)
        )
    else:
        return {}
    about: dict[int, int] = {pk: pk for pk in students}
    for guardian_id, student_id in Guardianship.objects.filter(student_id__in=students).values_list(
        "guardian_id", "student_id"
    ):
        about.setdefault(guardian_id, student_id)
    return about
