"""Reads of the review: the city's queue, one submitted material with what changed since its
published version, and the count on the methodologist's menu.

Only a methodologist of the material's city (or a superuser) reads any of it; anyone else gets
404 from ``parta.library.access``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from parta.core.i18n import picker
from parta.library.models import Kind, Material, MaterialVersion, Review, Status, Visibility
from parta.library.selectors.authoring import (
    Comparison,
    Content,
    Metadata,
    metadata_of,
    reviews_of,
    version_shown,
    versions_compare,
)
from parta.library.selectors.people import OWNER_COLUMNS, owner_name
from parta.schools.access import Roles, roles_of
from parta.schools.models import Subject


def _reviewed_cities(user: Any) -> Q:
    """The materials a user reviews: their cities'; 404 for anyone who reviews none."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.methodologist_city_ids:
        raise Http404
    return Q(city_id__in=roles.methodologist_city_ids)


def queue_count(roles: Roles) -> int:
    """How many materials wait in the methodologist's cities: one count on the queue's index."""
    if not roles.methodologist_city_ids:
        return 0
    return Material.objects.filter(city_id__in=roles.methodologist_city_ids, status=Status.SUBMITTED).count()


def subject_choices() -> list[tuple[int, str]]:
    """Every subject, for a filter: one query."""
    choose = picker()
    return [(pk, choose(ru, en)) for pk, ru, en in Subject.objects.values_list("pk", "name_ru", "name_en")]


@dataclass(frozen=True)
class QueueRow:
    id: int
    kind: str
    kind_label: str
    title: str
    author_id: int
    author: str
    school: str
    asked: str
    asked_label: str
    version: int
    new_version: bool
    submitted_at: dt.datetime


def review_queue(user: Any, *, subject_id: int | None = None, kind: str | None = None) -> list[QueueRow]:
    """Materials waiting for review in the user's cities, the longest waiting first: one query."""
    rows = Material.objects.filter(_reviewed_cities(user), status=Status.SUBMITTED)
    if subject_id is not None:
        rows = rows.filter(subjects=subject_id)
    if kind:
        rows = rows.filter(kind=kind)
    kinds, audiences = dict(Kind.choices), dict(Visibility.choices)
    return [
        QueueRow(
            id=row["pk"],
            kind=row["kind"],
            kind_label=str(kinds.get(row["kind"], row["kind"])),
            title=row["latest__title"],
            author_id=row["owner_id"],
            author=owner_name(row),
            school=row["school__short_name"] or "",
            asked=row["requested_visibility"],
            asked_label=str(audiences.get(row["requested_visibility"], "")),
            version=row["latest__number"],
            new_version=row["published_id"] is not None,
            submitted_at=row["updated_at"],
        )
        for row in rows.order_by("updated_at", "pk").values(
            "pk",
            "kind",
            "latest__title",
            "latest__number",
            "owner_id",
            *OWNER_COLUMNS,
            "school__short_name",
            "requested_visibility",
            "published_id",
            "updated_at",
        )
    ]


# --- one material under review -------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A version as the review page shows it: what readers will see of it, and its metadata."""

    version: MaterialVersion
    meta: Metadata
    content: Content


@dataclass(frozen=True)
class UnderReview:
    material: Material
    author: str
    submitted: Shown
    published: Shown | None
    # What changed since the published version, as the versions' comparison page shows it.
    comparison: Comparison | None
    reviews: QuerySet[Review]
    waiting: bool
    asked_label: str


def _shown(user: Any, material: Material, version: MaterialVersion, *, anchors: str = "") -> Shown:
    return Shown(
        version=version,
        meta=metadata_of(material, version),
        content=version_shown(user, material, version, anchors=anchors),
    )


def material_under_review(user: Any, material_id: int) -> UnderReview:
    """The version under review (the latest) rendered as its readers will see it, the published
    one and what differs, and the earlier reviews. A fixed number of queries."""
    material = (
        Material.objects.filter(_reviewed_cities(user), pk=material_id)
        .exclude(status=Status.DRAFT, published__isnull=True)
        .select_related("latest", "published", "owner", "school")
        .first()
    )
    if material is None or material.latest is None:
        raise Http404
    latest, published = material.latest, material.published
    earlier = published if published and published.pk != latest.pk else None
    return UnderReview(
        material=material,
        author=material.owner.short_name,
        submitted=_shown(user, material, latest),
        # Its anchors differ so that both textbooks' tables of contents lead to their own chapters.
        published=_shown(user, material, earlier, anchors="published-") if earlier else None,
        comparison=versions_compare(material, earlier, latest) if earlier else None,
        reviews=reviews_of(material),
        waiting=material.status == Status.SUBMITTED,
        asked_label=str(dict(Visibility.choices).get(material.requested_visibility, "")),
    )
