"""Who may see, change and review library materials.

- The author sees and changes their own materials, every version of them.
- Others see only what a methodologist published, within its audience: "my school" to the staff,
  students and families of the author's school; "the city" to everyone signed in; "everyone"
  without signing in too. They see the published version, never a newer draft.
- A material given to a class group (at a lesson, with homework) is open to that group's
  students and their guardians, and to the school's staff, published or not.
- A city methodologist reviews what is submitted in their city, and sees every material of it
  that was ever submitted.

Anything else answers 404, so ids cannot be probed.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q
from django.http import Http404

from parta.core import versions
from parta.library import freshness
from parta.library.models import Assignment, Material, Status, Visibility
from parta.schools.access import Roles, roles_of
from parta.schools.models import Enrolment


def _nothing() -> Q:
    return Q(pk__in=[])


def public_materials() -> Q:
    """What anyone may see, signed in or not."""
    return Q(published__isnull=False, visibility=Visibility.PUBLIC)


def _family_school_ids(roles: Roles) -> set[int]:
    family = set(roles.child_ids) | ({roles.user_id} if roles.is_student else set())
    if not family:
        return set()
    return set(Enrolment.objects.filter(student_id__in=family).values_list("school_id", flat=True))


def _family_class_group_ids(roles: Roles) -> set[int]:
    ids = set(roles.student_class_group_ids)
    if roles.child_ids:
        ids |= set(
            Enrolment.objects.filter(student_id__in=roles.child_ids).values_list("class_group_id", flat=True)
        )
    return ids


# The audiences every signed-in reader shares.
_SHARED = (Visibility.PUBLIC, Visibility.CITY)


def shared_audiences(user: Any) -> list[tuple[str, Q]]:
    """The parts of what the user may open that are each the same for a whole class of readers,
    named (the catalogue keeps its searches under the names), the largest first: published for
    everyone or for the city to whoever signs in, and published for "my school" to the staff and
    families of each of the user's schools; published for everyone without signing in; all to a
    superuser."""
    roles = roles_of(user)
    if roles.is_superuser:
        return [("all", Q())]
    if not roles.user_id:
        return [("public", public_materials())]
    schools = sorted(set(roles.staff_school_ids) | _family_school_ids(roles))
    return [
        ("signed-in", Q(published__isnull=False, visibility__in=_SHARED)),
        *(
            (f"school:{pk}", Q(published__isnull=False, visibility=Visibility.SCHOOL, school_id=pk))
            for pk in schools
        ),
    ]


def _own_audience(roles: Roles) -> list[Q]:
    """What a signed-in reader opens beyond the shared parts: their own, what they review, what
    was given to their classes (each a condition its own index serves)."""
    found = [Q(owner_id=roles.user_id)]
    if roles.methodologist_city_ids:
        found.append(
            Q(city_id__in=roles.methodologist_city_ids) & ~Q(status=Status.DRAFT, published__isnull=True)
        )
    given: set[int] = set()
    for pk in sorted(_family_class_group_ids(roles)):
        given.update(_given_here(f"cg:{pk}", Q(class_group_id=pk), versions.class_group(pk)))
    for pk in sorted(roles.staff_school_ids):
        given.update(_given_here(f"sc:{pk}", Q(school_id=pk), freshness.given(pk)))
    if given:
        found.append(Q(pk__in=sorted(given)))
    return found


def _given_here(where: str, condition: Q, token: str) -> list[int]:
    """The materials given there (a class group, or a school's classes) that the city's part does
    not hold anyway (a school gives thousands, mostly those), kept for everyone there while nothing
    is given there or taken back (``token``) and nothing enters or leaves the city's part: a search
    read them on every request, a probe of each of the school's hundreds of given materials."""

    def make() -> bytes:
        ids = (
            Assignment.objects.filter(condition)
            .exclude(material__published__isnull=False, material__visibility__in=_SHARED)
            .values_list("material_id", flat=True)
        )
        return json.dumps(sorted(set(ids))).encode()

    found: list[int] = json.loads(
        versions.cached(f"library:given:{where}", depends_on=[freshness.CATALOGUE, token], make=make)
    )
    return found


def _any(conditions: list[Q]) -> Q:
    found = _nothing()
    for condition in conditions:
        found |= condition
    return found


def materials_readable_by(user: Any) -> Q:
    """A Q over Material: everything the user may open (see the module's rules)."""
    roles = roles_of(user)
    shared = [condition for _name, condition in shared_audiences(user)]
    if roles.is_superuser or not roles.user_id:
        return shared[0]
    return _any(shared + _own_audience(roles))


def audience_parts(user: Any) -> tuple[list[tuple[str, Q]], Q | None]:
    """What the user may open, in parts: the shared ones (``shared_audiences``), and what only
    they open besides, a condition each part of which has its own index (None when nothing)."""
    roles = roles_of(user)
    shared = shared_audiences(user)
    if roles.is_superuser or not roles.user_id:
        return shared, None
    return shared, _any(_own_audience(roles)) & ~_any([condition for _name, condition in shared])


def sees_latest(user: Any, material: Material) -> bool:
    """Whether the user reads the latest version (its author; a methodologist reviewing it), or
    the published one like everyone else."""
    roles = roles_of(user)
    if roles.is_superuser or material.owner_id == roles.user_id:
        return True
    if material.city_id in roles.methodologist_city_ids and material.status != Status.DRAFT:
        return True
    # A material never published is seen, where it was given, as it is now.
    return material.published_id is None


def sees_whole_content(user: Any, material: Material) -> bool:
    """Whether the user sees the parts of a material's content that other apps keep from its
    readers (``parta.library.content``: a test's answers): its author, a school's staff, a
    methodologist of its city; not students, guardians or anyone not signed in."""
    roles = roles_of(user)
    return (
        roles.is_superuser
        or material.owner_id == roles.user_id
        or bool(roles.staff_school_ids)
        or material.city_id in roles.methodologist_city_ids
    )


def access_material(user: Any, material_id: int) -> Material:
    """A material the user may open; 404 for any other."""
    material = Material.objects.filter(materials_readable_by(user), pk=material_id).first()
    if material is None:
        raise Http404
    return material


def access_own_material(user: Any, material_id: int, *, lock: bool = False) -> Material:
    """A material the user may change: their own. 404 for any other, including one they may read."""
    roles = roles_of(user)
    if not roles.user_id:
        raise Http404
    queryset = Material.objects.filter(pk=material_id)
    if not roles.is_superuser:
        queryset = queryset.filter(owner_id=roles.user_id)
    material = (queryset.select_for_update() if lock else queryset).first()
    if material is None:
        raise Http404
    return material


def may_review(user: Any, material: Material) -> bool:
    roles = roles_of(user)
    return roles.is_superuser or material.city_id in roles.methodologist_city_ids


def access_material_for_review(user: Any, material_id: int, *, lock: bool = False) -> Material:
    """A material of the methodologist's city that was submitted (or reviewed); 404 otherwise."""
    roles = roles_of(user)
    if not (roles.is_superuser or roles.methodologist_city_ids):
        raise Http404
    queryset = Material.objects.filter(pk=material_id).exclude(status=Status.DRAFT, published__isnull=True)
    if not roles.is_superuser:
        queryset = queryset.filter(city_id__in=roles.methodologist_city_ids)
    material = (queryset.select_for_update() if lock else queryset).first()
    if material is None:
        raise Http404
    return material


def is_author(user: Any, material: Material) -> bool:
    roles = roles_of(user)
    return roles.is_superuser or (bool(roles.user_id) and material.owner_id == roles.user_id)


def may_submit(material: Material) -> bool:
    """Its latest version may go to review: it is not waiting already and is not the published one."""
    waiting = material.status == Status.SUBMITTED
    return not waiting and not (material.published_id and material.published_id == material.latest_id)


def may_unshare(material: Material) -> bool:
    """There is something to take back: an audience, or a version in review or returned."""
    return material.visibility != Visibility.PRIVATE or material.status != Status.DRAFT


def may_author(user: Any) -> bool:
    """Teachers, administrators and methodologists make materials; students and families do not."""
    roles = roles_of(user)
    return roles.is_superuser or bool(roles.staff_school_ids or roles.methodologist_city_ids)


def may_rate(user: Any, material: Material) -> bool:
    """Teachers rate what others made."""
    roles = roles_of(user)
    return bool(roles.staff_school_ids or roles.methodologist_city_ids) and material.owner_id != roles.user_id
