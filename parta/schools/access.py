"""Who may see what in a school. Every page and endpoint goes through these functions.

A request for something that is not yours answers 404, never 403, so ids cannot be probed.
Roles are held on a node (city, school, class group) and apply to everything below it.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from parta.accounts.models import Guardianship, MachineClient, User
from parta.core import rows
from parta.core.principals import is_machine
from parta.schools.models import (
    CityRole,
    ClassGroup,
    Enrolment,
    GuardianshipInvitation,
    School,
    StaffMembership,
    TeachingAssignment,
)


@dataclass(frozen=True)
class Roles:
    """What one user is, read once per request."""

    user_id: int
    is_superuser: bool
    admin_school_ids: frozenset[int]
    teacher_school_ids: frozenset[int]
    methodologist_city_ids: frozenset[int]
    child_ids: frozenset[int]
    student_class_group_ids: frozenset[int]

    @property
    def staff_school_ids(self) -> frozenset[int]:
        return self.admin_school_ids | self.teacher_school_ids

    @property
    def is_admin(self) -> bool:
        return bool(self.admin_school_ids)

    @property
    def is_teacher(self) -> bool:
        return bool(self.teacher_school_ids)

    @property
    def is_methodologist(self) -> bool:
        return bool(self.methodologist_city_ids)

    @property
    def is_guardian(self) -> bool:
        return bool(self.child_ids)

    @property
    def is_student(self) -> bool:
        return bool(self.student_class_group_ids)

    @property
    def names(self) -> list[str]:
        """Role names in the order a home page shows them."""
        flags = [
            ("admin", self.is_admin),
            ("teacher", self.is_teacher),
            ("methodologist", self.is_methodologist),
            ("parent", self.is_guardian),
            ("student", self.is_student),
        ]
        return [name for name, on in flags if on]


_NO_ROLES = Roles(0, False, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


# Which relation a row of the roles query comes from: a staff membership's role, or one of these.
_CITY, _CHILD, _CLASS_GROUP = "city", "child", "class_group"


@functools.cache
def roles_sql(user: str = "%s") -> str:
    """One statement (UNION ALL) for the user's staff memberships (tagged with the role), city
    roles, guardianships and enrolments, as (tag, id) rows. ``user`` is the SQL for the user's id,
    written into each of the four parts: a parameter, or a subquery of one (the API token's).

    Written out because it runs on every request: the ORM's ``.union()`` of the same four
    querysets costs ~1 ms of CPU to build, this ~0.1 ms."""
    q = connection.ops.quote_name

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return q(field.column)

    def part(model: type[Model], tag: str | None, id_field: str, user_field: str) -> str:
        # Only names from the models and the constant tags are formatted in; the user's id is a parameter.
        tag_sql = column(model, "role") if tag is None else f"'{tag}'"
        return (
            f"SELECT {tag_sql}, {column(model, id_field)} FROM {q(model._meta.db_table)}"  # noqa: S608
            f" WHERE {column(model, user_field)} = {user}"
        )

    return " UNION ALL ".join(
        [
            part(StaffMembership, None, "school", "user"),
            part(CityRole, _CITY, "city", "user"),
            part(Guardianship, _CHILD, "student", "guardian"),
            part(Enrolment, _CLASS_GROUP, "class_group", "student"),
        ]
    )


def roles_of(user: Any) -> Roles:
    """The user's roles (one query), cached on the user object for the rest of the request. A
    machine client has none: its key is no user's."""
    if not getattr(user, "is_authenticated", False) or is_machine(user):
        return _NO_ROLES
    cached: Roles | None = getattr(user, "_parta_roles", None)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(roles_sql(), [user.pk] * 4)
        return remember_roles(user, cursor.fetchall())


def remember_roles(user: Any, rows: Iterable[tuple[str, int]]) -> Roles:
    """The user's roles from the rows of :func:`roles_sql`, kept on the user for the rest of the
    request (a caller that read them together with the user says so here)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for kind, pk in rows:
        ids[kind].add(pk)
    roles = Roles(
        user_id=user.pk,
        is_superuser=bool(user.is_superuser),
        admin_school_ids=frozenset(ids[StaffMembership.Role.ADMIN]),
        teacher_school_ids=frozenset(ids[StaffMembership.Role.TEACHER]),
        methodologist_city_ids=frozenset(ids[_CITY]),
        child_ids=frozenset(ids[_CHILD]),
        student_class_group_ids=frozenset(ids[_CLASS_GROUP]),
    )
    user._parta_roles = roles
    return roles


def first_by_key(queryset: QuerySet[Any]) -> Any:
    """The row of a query by primary key, or None: no ORDER BY (``.first()`` orders by the model's
    ordering or the key, which costs CPU to build and a sort to run)."""
    return next(iter(queryset.order_by()[:1]), None)


def _nothing() -> Q:
    return Q(pk__in=[])


# --- schools -----------------------------------------------------------------------------


def schools_readable_by(user: Any) -> Q:
    """A Q over School: staff their schools, families their children's, methodologists their city's."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    family = roles.child_ids | {roles.user_id}
    q = Q(pk__in=roles.staff_school_ids) | Q(city_id__in=roles.methodologist_city_ids)
    q |= Q(pk__in=Enrolment.objects.filter(student_id__in=family).values("school_id"))
    return q if roles.user_id else _nothing()


def access_school(user: Any, school_id: int, *, for_admin: bool = False) -> School:
    roles = roles_of(user)
    if for_admin and not (roles.is_superuser or school_id in roles.admin_school_ids):
        raise Http404
    school = School.objects.filter(schools_readable_by(user), pk=school_id).first()
    if school is None:
        raise Http404
    return school


# --- class groups ------------------------------------------------------------------------


def class_groups_readable_by(user: Any) -> Q:
    """A Q over ClassGroup: an admin their school's, a teacher those they teach or lead,
    a student their own, a guardian their children's."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.user_id:
        return _nothing()
    q = staff_class_groups(roles)
    q |= Q(pk__in=roles.student_class_group_ids)
    q |= Q(pk__in=Enrolment.objects.filter(student_id__in=roles.child_ids).values("class_group_id"))
    return q


def staff_class_groups(roles: Roles) -> Q:
    """The class groups a user reaches through work: all of an administrator's school, and a
    teacher's own classes — only in a school where they still teach, so a teacher who moved
    loses the old school's classes with the staff membership."""
    q = Q(school_id__in=roles.admin_school_ids)
    q |= Q(class_teacher_id=roles.user_id, school_id__in=roles.teacher_school_ids)
    q |= Q(
        pk__in=TeachingAssignment.objects.filter(
            teacher_id=roles.user_id, school_id__in=roles.teacher_school_ids
        ).values("class_group_id")
    )
    return q


def readable_class_group_ids(user: Any, ids: set[int]) -> set[int]:
    """Those of these class groups the user may open: one query."""
    return set(
        ClassGroup.objects.filter(class_groups_readable_by(user), pk__in=ids).values_list("pk", flat=True)
    )


def access_class_group(user: Any, class_group_id: int) -> ClassGroup:
    group = (
        ClassGroup.objects.select_related("school", "year", "building", "class_teacher")
        .filter(class_groups_readable_by(user), pk=class_group_id)
        .first()
    )
    if group is None:
        raise Http404
    return group


# --- people ------------------------------------------------------------------------------


def people_readable_by(user: Any) -> Q:
    """A Q over User: yourself; your children; for staff, the students of the class groups
    you may read and the staff of your schools."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.user_id:
        return _nothing()
    q = Q(pk=roles.user_id) | Q(pk__in=roles.child_ids)
    if roles.staff_school_ids:
        # Through work only: being a parent in a class does not open its classmates to a teacher.
        readable_groups = ClassGroup.objects.filter(staff_class_groups(roles)).values("pk")
        q |= Q(pk__in=Enrolment.objects.filter(class_group_id__in=readable_groups).values("student_id"))
        q |= Q(pk__in=StaffMembership.objects.filter(school_id__in=roles.staff_school_ids).values("user_id"))
    return q


def readable_staff_ids(user: Any, ids: set[int]) -> set[int]:
    """Those of these staff members whose pages the user may open: families may open none,
    so they cost no query."""
    roles = roles_of(user)
    if not (roles.staff_school_ids or roles.is_superuser):
        return set()
    return set(User.objects.filter(people_readable_by(user), pk__in=ids).values_list("pk", flat=True))


def access_person(user: Any, person_id: int) -> User:
    """A person whose records the user may open (``people_readable_by``), 404 otherwise. Yourself
    and your children, the common case (a family's diary and timetable), skip building the staff's
    three-level subquery: yourself costs no query when the user is loaded already."""
    roles = roles_of(user)
    if person_id == roles.user_id and type(user) is User and user.is_active:
        return user
    person: User | None
    if person_id == roles.user_id or person_id in roles.child_ids:
        person = rows.by_key(User, person_id)  # the statement built once: every family read passes here
        person = person if person is not None and person.is_active else None
    else:
        person = first_by_key(User.objects.filter(people_readable_by(user), pk=person_id, is_active=True))
    if person is None:
        raise Http404
    return person


def is_self_or_child(user: Any, person_id: int) -> bool:
    """The person is the user or one of their children: the family's own records."""
    roles = roles_of(user)
    return person_id == roles.user_id or person_id in roles.child_ids


def person_school_scope(user: Any, person_id: int) -> frozenset[int] | None:
    """The schools whose records of a person the user may read, once ``access_person`` let them
    reach the person: ``None`` (all) for the person, their guardians and superusers; staff see
    only what happened in their own schools — not a colleague's other school, not a transferred
    student's old one."""
    if roles_of(user).is_superuser or is_self_or_child(user, person_id):
        return None
    return roles_of(user).staff_school_ids


def access_child(user: Any, student_id: int) -> User:
    """A guardian's own child (or the student themself): the family's view of a diary or timetable."""
    roles = roles_of(user)
    if not (student_id == roles.user_id or student_id in roles.child_ids or roles.is_superuser):
        raise Http404
    return access_person(user, student_id)


# --- guardianship invitations ------------------------------------------------------------


def access_invitation_sent(user: Any, invitation_id: int) -> GuardianshipInvitation:
    """An invitation made in a school the user administers (to withdraw it)."""
    roles = roles_of(user)
    invitations = GuardianshipInvitation.objects.all()
    if not roles.is_superuser:
        invitations = invitations.filter(school_id__in=roles.admin_school_ids)
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def open_invitations_to(user: Any) -> QuerySet[GuardianshipInvitation]:
    """The invitations the user may still answer: theirs, unanswered, not withdrawn, not expired."""
    if not getattr(user, "is_authenticated", False):
        return GuardianshipInvitation.objects.none()
    return GuardianshipInvitation.objects.filter(
        invitee_id=user.pk,
        status=GuardianshipInvitation.Status.PENDING,
        withdrawn_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def access_invitation_received(
    user: Any, invitation_id: int, *, lock: bool = False
) -> GuardianshipInvitation:
    """An invitation the user may answer, with its student; any other (someone else's, answered,
    withdrawn, expired) is not found. ``lock``: the row stays locked until the transaction ends."""
    invitations = open_invitations_to(user).select_related("student")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


# --- machine clients -----------------------------------------------------------------------


def access_machine_client(user: Any, school_id: int, client_id: int) -> MachineClient:
    """A machine client of a school, for that school's administrator (or the superuser)."""
    school = access_school(user, school_id, for_admin=True)
    client: MachineClient | None = first_by_key(
        MachineClient.objects.filter(school_id=school.pk, pk=client_id)
    )
    if client is None:
        raise Http404
    return client
