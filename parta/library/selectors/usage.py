"""Reads of usage and popularity: the author's dashboard, an author's public profile and the top
lists. Each is a fixed, small number of queries over the counters the counting task keeps (never
over the raw uses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from parta.accounts.models import User
from parta.library.access import materials_readable_by, may_author
from parta.library.models import Kind, Material, Status, UsageDay, Visibility
from parta.library.selectors.people import OWNER_COLUMNS, owner_name

CHART_DAYS = 90
TOP_MATERIALS = 20
TOP_AUTHORS = 10
COUNTERS = ("views", "downloads", "lesson_uses", "homework_uses", "rating_count", "rating_sum")


@dataclass(frozen=True)
class Totals:
    materials: int
    published: int
    views: int
    downloads: int
    lesson_uses: int
    homework_uses: int
    rating_count: int
    rating: float | None


@dataclass(frozen=True)
class MaterialFigures:
    id: int
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    visibility_label: str
    views: int
    downloads: int
    lesson_uses: int
    homework_uses: int
    rating_count: int
    rating: float | None
    popularity: float
    author_id: int
    author: str


@dataclass(frozen=True)
class ChartDay:
    day: dt.date
    views: int
    downloads: int
    uses: int


@dataclass(frozen=True)
class Dashboard:
    totals: Totals
    days: list[ChartDay]
    materials: list[MaterialFigures]

    def chart(self) -> dict[str, list[Any]]:
        """The chart's figures for the page's script (the same as its table)."""
        return {
            "labels": [d.day.isoformat() for d in self.days],
            "views": [d.views for d in self.days],
            "uses": [d.uses for d in self.days],
            "downloads": [d.downloads for d in self.days],
        }


def _average(count: int, total: int) -> float | None:
    return round(total / count, 2) if count else None


def _totals(materials: QuerySet[Material]) -> Totals:
    sums = materials.aggregate(
        materials=Count("pk"),
        published=Count("published"),
        **{name: Coalesce(Sum(name), 0) for name in COUNTERS},
    )
    return Totals(
        materials=sums["materials"],
        published=sums["published"],
        views=sums["views"],
        downloads=sums["downloads"],
        lesson_uses=sums["lesson_uses"],
        homework_uses=sums["homework_uses"],
        rating_count=sums["rating_count"],
        rating=_average(sums["rating_count"], sums["rating_sum"]),
    )


_FIGURE_COLUMNS = (
    "pk",
    "title",
    "kind",
    "status",
    "visibility",
    "popularity",
    "owner_id",
    *OWNER_COLUMNS,
    *COUNTERS,
)


def _figures(rows: QuerySet[Material]) -> list[MaterialFigures]:
    kinds, statuses, audiences = dict(Kind.choices), dict(Status.choices), dict(Visibility.choices)
    return [
        MaterialFigures(
            id=row["pk"],
            title=row["title"],
            kind=row["kind"],
            kind_label=str(kinds.get(row["kind"], row["kind"])),
            status=row["status"],
            status_label=str(statuses.get(row["status"], row["status"])),
            visibility_label=str(audiences.get(row["visibility"], row["visibility"])),
            views=row["views"],
            downloads=row["downloads"],
            lesson_uses=row["lesson_uses"],
            homework_uses=row["homework_uses"],
            rating_count=row["rating_count"],
            rating=_average(row["rating_count"], row["rating_sum"]),
            popularity=row["popularity"],
            author_id=row["owner_id"],
            author=owner_name(row),
        )
        for row in rows.values(*_FIGURE_COLUMNS)
    ]


def _days(owner_id: int, today: dt.date) -> list[ChartDay]:
    start = today - dt.timedelta(days=CHART_DAYS - 1)
    found = {
        row["day"]: row
        for row in UsageDay.objects.filter(material__owner_id=owner_id, day__gte=start, day__lte=today)
        .values("day")
        .annotate(
            v=Sum("views"), d=Sum("downloads"), lesson=Sum("lesson_uses"), homework=Sum("homework_uses")
        )
        .order_by()
    }
    days = []
    for offset in range(CHART_DAYS):
        day = start + dt.timedelta(days=offset)
        row = found.get(day)
        days.append(
            ChartDay(day, row["v"], row["d"], row["lesson"] + row["homework"])
            if row
            else ChartDay(day, 0, 0, 0)
        )
    return days


def author_dashboard(user: Any) -> Dashboard:
    """The signed-in author's own figures: totals, the last CHART_DAYS days and each material,
    the most popular first. Three queries; 404 for someone who does not make materials."""
    if not may_author(user):
        raise Http404
    mine = Material.objects.filter(owner_id=user.pk)
    return Dashboard(
        totals=_totals(mine),
        days=_days(user.pk, timezone.localdate()),
        materials=_figures(mine.order_by("-popularity", "-updated_at")),
    )


@dataclass(frozen=True)
class AuthorProfile:
    id: int
    name: str
    totals: Totals
    materials: list[MaterialFigures]


def author_profile(user: Any, author_id: int) -> AuthorProfile:
    """An author's published materials the user may read, with their totals; 404 when the user
    may read none of them (so that nobody learns who is an author)."""
    shown = Material.objects.filter(materials_readable_by(user), owner_id=author_id, published__isnull=False)
    materials = _figures(shown.order_by("-popularity", "pk"))
    if not materials:
        raise Http404
    author = User.objects.only("last_name", "first_name", "middle_name", "username").get(pk=author_id)
    return AuthorProfile(id=author_id, name=author.short_name, totals=_totals(shown), materials=materials)


@dataclass(frozen=True)
class AuthorRank:
    id: int
    name: str
    materials: int
    popularity: float
    uses: int
    rating: float | None


@dataclass(frozen=True)
class TopLists:
    materials: list[MaterialFigures]
    authors: list[AuthorRank]


def top_lists(user: Any, *, subject_id: int | None = None, kind: str | None = None) -> TopLists:
    """The most popular published materials the user may read (of a subject, of a type), and the
    authors whose published materials are the most popular together. Two queries."""
    shown = Material.objects.filter(materials_readable_by(user), published__isnull=False)
    if subject_id is not None:
        shown = shown.filter(subjects=subject_id)
    if kind:
        shown = shown.filter(kind=kind)
    materials = _figures(shown.order_by("-popularity", "pk")[:TOP_MATERIALS])
    authors = [
        AuthorRank(
            id=row["owner_id"],
            name=owner_name(row),
            materials=row["n"],
            popularity=round(row["score"] or 0.0, 2),
            uses=row["uses"] or 0,
            rating=_average(row["count"] or 0, row["total"] or 0),
        )
        for row in shown.values("owner_id", *OWNER_COLUMNS)
        .annotate(
            n=Count("pk"),
            score=Sum("popularity"),
            uses=Sum("lesson_uses") + Sum("homework_uses"),
            count=Sum("rating_count"),
            total=Sum("rating_sum"),
        )
        .order_by("-score", "owner_id")[:TOP_AUTHORS]
    ]
    return TopLists(materials=materials, authors=authors)
