"""Finding materials: the catalogue's search with facets, and one material as its reader sees it.

Everything goes through ``materials_readable_by``: a list, a count and a facet count never
include what the user may not open. A fixed number of queries whatever the data's size: one
aggregate for the total and the facets that share the full filter, one more per facet whose own
filter is set (a facet counts under every filter but its own, so that choosing "grade 7" still
shows how many there are in grade 8), one for the subjects facet, one for the page, and one each
for the page's subjects and topics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parta.core import versions
from parta.core.i18n import pick
from parta.core.names import short_name
from parta.curriculum.models import Topic
from parta.library.access import materials_readable_by, sees_latest
from parta.library.models import (
    Kind,
    Language,
    Material,
    MaterialVersion,
    bits_from_grades,
    grades_from_bits,
)
from parta.library.search import text_match
from parta.library.selectors.authoring import file_url
from parta.schools.access import roles_of
from parta.schools.models import Subject

log = logging.getLogger(__name__)

Sort = Literal["relevance", "popular", "new"]
SORTS: tuple[Sort, ...] = ("relevance", "popular", "new")
GRADES = tuple(range(1, 12))
MAX_PAGE_SIZE = 100
PUBLIC_CACHE_SECONDS = 60
# Past this a list is browsed by narrowing it, not by paging: deep OFFSETs cost the database.
MAX_PAGE = 1000
EXCERPT = 240
FACETS = ("subject", "grade", "type", "verified", "language")

SubjectThrough = Material.subjects.through
TopicThrough = Material.topics.through


@dataclass(frozen=True)
class Ref:
    id: int
    name: str
    code: str = ""


@dataclass(frozen=True)
class MaterialRow:
    id: int
    kind: str
    title: str
    excerpt: str
    subjects: tuple[Ref, ...]
    grades: tuple[int, ...]
    topics: tuple[Ref, ...]
    language: str
    licence: str
    authors: str
    author_id: int
    author: str
    cover_url: str
    verified: bool
    visibility: str
    # The review state, for the author's own materials only (None for others').
    status: str | None
    popularity: float
    views: int
    rating: float | None
    rating_count: int
    updated_at: dt.datetime
    published_at: dt.datetime | None

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass(frozen=True)
class FacetValue:
    value: Any
    label: str
    count: int
    selected: bool
    code: str = ""


@dataclass(frozen=True)
class SearchResult:
    count: int
    page: int
    page_size: int
    rows: list[MaterialRow]
    facets: dict[str, list[FacetValue]]

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.count // self.page_size)))


@dataclass(frozen=True)
class Filters:
    """What the reader narrows the catalogue by; empty means no narrowing."""

    q: str = ""
    subjects: Collection[int | str] = ()
    grades: Collection[int] = ()
    kinds: Collection[str] = ()
    topics: Collection[int] = ()
    verified: bool | None = None
    author: int | None = None
    language: str | None = None

    def by_facet(self) -> dict[str, Q]:
        """A condition per facet (and for the filters that are no facet, under their own names)."""
        found: dict[str, Q] = {}
        if self.subjects:
            ids = [s for s in self.subjects if isinstance(s, int)]
            codes = [s for s in self.subjects if isinstance(s, str)]
            chosen = SubjectThrough.objects.filter(Q(subject_id__in=ids) | Q(subject__code__in=codes))
            found["subject"] = Q(pk__in=chosen.values("material_id"))
        if self.grades:
            found["grade"] = _in_grades(bits_from_grades(list(self.grades)))
        if self.kinds:
            found["type"] = Q(kind__in=list(self.kinds))
        if self.verified is not None:
            found["verified"] = Q(published__isnull=not self.verified)
        if self.language:
            found["language"] = Q(language=self.language)
        if self.topics:
            found["topic"] = Q(
                pk__in=TopicThrough.objects.filter(topic_id__in=self.topics).values("material_id")
            )
        if self.author is not None:
            found["author"] = Q(owner_id=self.author)
        return found


def _in_grades(bits: int) -> Q:
    """For one grade at least of the bit set."""
    return Q(GreaterThan(F("grade_bits").bitand(bits), 0))


def _excerpt(text: str) -> str:
    if len(text) <= EXCERPT:
        return text
    return text[:EXCERPT].rsplit(" ", 1)[0].rstrip(" ,.;:—-") + "…"


def _cover_url(material_id: int, name: str) -> str:
    """The shown cover, through the download view (which checks access and sends it safely)."""
    return reverse("library-download", args=[material_id]) + "?cover=1" if name else ""


def _aggregate(queryset: QuerySet[Material], facets: Collection[str]) -> dict[str, int]:
    """The count and the counts of ``facets`` (but the subjects) in one pass over the rows."""
    counts: dict[str, Any] = {"total": Count("pk")}
    if "grade" in facets:
        for grade in GRADES:
            counts[f"grade:{grade}"] = Count(
                "pk", filter=Q(GreaterThan(F("grade_bits").bitand(1 << grade), 0))
            )
    if "type" in facets:
        for kind in Kind.values:
            counts[f"type:{kind}"] = Count("pk", filter=Q(kind=kind))
    if "verified" in facets:
        counts["verified:1"] = Count("pk", filter=Q(published__isnull=False))
        counts["verified:0"] = Count("pk", filter=Q(published__isnull=True))
    if "language" in facets:
        for language in Language.values:
            counts[f"language:{language}"] = Count("pk", filter=Q(language=language))
    return {key: value or 0 for key, value in queryset.aggregate(**counts).items()}


def _facet_values(facet: str, counts: dict[str, int], filters: Filters) -> list[FacetValue]:
    """A facet's values that have materials, or that the reader chose (to un-choose them)."""

    def keep(values: list[FacetValue]) -> list[FacetValue]:
        return [value for value in values if value.count or value.selected]

    if facet == "grade":
        return keep(
            [FacetValue(g, str(g), counts[f"grade:{g}"], g in filters.grades) for g in GRADES],
        )
    if facet == "type":
        return keep(
            [
                FacetValue(
                    kind.value, str(kind.label), counts[f"type:{kind.value}"], kind.value in filters.kinds
                )
                for kind in Kind
            ]
        )
    if facet == "language":
        return keep(
            [
                FacetValue(
                    lang.value, str(lang.label), counts[f"language:{lang.value}"], lang == filters.language
                )
                for lang in Language
            ]
        )
    # Verified means published: a methodologist checked it.
    return keep(
        [
            FacetValue(True, _("verified"), counts["verified:1"], filters.verified is True),
            FacetValue(False, _("not verified"), counts["verified:0"], filters.verified is False),
        ]
    )


def _subject_facet(queryset: QuerySet[Material], filters: Filters) -> list[FacetValue]:
    rows = (
        SubjectThrough.objects.filter(material_id__in=queryset.values("pk"))
        .values("subject_id", "subject__code", "subject__name_ru", "subject__name_en", "subject__order")
        .annotate(count=Count("material_id"))
        .order_by("-count", "subject__order", "subject__code")
    )
    chosen = set(filters.subjects)
    values = [
        FacetValue(
            row["subject_id"],
            pick(row["subject__name_ru"], row["subject__name_en"]),
            row["count"],
            row["subject_id"] in chosen or row["subject__code"] in chosen,
            code=row["subject__code"],
        )
        for row in rows
    ]
    missing = chosen - {v.value for v in values} - {v.code for v in values}
    if missing:
        # A chosen subject with nothing under the other filters still shows, to be un-chosen.
        for subject in Subject.objects.filter(
            Q(pk__in=[s for s in missing if isinstance(s, int)])
            | Q(code__in=[s for s in missing if isinstance(s, str)])
        ):
            values.append(FacetValue(subject.pk, subject.name, 0, True, code=subject.code))
    return values


_ROW_COLUMNS = (
    "pk",
    "kind",
    "title",
    "description",
    "language",
    "licence",
    "authors",
    "owner_id",
    "owner__last_name",
    "owner__first_name",
    "owner__middle_name",
    "cover",
    "published_id",
    "visibility",
    "status",
    "grade_bits",
    "popularity",
    "views",
    "rating_count",
    "rating_sum",
    "updated_at",
    "published_at",
)


def _refs(ids: list[int]) -> tuple[dict[int, list[Ref]], dict[int, list[Ref]]]:
    subjects: dict[int, list[Ref]] = defaultdict(list)
    topics: dict[int, list[Ref]] = defaultdict(list)
    if not ids:
        return subjects, topics
    for row in (
        SubjectThrough.objects.filter(material_id__in=ids)
        .order_by("subject__order", "subject__code")
        .values_list("material_id", "subject_id", "subject__code", "subject__name_ru", "subject__name_en")
    ):
        subjects[row[0]].append(Ref(row[1], pick(row[3], row[4]), row[2]))
    for row in (
        TopicThrough.objects.filter(material_id__in=ids)
        .order_by("topic__grade", "topic__order")
        .values_list("material_id", "topic_id", "topic__code", "topic__title_ru", "topic__title_en")
    ):
        topics[row[0]].append(Ref(row[1], pick(row[3], row[4]), row[2]))
    return subjects, topics


def _rows(user_id: int | None, queryset: QuerySet[Material]) -> list[MaterialRow]:
    found = list(queryset.values(*_ROW_COLUMNS))
    subjects, topics = _refs([row["pk"] for row in found])
    return [
        MaterialRow(
            id=row["pk"],
            kind=row["kind"],
            title=row["title"],
            excerpt=_excerpt(row["description"]),
            subjects=tuple(subjects[row["pk"]]),
            grades=tuple(grades_from_bits(row["grade_bits"])),
            topics=tuple(topics[row["pk"]]),
            language=row["language"],
            licence=row["licence"],
            authors=row["authors"],
            author_id=row["owner_id"],
            author=short_name(row["owner__last_name"], row["owner__first_name"], row["owner__middle_name"]),
            cover_url=_cover_url(row["pk"], row["cover"]),
            verified=row["published_id"] is not None,
            visibility=row["visibility"],
            status=row["status"] if user_id is not None and row["owner_id"] == user_id else None,
            popularity=row["popularity"],
            views=row["views"],
            rating=round(row["rating_sum"] / row["rating_count"], 2) if row["rating_count"] else None,
            rating_count=row["rating_count"],
            updated_at=row["updated_at"],
            published_at=row["published_at"],
        )
        for row in found
    ]


def material_search(user: Any, **arguments: Any) -> SearchResult:
    """A page of the materials the user may open that match, their count and the facets (see
    :func:`_search` for the arguments).

    Without signing in the catalogue is the same for everyone: with the read cache on, its
    answers are kept a minute (a proxy may keep them five), so that a city's visitors do not each
    count the whole public library. A cache that fails is read around."""
    if roles_of(user).user_id or not versions.enabled():
        return _search(user, **arguments)
    digest = hashlib.sha256(repr(sorted(arguments.items())).encode()).hexdigest()[:32]
    key = f"library:public-search:{get_language()}:{digest}"
    try:
        found: SearchResult | None = cache.get(key)
    except Exception:
        log.exception("read cache unavailable; searching the database")
        return _search(user, **arguments)
    if found is None:
        found = _search(user, **arguments)
        try:
            cache.set(key, found, timeout=PUBLIC_CACHE_SECONDS)
        except Exception:
            log.exception("could not store a public search")
    return found


def _search(
    user: Any,
    *,
    q: str = "",
    subjects: Collection[int | str] = (),
    grades: Collection[int] = (),
    kinds: Collection[str] = (),
    topics: Collection[int] = (),
    verified: bool | None = None,
    author: int | None = None,
    language: str | None = None,
    sort: Sort = "relevance",
    page: int = 1,
    page_size: int = 20,
) -> SearchResult:
    """Sort: ``relevance`` (how well the words match; without words, as ``popular``), ``popular``
    (the usage score), ``new`` (latest published, then latest changed)."""
    filters = Filters(q, subjects, grades, kinds, topics, verified, author, language)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, min(page, MAX_PAGE))
    base = Material.objects.filter(materials_readable_by(user))
    matched = text_match(q)
    rank = None
    if matched is not None:
        condition, rank = matched
        base = base.filter(condition)
    by_facet = filters.by_facet()

    def narrowed(*, but: str = "") -> QuerySet[Material]:
        return base.filter(*(condition for name, condition in by_facet.items() if name != but))

    full = narrowed()
    # The facets not filtered on are counted under the full filter, with the total; each facet
    # filtered on is counted under the others.
    free = [facet for facet in FACETS if facet not in by_facet and facet != "subject"]
    counts = _aggregate(full, free)
    total = counts.pop("total")
    for facet in FACETS:
        if facet in by_facet and facet != "subject":
            counts |= _aggregate(narrowed(but=facet), [facet])
    counts.pop("total", None)
    facets = {facet: _facet_values(facet, counts, filters) for facet in FACETS if facet != "subject"}
    facets = {"subject": _subject_facet(narrowed(but="subject"), filters), **facets}

    if sort == "new":
        order: list[Any] = [F("published_at").desc(nulls_last=True), "-updated_at", "-pk"]
    elif sort == "relevance" and rank is not None:
        full = full.alias(rank=rank)
        order = ["-rank", "-popularity", "-pk"]
    else:
        order = ["-popularity", "-pk"]
    offset = (page - 1) * page_size
    in_order = full.order_by(*order)[offset : offset + page_size]
    rows = _rows(roles_of(user).user_id, in_order) if offset < total else []
    return SearchResult(count=total, page=page, page_size=page_size, rows=rows, facets=facets)


# --- one material ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialDetail:
    """A material as its reader sees it: the latest version for its author (and a reviewer),
    the published one for everyone else."""

    row: MaterialRow
    version: int
    description: str
    duration_minutes: int | None
    content: dict[str, Any]
    file_name: str
    file_size: int


def material_detail(user: Any, material: Material) -> MaterialDetail:
    """``material`` reached through ``access_material``."""
    version = MaterialVersion.objects.get(
        pk=(material.latest_id if sees_latest(user, material) else material.published_id) or 0
    )
    subjects = {
        s.pk: Ref(s.pk, s.name, s.code) for s in Subject.objects.filter(pk__in=version.subject_ids or [])
    }
    topics = {t.pk: Ref(t.pk, t.title, t.code) for t in Topic.objects.filter(pk__in=version.topic_ids or [])}
    owner = material.owner
    roles = roles_of(user)
    row = MaterialRow(
        id=material.pk,
        kind=material.kind,
        title=version.title,
        excerpt=_excerpt(version.description),
        subjects=tuple(subjects[pk] for pk in version.subject_ids if pk in subjects),
        grades=tuple(version.grades),
        topics=tuple(topics[pk] for pk in version.topic_ids if pk in topics),
        language=version.language,
        licence=version.licence,
        authors=version.authors,
        author_id=material.owner_id,
        author=short_name(owner.last_name, owner.first_name, owner.middle_name),
        cover_url=file_url(material.pk, version.number, cover=True) if version.cover else "",
        verified=material.published_id is not None,
        visibility=material.visibility,
        status=material.status if roles.user_id == material.owner_id else None,
        popularity=material.popularity,
        views=material.views,
        rating=material.rating,
        rating_count=material.rating_count,
        updated_at=material.updated_at,
        published_at=material.published_at,
    )
    return MaterialDetail(
        row=row,
        version=version.number,
        description=version.description,
        duration_minutes=version.duration_minutes,
        content=version.content,
        file_name=version.file_name,
        file_size=version.file_size,
    )
