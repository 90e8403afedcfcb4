"""Who the signed-in user is (``me_summary``, for ``/api/v1/me``): roles, schools, children, class
group and taught groups, read only as far as the user's own roles reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from parta.accounts.models import User
from parta.core.names import class_group_name, full_name, short_name
from parta.schools.access import people_readable_by, roles_of, schools_readable_by
from parta.schools.models import AcademicYear, ClassGroup, Enrolment, School

# --- the signed-in user ------------------------------------------------------------------


@dataclass(frozen=True)
class NamedRef:
    id: int
    name: str


@dataclass(frozen=True)
class ClassGroupRef:
    id: int
    name: str
    school: NamedRef
    year: NamedRef


@dataclass(frozen=True)
class TaughtClassGroup(ClassGroupRef):
    is_class_teacher: bool


@dataclass(frozen=True)
class Child:
    id: int
    full_name: str
    short_name: str
    class_group: ClassGroupRef | None
    school: NamedRef | None


@dataclass(frozen=True)
class Me:
    """Who the user is: what ``/api/v1/me`` answers, but the calendar address (it needs the request)."""

    id: int
    username: str
    full_name: str
    short_name: str
    roles: list[str]
    schools: list[NamedRef]
    children: list[Child]
    class_group: ClassGroupRef | None
    class_groups_taught: list[TaughtClassGroup]


_GROUP_COLUMNS = ("id", "grade", "letter", "school_id", "school__short_name", "year_id", "year__name")


def _group_ref(row: dict[str, Any], prefix: str = "") -> ClassGroupRef:
    return ClassGroupRef(
        id=row[f"{prefix}id"],
        name=class_group_name(row[f"{prefix}grade"], row[f"{prefix}letter"]),
        school=NamedRef(row[f"{prefix}school_id"], row[f"{prefix}school__short_name"]),
        year=NamedRef(row[f"{prefix}year_id"], row[f"{prefix}year__name"]),
    )


def _latest_year_of_school() -> Subquery:
    # A school's newest year: once next year's groups exist, they are the ones that matter.
    return Subquery(
        AcademicYear.objects.filter(school_id=OuterRef("school_id")).order_by("-starts_on").values("pk")[:1]
    )


def _my_schools(user: User) -> list[NamedRef]:
    """The schools where the user works, studies or has a child."""
    roles = roles_of(user)
    family = Enrolment.objects.filter(student_id__in=roles.child_ids | {user.pk}).values("school_id")
    rows = (
        School.objects.filter(schools_readable_by(user))
        .filter(Q(pk__in=roles.staff_school_ids) | Q(pk__in=family))
        .order_by("short_name", "pk")
        .values_list("id", "short_name")
    )
    return [NamedRef(pk, name) for pk, name in rows]


def _my_class_group(user: User) -> ClassGroupRef | None:
    """A student's class group in the newest year they are enrolled in."""
    row = (
        ClassGroup.objects.filter(pk__in=roles_of(user).student_class_group_ids)
        .order_by("-year__starts_on")
        .values(*_GROUP_COLUMNS)
        .first()
    )
    return _group_ref(row) if row else None


def _my_class_groups_taught(user: User) -> list[TaughtClassGroup]:
    """The groups a teacher teaches or leads in their school's newest year."""
    if not roles_of(user).is_teacher:
        return []
    rows = (
        ClassGroup.objects.filter(Q(teaching_assignments__teacher_id=user.pk) | Q(class_teacher_id=user.pk))
        .filter(year_id=_latest_year_of_school())
        .distinct()
        .order_by("school__short_name", "grade", "letter")
        .values(*_GROUP_COLUMNS, "class_teacher_id")
    )
    return [
        TaughtClassGroup(**vars(_group_ref(row)), is_class_teacher=row["class_teacher_id"] == user.pk)
        for row in rows
    ]


def _my_children(user: User) -> list[Child]:
    """A guardian's children, each with their class group in the newest year they are enrolled in."""
    roles = roles_of(user)
    if not roles.child_ids:
        return []
    people = (
        User.objects.filter(people_readable_by(user), pk__in=roles.child_ids, is_active=True)
        .order_by("last_name", "first_name", "pk")
        .values_list("id", "last_name", "first_name", "middle_name")
    )
    enrolments = (
        Enrolment.objects.filter(student_id__in=roles.child_ids)
        .order_by("student_id", "-year__starts_on")
        .values("student_id", *(f"class_group__{name}" for name in _GROUP_COLUMNS))
    )
    group_of: dict[int, ClassGroupRef] = {}
    for row in enrolments:
        group_of.setdefault(row["student_id"], _group_ref(row, "class_group__"))
    children = []
    for pk, last, first, middle in people:
        group = group_of.get(pk)
        children.append(
            Child(
                id=pk,
                full_name=full_name(last, first, middle),
                short_name=short_name(last, first, middle),
                class_group=group,
                school=group.school if group else None,
            )
        )
    return children


def me_summary(user: User) -> Me:
    """The signed-in user's roles, schools, children, class group and taught groups: at most
    five queries after the roles, and only the parts their roles call for."""
    return Me(
        id=user.pk,
        username=user.get_username(),
        full_name=user.full_name,
        short_name=user.short_name,
        roles=roles_of(user).names,
        schools=_my_schools(user),
        children=_my_children(user),
        class_group=_my_class_group(user),
        class_groups_taught=_my_class_groups_taught(user),
    )
