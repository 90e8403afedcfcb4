"""Whose diary it is: the student the reader may open the diary of, placed in a class group and a
school year (``reach_diary``, ``access_diary``), and how the reader's diary is cached
(``diary_reading``). Anyone else gets 404, before any cache is asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from parta.core import statements, versions
from parta.core.names import class_group_name
from parta.schools.access import access_person, is_self_or_child, person_school_scope, roles_of
from parta.schools.models import Enrolment

# --- the student whose diary it is --------------------------------------------------------


@dataclass(frozen=True)
class DiaryStudent:
    """A student the reader may open the diary of, with the class group of the chosen year."""

    id: int
    name: str
    class_group_id: int
    class_group: str
    school_id: int
    school: str
    year_id: int
    year: str
    year_starts_on: dt.date
    year_ends_on: dt.date
    # The reader's scope (``person_school_scope``): None reads every school.
    school_ids: frozenset[int] | None
    # Every class group of the student's enrolments in that scope (id, name): whose lessons are theirs.
    class_groups: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class _Placement:
    """One enrolment of the student: a class group in a school year."""

    class_group_id: int
    class_group: str
    school_id: int
    school: str
    year_id: int
    year: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class DiaryAccess:
    """A student the reader may open the diary of, with every enrolment the reader may see (newest
    year first): what ``reach_diary`` read once, to place the student in any day's year."""

    id: int
    name: str
    school_ids: frozenset[int] | None
    placements: tuple[_Placement, ...]

    def on(self, day: dt.date | None = None) -> DiaryStudent:
        """The student in the class group of the year that contains ``day`` (default: today), else
        of their latest year."""
        day = day or timezone.localdate()
        row = next((p for p in self.placements if p.starts_on <= day <= p.ends_on), self.placements[0])
        return DiaryStudent(
            id=self.id,
            name=self.name,
            class_group_id=row.class_group_id,
            class_group=row.class_group,
            school_id=row.school_id,
            school=row.school,
            year_id=row.year_id,
            year=row.year,
            year_starts_on=row.starts_on,
            year_ends_on=row.ends_on,
            school_ids=self.school_ids,
            class_groups=tuple({p.class_group_id: p.class_group for p in self.placements}.items()),
        )


def diary_reading(user: Any, student_id: int, reach: Callable[[], DiaryAccess]) -> versions.Reading:
    """How the student's diary is cached for this reader (``parta.core.versions``; narrow it to the
    dates asked), once the reader may open it — 404 otherwise, before any cache is asked.

    The student, their guardians and superusers pass on their roles alone; staff go through
    ``access_person`` and read only their schools' records, which the key records. Whether the id
    is a student at all is the diary's own answer (``reach_diary``): a 404 is never cached.
    ``reach`` is the caller's ``reach_diary`` of the student, read once: its enrolments, read
    after the student's token, name the class groups' and schools' tokens, and the diary made on a
    miss is placed by the same rows."""
    scope: frozenset[int] | None = None
    # A student opening their own diary needs not even the roles query.
    own = user.is_authenticated and user.pk == student_id
    if not (own or roles_of(user).is_superuser or is_self_or_child(user, student_id)):
        scope = person_school_scope(user, access_person(user, student_id).pk)

    def class_tokens() -> list[str]:
        try:
            placements = reach().placements
        except Http404:
            return []  # the diary's own 404 follows, uncached
        return [
            token
            for p in placements
            for token in (versions.class_group(p.class_group_id), versions.school(p.school_id))
        ]

    reader = "all" if scope is None else ",".join(str(pk) for pk in sorted(scope))
    return versions.Reading(
        key=f"diary:{student_id}:{reader}",
        depends_on=(versions.EVERYTHING, versions.student(student_id)),
        also_depends_on=class_tokens,
    )


def reach_diary(user: Any, student_id: int) -> DiaryAccess:
    """The student whose diary the reader may open, with their enrolments: two queries (the
    person, their enrolments). 404 for anyone not a student or not the reader's to see."""
    person = access_person(user, student_id)
    scope = person_school_scope(user, person.pk)
    placements = tuple(
        _Placement(
            class_group_id=r["class_group_id"],
            class_group=class_group_name(r["class_group__grade"], r["class_group__letter"]),
            school_id=r["school_id"],
            school=r["school__short_name"],
            year_id=r["year_id"],
            year=r["year__name"],
            starts_on=r["year__starts_on"],
            ends_on=r["year__ends_on"],
        )
        for r in _ENROLMENTS.dicts(person.pk, sorted(scope or ()), scoped=scope is not None)
    )
    if not placements:
        raise Http404
    return DiaryAccess(
        id=person.pk,
        name=person.full_name or person.get_username(),
        school_ids=scope,
        placements=placements,
    )


def _enrolments(student_id: int, school_ids: list[int], *, scoped: bool) -> QuerySet[Any, Any]:
    enrolments = Enrolment.objects.filter(student_id=student_id)
    if scoped:
        enrolments = enrolments.filter(school_id__in=school_ids)
    return enrolments.order_by("-year__starts_on").values(
        "class_group_id",
        "class_group__grade",
        "class_group__letter",
        "school_id",
        "school__short_name",
        "year_id",
        "year__name",
        "year__starts_on",
        "year__ends_on",
    )


# A diary's first read runs each of these once: their SQL is built once (``parta.core.statements``).
_ENROLMENTS = statements.Statement(Enrolment, _enrolments)


def access_diary(user: Any, student_id: int, day: dt.date | None = None) -> DiaryStudent:
    """The student as the reader may see them, placed in the class group of the year that contains
    ``day`` (else their latest year). 404 for anyone not a student or not the reader's to see."""
    return reach_diary(user, student_id).on(day)


def scoped(qs: Any, student: DiaryStudent) -> Any:
    return qs if student.school_ids is None else qs.filter(school_id__in=student.school_ids)
