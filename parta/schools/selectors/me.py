"""Who the signed-in user is (``me_summary``, for ``/api/v1/me``): roles, schools, children, class
group and taught groups, read only as far as the user's own roles reach."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from parta.accounts.models import Guardianship, User
from parta.core.names import class_group_name, full_name, short_name
from parta.schools.access import Roles, roles_of
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    School,
    StaffMembership,
    TeachingAssignment,
)

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


# The parts of the summary's statement, each a kind of row.
_SCHOOL, _CHILD, _CHILD_GROUP, _OWN_GROUP, _TAUGHT = "s", "c", "e", "g", "t"


@dataclass(frozen=True)
class _Parts:
    """Which parts of the summary a user's roles call for."""

    staff: bool
    guardian: bool
    student: bool
    teacher: bool

    @classmethod
    def of(cls, roles: Roles) -> _Parts:
        return cls(bool(roles.staff_school_ids), roles.is_guardian, roles.is_student, roles.is_teacher)


class _Table:
    """A model's table under an alias, for writing SQL by hand: ``f"{t}"`` is the table with its
    alias, ``t.field`` the alias's column of the field (a foreign key's ``_id``), quoted."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self._model, self._alias = model, alias

    def __format__(self, spec: str) -> str:
        return f"{connection.ops.quote_name(self._model._meta.db_table)} {self._alias}"

    def __getattr__(self, name: str) -> str:
        field = self._model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return f"{self._alias}.{connection.ops.quote_name(field.column)}"


@functools.cache
def _statement(parts: _Parts) -> tuple[str, int]:
    """One statement (UNION ALL) for every part of the summary the user's roles call for, and how
    many times it names the user (one parameter each). Every row has the same columns:
    (kind, a, grade, b, id, c, school id, year id, owner, start): a school is (name, –, –, id), a
    child (last name, –, first name, id, middle name), a class group (its school's name, grade,
    letter, id, its year's name, school id, year id, the child or the class teacher, the year's
    start). Ordered by a, grade, b, id: schools by name, children by name, taught groups by
    school, grade and letter.

    Written out, and built once per set of parts: building the ORM's five queries cost several
    times what running them did, on a request every app makes when it opens."""
    user = "%s"
    no_int, no_text, no_date = "CAST(NULL AS INTEGER)", "CAST(NULL AS VARCHAR)", "CAST(NULL AS DATE)"
    s, gs, cg, e = _Table(School, "s"), _Table(School, "gs"), _Table(ClassGroup, "cg"), _Table(Enrolment, "e")
    gy, ey, ny = _Table(AcademicYear, "gy"), _Table(AcademicYear, "ey"), _Table(AcademicYear, "ny")
    u, gu, sm = _Table(User, "u"), _Table(Guardianship, "gu"), _Table(StaffMembership, "sm")
    ta, led = _Table(TeachingAssignment, "ta"), _Table(ClassGroup, "led")
    # Only names from the models and the constant kinds are formatted in; the user is a parameter.
    children = f"SELECT {gu.student} FROM {gu} WHERE {gu.guardian} = {user}"  # noqa: S608

    def groups(kind: str, owner: str, start: str, where: str, joins: str = "") -> str:
        # Class groups with their school's and year's names: the columns of every group part.
        return (
            f"SELECT '{kind}', {gs.short_name}, {cg.grade}, {cg.letter}, {cg.id}, {gy.name},"  # noqa: S608
            f" {cg.school}, {cg.year}, {owner}, {start} FROM {cg}{joins}"
            f" JOIN {gs} ON {gs.id} = {cg.school} JOIN {gy} ON {gy.id} = {cg.year} WHERE {where}"
        )

    selects: list[str] = []
    if parts.staff or parts.guardian or parts.student:
        # The schools where the user works, studies or has a child.
        where = []
        if parts.staff:
            where.append(f"{s.id} IN (SELECT {sm.school} FROM {sm} WHERE {sm.user} = {user})")  # noqa: S608
        family = [f"{e.student} = {user}"] if parts.student else []
        if parts.guardian:
            family.append(f"{e.student} IN ({children})")
        if family:
            where.append(f"{s.id} IN (SELECT {e.school} FROM {e} WHERE {' OR '.join(family)})")  # noqa: S608
        selects.append(
            f"SELECT '{_SCHOOL}', {s.short_name}, {no_int}, {no_text}, {s.id}, {no_text}, {no_int},"  # noqa: S608
            f" {no_int}, {no_int}, {no_date} FROM {s} WHERE {' OR '.join(where)}"
        )
    if parts.guardian:
        # A guardian's active children, and each one's class groups with the enrolment's year.
        selects.append(
            f"SELECT '{_CHILD}', {u.last_name}, {no_int}, {u.first_name}, {u.id}, {u.middle_name},"  # noqa: S608
            f" {no_int}, {no_int}, {no_int}, {no_date} FROM {u}"
            f" WHERE {u.id} IN ({children}) AND {u.is_active}"
        )
        joins = f" JOIN {e} ON {e.class_group} = {cg.id} JOIN {ey} ON {ey.id} = {e.year}"
        selects.append(groups(_CHILD_GROUP, e.student, ey.starts_on, f"{e.student} IN ({children})", joins))
    if parts.student:
        # A student's class groups, with their years' start.
        own = f"{cg.id} IN (SELECT {e.class_group} FROM {e} WHERE {e.student} = {user})"  # noqa: S608
        selects.append(groups(_OWN_GROUP, no_int, gy.starts_on, own))
    if parts.teacher:
        # The groups a teacher teaches or leads in their school's newest year.
        newest_year = (
            f"SELECT {ny.id} FROM {ny} WHERE {ny.school} = {cg.school}"  # noqa: S608
            f" ORDER BY {ny.starts_on} DESC LIMIT 1"
        )
        # A union rather than OR: each side by its index, where OR scanned every class group.
        taught = (
            f"{cg.id} IN (SELECT {ta.class_group} FROM {ta} WHERE {ta.teacher} = {user}"  # noqa: S608
            f" UNION SELECT {led.id} FROM {led} WHERE {led.class_teacher} = {user})"
            f" AND {cg.year} = ({newest_year})"
        )
        selects.append(groups(_TAUGHT, cg.class_teacher, no_date, taught))
    if not selects:
        return "", 0
    sql = " UNION ALL ".join(selects) + " ORDER BY 2, 3, 4, 5"
    return sql, sql.count(user)


def _group_ref(row: tuple[Any, ...]) -> ClassGroupRef:
    _kind, school_name, grade, letter, pk, year_name, school_id, year_id = row[:8]
    return ClassGroupRef(
        id=pk,
        name=class_group_name(grade, letter),
        school=NamedRef(school_id, school_name),
        year=NamedRef(year_id, year_name),
    )


def _newest(rows: Iterable[tuple[Any, ...]]) -> dict[int | None, tuple[Any, ...]]:
    """The row of the newest year (its start, the last column) per owner."""
    newest: dict[int | None, tuple[Any, ...]] = {}
    for row in rows:
        found = newest.get(row[8])
        if found is None or row[9] > found[9]:
            newest[row[8]] = row
    return newest


def me_summary(user: User) -> Me:
    """The signed-in user's roles, schools, children, class group and taught groups: one query
    after the roles (none for someone without a school), of the parts their roles call for."""
    roles = roles_of(user)
    sql, uses = _statement(_Parts.of(roles))
    found: dict[str, list[tuple[Any, ...]]] = {
        kind: [] for kind in (_SCHOOL, _CHILD, _CHILD_GROUP, _OWN_GROUP, _TAUGHT)
    }
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk] * uses)
            for row in cursor.fetchall():
                found[row[0]].append(row)
    group_of = {pk: _group_ref(row) for pk, row in _newest(found[_CHILD_GROUP]).items()}
    children = []
    for _kind, last, _grade, first, pk, middle, *_rest in found[_CHILD]:
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
    own = _newest(found[_OWN_GROUP]).get(None)
    return Me(
        id=user.pk,
        username=user.get_username(),
        full_name=user.full_name,
        short_name=user.short_name,
        roles=roles.names,
        schools=[NamedRef(row[4], row[1]) for row in found[_SCHOOL]],
        children=children,
        class_group=_group_ref(own) if own else None,
        class_groups_taught=[
            TaughtClassGroup(**vars(_group_ref(row)), is_class_teacher=row[8] == user.pk)
            for row in found[_TAUGHT]
        ],
    )
