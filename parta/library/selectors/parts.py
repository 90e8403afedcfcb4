"""Searching one part of a reader's audience: the filters, the counts by facet, the page's keys,
and merging two parts' pages.

Counting reads *cells*: materials grouped by what the facets read (type, language, grades,
verified, their subjects), one statement over the part's rows; the filters are then applied to
the cells here (``Filters.failing``, the same rules as ``Filters.by_facet``'s conditions), so
that each facet is counted under every filter but its own without a statement per facet.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.lookups import GreaterThan

from parta.core.sql import IdList, ids_of
from parta.library.models import Material, bits_from_grades, grades_from_bits
from parta.library.search import text_match
from parta.schools.models import Subject

Sort = Literal["relevance", "popular", "new"]
SORTS: tuple[Sort, ...] = ("relevance", "popular", "new")
GRADES = tuple(range(1, 12))
FACETS = ("subject", "grade", "type", "verified", "language")

SubjectThrough = Material.subjects.through
TopicThrough = Material.topics.through


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

    @cached_property
    def grade_bits(self) -> int:
        return bits_from_grades(list(self.grades))

    def subject_ids(self) -> frozenset[int]:
        """The chosen subjects' ids (a subject may be chosen by its code)."""
        ids = {s for s in self.subjects if isinstance(s, int)}
        codes = [s for s in self.subjects if isinstance(s, str)]
        if codes:
            ids |= set(Subject.objects.filter(code__in=codes).values_list("pk", flat=True))
        return frozenset(ids)

    def by_facet(self, subject_ids: frozenset[int]) -> dict[str, Q]:
        """A condition per facet (and for the filters that are no facet, under their own names)."""
        found: dict[str, Q] = {}
        if self.subjects:
            # Asked of each row (a probe of the through table's unique index): the planner then
            # never hashes the subject's tens of thousands of materials to test a few matches.
            chosen = SubjectThrough.objects.filter(subject_id__in=subject_ids, material_id=OuterRef("pk"))
            found["subject"] = Q(Exists(chosen))
        if self.grades:
            found["grade"] = _in_grades(self.grade_bits)
        if self.kinds:
            found["type"] = Q(kind__in=list(self.kinds))
        if self.verified is not None:
            found["verified"] = Q(published__isnull=not self.verified)
        if self.language:
            found["language"] = Q(language=self.language)
        if self.topics:
            found["topic"] = Q(
                Exists(TopicThrough.objects.filter(topic_id__in=self.topics, material_id=OuterRef("pk")))
            )
        if self.author is not None:
            found["author"] = Q(owner_id=self.author)
        return found

    def failing(self, cell: Cell, subject_ids: frozenset[int]) -> set[str]:
        """The facets whose filter the materials of ``cell`` fail: ``by_facet`` read in Python,
        for counting groups of materials rather than rows."""
        failed = set()
        if self.subjects and subject_ids.isdisjoint(cell.subjects):
            failed.add("subject")
        if self.grades and not cell.grade_bits & self.grade_bits:
            failed.add("grade")
        if self.kinds and cell.kind not in self.kinds:
            failed.add("type")
        if self.verified is not None and cell.verified != self.verified:
            failed.add("verified")
        if self.language and cell.language != self.language:
            failed.add("language")
        return failed


def _in_grades(bits: int) -> Q:
    """For one grade at least of the bit set."""
    return Q(GreaterThan(F("grade_bits").bitand(bits), 0))


@dataclass(frozen=True)
class Cell:
    """Materials alike in all the facets read: how many there are."""

    kind: str
    language: str
    grade_bits: int
    verified: bool
    subjects: tuple[int, ...]
    found: int


def cells_of(queryset: QuerySet[Material]) -> list[Cell]:
    """The rows grouped by what the facets read (the subjects as the list of a material's own):
    one statement, one pass over the rows; a few hundred groups at most."""
    groups = (
        queryset.annotate(
            verified=ExpressionWrapper(Q(published__isnull=False), BooleanField()),
            subject_ids=IdList(SubjectThrough, of="subject", by="material"),
        )
        .values_list("kind", "language", "grade_bits", "verified", "subject_ids")
        .annotate(found=Count("pk"))
        .order_by()
    )
    return [
        Cell(kind, language, bits, verified, tuple(sorted(ids_of(subject_ids))), found)
        for kind, language, bits, verified, subject_ids, found in groups
    ]


def _summary(cells: list[Cell], filters: Filters, subject_ids: frozenset[int]) -> Summary:
    """The total under every filter, and each facet's values under the filters of the other
    facets (choosing grade 7 still shows how many are in grade 8)."""
    total = 0
    counts: dict[str, int] = defaultdict(int)
    subjects: dict[int, int] = defaultdict(int)
    for cell in cells:
        failed = filters.failing(cell, subject_ids)
        if not failed:
            total += cell.found
        values: dict[str, list[Any]] = {
            "type": [cell.kind],
            "language": [cell.language],
            "verified": ["1" if cell.verified else "0"],
            "grade": grades_from_bits(cell.grade_bits),
        }
        for facet, found in values.items():
            if failed <= {facet}:
                for value in found:
                    counts[f"{facet}:{value}"] += cell.found
        if failed <= {"subject"}:
            for subject in cell.subjects:
                subjects[subject] += cell.found
    return Summary(total, dict(counts), dict(subjects))


# A sort key: the larger comes first; it ends with the material's id, so no two are equal.
Key = tuple[Any, ...]
_OLDEST = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Summary:
    """How many of a part match, and their facet counts (``"grade:7"``; subjects by id)."""

    total: int
    counts: dict[str, int]
    subjects: dict[int, int]

    def __add__(self, other: Summary) -> Summary:
        def add(a: dict[Any, int], b: dict[Any, int]) -> dict[Any, int]:
            return {key: a.get(key, 0) + b.get(key, 0) for key in a.keys() | b.keys()}

        return Summary(
            self.total + other.total, add(self.counts, other.counts), add(self.subjects, other.subjects)
        )


@dataclass(frozen=True)
class Query:
    """One search's conditions, applied to any part of the audience."""

    filters: Filters
    sort: Sort
    subject_ids: frozenset[int]
    by_facet: dict[str, Q]
    text: Q | None
    rank: Expression | None

    @classmethod
    def of(cls, filters: Filters, sort: Sort) -> Query:
        matched = text_match(filters.q)
        text, rank = matched if matched is not None else (None, None)
        subject_ids = filters.subject_ids()
        return cls(filters, sort, subject_ids, filters.by_facet(subject_ids), text, rank)

    @property
    def narrows_rows(self) -> bool:
        """Whether it narrows by more than the facets (words, topics, an author)."""
        return self.text is not None or any(name not in FACETS for name in self.by_facet)

    def narrowed(self, queryset: QuerySet[Material], *, but: Collection[str] = ()) -> QuerySet[Material]:
        """The part's matches, but for the filters named in ``but``."""
        if self.text is not None:
            queryset = queryset.filter(self.text)
        return queryset.filter(*(condition for name, condition in self.by_facet.items() if name not in but))

    def cells(self, queryset: QuerySet[Material]) -> list[Cell]:
        return cells_of(self.narrowed(queryset, but=FACETS))

    def summary(self, cells: list[Cell]) -> Summary:
        return _summary(cells, self.filters, self.subject_ids)

    def matches(self, queryset: QuerySet[Material], *, limit: int) -> Matches | None:
        """A small part whole, in one statement: its matches but for the facets, each with what
        the facets and the sort read; the counts and the keys are taken from them here. None
        when there are more than ``limit`` (then ``cells`` and ``keys`` count and sort there)."""
        sort_columns = self._sort_columns()
        found = (
            self.narrowed(queryset, but=FACETS)
            .annotate(
                verified=ExpressionWrapper(Q(published__isnull=False), BooleanField()),
                subject_ids=IdList(SubjectThrough, of="subject", by="material"),
                **({"rank": self.rank} if "rank" in sort_columns else {}),
            )
            .values_list("kind", "language", "grade_bits", "verified", "subject_ids", *sort_columns)
        )
        rows = list(found[: limit + 1])
        if len(rows) > limit:
            return None
        groups: dict[tuple[str, str, int, bool, tuple[int, ...]], int] = defaultdict(int)
        keys = []
        for kind, language, bits, verified, subject_ids, *sorted_by in rows:
            cell = Cell(kind, language, bits, verified, tuple(sorted(ids_of(subject_ids))), 1)
            groups[(kind, language, bits, verified, cell.subjects)] += 1
            if not self.filters.failing(cell, self.subject_ids):
                keys.append(self._key(sorted_by))
        cells = [Cell(*group, found) for group, found in groups.items()]
        return Matches(self.summary(cells), sorted(keys, reverse=True))

    def _sort_columns(self) -> tuple[str, ...]:
        if self.sort == "new":
            return ("published_at", "updated_at", "pk")
        if self.sort == "relevance" and self.rank is not None:
            return ("rank", "popularity", "pk")
        return ("popularity", "pk")

    def _key(self, row: Collection[Any]) -> Key:
        """A key as ``keys`` makes it from the columns of ``_sort_columns``."""
        if self.sort == "new":
            published, updated, pk = row
            return (published is not None, published or _OLDEST, updated, pk)
        return tuple(row)

    def keys(self, queryset: QuerySet[Material], start: int, stop: int) -> list[Key]:
        """The sort keys of the matches from ``start`` to ``stop`` in order."""
        found = self.narrowed(queryset)
        columns = self._sort_columns()
        if self.sort == "new":
            order: list[Any] = [F("published_at").desc(nulls_last=True), "-updated_at", "-pk"]
        else:
            order = [f"-{column}" for column in columns]
            if "rank" in columns:
                found = found.annotate(rank=self.rank)
        return [self._key(row) for row in found.order_by(*order).values_list(*columns)[start:stop]]


@dataclass(frozen=True)
class Matches:
    """A part's counts and all its keys, largest first."""

    summary: Summary
    keys: list[Key]


def merged_page(shared: list[Key], start: int, extra: list[Key], page: slice) -> list[Key]:
    """The ``page`` (a slice of positions) of two disjoint parts merged, largest key first.

    ``shared`` holds that part's keys from position ``start`` on, ``extra`` the other's from the
    first; both as far as ``page.stop`` at least (or all there are); ``start`` is at most
    ``page.start - len(extra)``, and ``shared`` is empty only when ``start`` is 0. A key's merged
    position is its own position plus how many keys of the other part are larger; the keys of
    ``extra`` larger than the first of ``shared``'s window can only lie before the page."""
    extra_up = sorted(extra)
    shared_up = sorted(shared)
    found: list[tuple[int, Key]] = []
    for index, key in enumerate(shared, start):
        found.append((index + len(extra_up) - bisect_right(extra_up, key), key))
    for index, key in enumerate(extra):
        if start and key > shared[0]:
            continue
        found.append((index + start + len(shared_up) - bisect_right(shared_up, key), key))
    return [key for position, key in sorted(found) if page.start <= position < page.stop]
