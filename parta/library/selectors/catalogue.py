"""Finding materials: the catalogue's search with facets, and one material as its reader sees it.

Everything goes through the audience of ``parta.library.access``: a list, a count and a facet
count never include what the user may not open. A reader's audience is searched in parts
(``material_search``): what they share with every reader like them (the city's, their school's),
each kept for all of them, and what only they open, searched live; each part is one counting
statement and one of the page's keys (``parts``), whatever the data's size, or one statement
for a small part read whole; then the page's rows, their subjects and topics (none for a first
page kept with a shared part), and the subjects facet's names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parta.core import versions
from parta.core.i18n import pick
from parta.core.names import short_name
from parta.core.sql import planned_with_values
from parta.curriculum.models import Topic
from parta.library.access import audience_parts, sees_latest, sees_whole_content
from parta.library.content import summarised
from parta.library.freshness import CATALOGUE
from parta.library.models import (
    Kind,
    Language,
    Material,
    MaterialVersion,
    grades_from_bits,
)
from parta.library.selectors.authoring import file_url
from parta.library.selectors.parts import (
    FACETS,
    GRADES,
    Filters,
    Key,
    Query,
    Sort,
    SubjectThrough,
    Summary,
    TopicThrough,
    cells_of,
    merged_page,
)
from parta.schools.access import roles_of
from parta.schools.models import Subject

MAX_PAGE_SIZE = 100
# Past this a list is browsed by narrowing it, not by paging: deep OFFSETs cost the database.
MAX_PAGE = 1000
EXCERPT = 240


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


def _excerpt(text: str) -> str:
    if len(text) <= EXCERPT:
        return text
    return text[:EXCERPT].rsplit(" ", 1)[0].rstrip(" ,.;:—-") + "…"


def _cover_url(material_id: int, name: str) -> str:
    """The shown cover, through the download view (which checks access and sends it safely)."""
    return reverse("library-download", args=[material_id]) + "?cover=1" if name else ""


def _facet_values(facet: str, counts: dict[str, int], filters: Filters) -> list[FacetValue]:
    """A facet's values that have materials, or that the reader chose (to un-choose them)."""

    def keep(values: list[FacetValue]) -> list[FacetValue]:
        return [value for value in values if value.count or value.selected]

    if facet == "grade":
        return keep(
            [FacetValue(g, str(g), counts.get(f"grade:{g}", 0), g in filters.grades) for g in GRADES],
        )
    if facet == "type":
        return keep(
            [
                FacetValue(
                    kind.value,
                    str(kind.label),
                    counts.get(f"type:{kind.value}", 0),
                    kind.value in filters.kinds,
                )
                for kind in Kind
            ]
        )
    if facet == "language":
        return keep(
            [
                FacetValue(
                    lang.value,
                    str(lang.label),
                    counts.get(f"language:{lang.value}", 0),
                    lang == filters.language,
                )
                for lang in Language
            ]
        )
    # Verified means published: a methodologist checked it.
    return keep(
        [
            FacetValue(True, _("verified"), counts.get("verified:1", 0), filters.verified is True),
            FacetValue(False, _("not verified"), counts.get("verified:0", 0), filters.verified is False),
        ]
    )


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


def _subject_values(subjects: dict[int, int], filters: Filters) -> list[FacetValue]:
    """The subjects facet: every subject with materials, and those the reader chose (to un-choose
    them, with nothing under the other filters too), most materials first."""
    chosen = set(filters.subjects)
    values = [
        FacetValue(pk, pick(name_ru, name_en), subjects.get(pk, 0), pk in chosen or code in chosen, code=code)
        for pk, code, name_ru, name_en in _all_subjects()
    ]
    return sorted((v for v in values if v.count or v.selected), key=lambda v: -v.count)


def _all_subjects() -> list[tuple[int, str, str, str]]:
    """Every subject (a few dozen) in their order, kept while no city-wide name changes."""

    def make() -> list[tuple[int, str, str, str]]:
        return list(Subject.objects.order_by("order", "code").values_list("pk", "code", "name_ru", "name_en"))

    found: list[tuple[int, str, str, str]] = _kept(
        "library:subjects", make, token=versions.EVERYTHING, seconds=versions.ENTRY_SECONDS
    )
    return found


# --- the search ------------------------------------------------------------------------------

# What readers share (``shared_audiences``) is searched once for all of them and kept: its token
# renews when a material enters, changes in or leaves that audience (``parta.library.freshness``);
# a day's popularity refresh renews it too, a single rating reorders within ``SHARED_SECONDS``.
SHARED_SECONDS = 300
# The first pages' keys are kept with a shared search; a deeper page reads its window live.
KEPT = 200
# And the rows of a first page of the default size.
SHOWN = 20
# What only the reader opens is read whole, in one statement, up to this many matches (a
# teacher's school, own and given materials: a few hundred); a methodologist's review part is
# larger, and counted and sorted by the database.
OWN_ROWS = 1000


@dataclass(frozen=True)
class _Shared:
    summary: Summary
    keys: list[Key]
    # The rows of the first page's materials (as anyone of the audience sees them, in the
    # language of the key): a first page read again costs no query of its rows.
    rows: dict[int, MaterialRow]


def _shared(audience: str, condition: Q, query: Query) -> _Shared:
    filters = query.filters
    described = repr(
        (
            filters.q,
            sorted(map(str, filters.subjects)),
            sorted(filters.grades),
            sorted(filters.kinds),
            sorted(filters.topics),
            filters.verified,
            filters.author,
            filters.language,
            query.sort,
        )
    )
    digest = hashlib.sha256(described.encode()).hexdigest()[:32]

    def make() -> _Shared:
        part = Material.objects.filter(condition)
        # Without words, topics or an author the counts are the whole audience's cells, kept
        # once for every such search; the page is read in the order of an index.
        cells = (
            query.cells(part)
            if query.narrows_rows
            else _kept(f"library:cells:{audience}", lambda: cells_of(part))
        )
        summary = query.summary(cells)
        keys = query.keys(part, 0, KEPT) if summary.total else []
        first = Material.objects.filter(condition, pk__in=[key[-1] for key in keys[:SHOWN]])
        rows = {row.id: row for row in _rows(None, first)} if keys else {}
        return _Shared(summary, keys, rows)

    found: _Shared = _kept(f"library:search:{audience}:{get_language()}:{digest}", make)
    return found


def _window(part: _Shared, condition: Q, query: Query, start: int, stop: int) -> list[Key]:
    """A shared part's keys from ``start`` to ``stop``: those kept, or read past them."""
    if stop <= KEPT:
        return part.keys[start:stop]
    return query.keys(Material.objects.filter(condition), start, stop)


def _kept(key: str, make: Callable[[], Any], *, token: str = CATALOGUE, seconds: int = SHARED_SECONDS) -> Any:
    """``make()``, kept for every reader while ``token`` holds (by default: for whoever shares
    the audience, see ``CATALOGUE``)."""
    body = versions.cached(key, depends_on=[token], make=lambda: pickle.dumps(make()), seconds=seconds)
    return pickle.loads(body)  # noqa: S301 — our own cache's bytes


@planned_with_values()
def material_search(
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
    """A page of the materials the user may open that match, their count and the facets.

    Sort: ``relevance`` (how well the words match; without words, as ``popular``), ``popular``
    (the usage score), ``new`` (latest published, then latest changed).

    The reader's audience is searched in parts: those they share with every reader like them
    (``shared_audiences``: what is published for the city, and for their school), each kept for
    all of them, and what only they may open besides (their own, given to their classes), a few
    indexed rows searched live. Counts add up; the pages merge by the sort's key."""
    filters = Filters(q, subjects, grades, kinds, topics, verified, author, language)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, min(page, MAX_PAGE))
    wanted = slice((page - 1) * page_size, page * page_size)
    query = Query.of(filters, sort)
    audiences, beyond = audience_parts(user)
    parts = [(_shared(name, condition, query), condition) for name, condition in audiences]
    (largest, condition), smaller = parts[0], parts[1:]
    summary, extra, kept = largest.summary, [], dict(largest.rows)
    # The smaller parts (a school's) are merged whole into the page of the largest (the city's).
    for part, part_condition in smaller:
        summary = summary + part.summary
        extra += _window(part, part_condition, query, 0, wanted.stop)
        kept |= part.rows
    if beyond is not None:
        own = Material.objects.filter(beyond)
        matches = query.matches(own, limit=OWN_ROWS)
        if matches is not None:
            more, keys = matches.summary, matches.keys[: wanted.stop]
        else:
            more = query.summary(query.cells(own))
            keys = query.keys(own, 0, wanted.stop) if more.total else []
        summary = summary + more
        extra += keys
    extra = sorted(extra, reverse=True)[: wanted.stop]
    # The largest part's window: as many before the page as the extra keys could push into it,
    # and never empty unless it starts at the first (``merged_page`` places the extra keys by it).
    start = max(0, min(wanted.start - len(extra), largest.summary.total - 1))
    window = _window(largest, condition, query, start, wanted.stop)
    ids = [key[-1] for key in merged_page(window, start, extra, wanted)] if window or extra else []
    reader = roles_of(user).user_id
    # A row kept with a shared part is anyone's view of it; the reader's own shows its state.
    by_id = {pk: kept[pk] for pk in ids if pk in kept and kept[pk].author_id != reader}
    missing = [pk for pk in ids if pk not in by_id]
    if missing:
        # Read through the audience again: a page never shows what the reader may not open.
        readable = Q()
        for _name, audience in audiences:
            readable |= audience
        if beyond is not None:
            readable |= beyond
        by_id |= {row.id: row for row in _rows(reader, Material.objects.filter(readable, pk__in=missing))}
    counts = summary.counts
    facets = {
        "subject": _subject_values(summary.subjects, filters),
        **{facet: _facet_values(facet, counts, filters) for facet in FACETS if facet != "subject"},
    }
    return SearchResult(
        count=summary.total,
        page=page,
        page_size=page_size,
        rows=[by_id[pk] for pk in ids if pk in by_id],
        facets=facets,
    )


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
        content=version.content
        if sees_whole_content(user, material)
        else summarised(material.kind, version.content),
        file_name=version.file_name,
        file_size=version.file_size,
    )
