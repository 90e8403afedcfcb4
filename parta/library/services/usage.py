"""Usage of materials: every view, download and use is appended as one short insert; a task
counts them later into the material's figures (the page never waits for a count).

Counting (:func:`uses_count`, the task ``library.count_uses`` every minute) takes the uncounted
rows in batches, marks them counted and adds them to the materials' counters and to their day
rows (:class:`UsageDay`) in the same transaction, then works out the touched materials' ratings
and popularity again. Two runs at once never count a row twice: on PostgreSQL each takes rows the
other has not locked (``SKIP LOCKED``); on SQLite writers take turns, and a batch somebody else
marked meanwhile is given up and read again.

The popularity score (docs/user-guide.md, "Library: popularity") is :func:`popularity_of`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from parta.core import versions
from parta.library.freshness import CATALOGUE
from parta.library.models import Material, Rating, UsageDay, Use

# The counter (on Material and on UsageDay) each kind of use adds to.
FIELDS: Mapping[str, str] = {
    Use.Kind.VIEW: "views",
    Use.Kind.DOWNLOAD: "downloads",
    Use.Kind.LESSON: "lesson_uses",
    Use.Kind.HOMEWORK: "homework_uses",
}
# Popularity: giving a material to a class says most about it, then taking it away, then looking.
WEIGHTS: Mapping[str, float] = {"views": 1.0, "downloads": 2.0, "lesson_uses": 5.0, "homework_uses": 5.0}
# A day's uses count half as much every HALF_LIFE_DAYS; older than WINDOW_DAYS they count no more.
HALF_LIFE_DAYS = 30
WINDOW_DAYS = 180
# The rating term: a Bayesian average that starts from RATING_PRIOR_COUNT ratings of RATING_PRIOR
# stars (so that one enthusiastic rating does not make a best material), times RATING_WEIGHT for
# each star above (or below) the prior.
RATING_PRIOR = 3.0
RATING_PRIOR_COUNT = 5
RATING_WEIGHT = 10.0

BATCH = 2000
# A run stops after this many batches; the next minute's run goes on.
MAX_BATCHES = 50


def use_record(material_id: int, kind: str, user: Any) -> None:
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    Use.objects.create(material_id=material_id, kind=kind, user_id=user_id)
    _count_soon()


def _count_soon() -> None:
    """Without a broker (the laptop demo) there is no beat to count every minute: count right
    after the commit, in-process, as the outbox delivers its events there."""
    from parta.library.tasks import library_count_uses

    if library_count_uses.app.conf.task_always_eager:
        transaction.on_commit(library_count_uses.delay, robust=True)


# --- the score -----------------------------------------------------------------------------


def bayesian_rating(rating_count: int, rating_sum: int) -> float:
    return (RATING_PRIOR * RATING_PRIOR_COUNT + rating_sum) / (RATING_PRIOR_COUNT + rating_count)


def popularity_of(
    days: Iterable[Mapping[str, Any]], *, today: dt.date, rating_count: int, rating_sum: int
) -> float:
    """Σ over the last WINDOW_DAYS of (5·lesson uses + 5·homework uses + 2·downloads + views) ×
    ½^(age in days / HALF_LIFE_DAYS), plus RATING_WEIGHT × (Bayesian average − RATING_PRIOR).
    ``days`` are UsageDay rows (or mappings with their fields)."""
    usage = 0.0
    for row in days:
        age = (today - row["day"]).days
        if 0 <= age < WINDOW_DAYS:
            weighted = sum(weight * row[name] for name, weight in WEIGHTS.items())
            usage += weighted * 0.5 ** (age / HALF_LIFE_DAYS)
    rating = RATING_WEIGHT * (bayesian_rating(rating_count, rating_sum) - RATING_PRIOR)
    return round(usage + rating, 4)


# --- counting ------------------------------------------------------------------------------


class _Raced(Exception):
    """Another run marked part of the batch first: give it up and read again."""


def uses_count(*, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Count uncounted uses into the materials' figures; how many were counted."""
    counted = 0
    for _ in range(max_batches):
        try:
            done = _count_batch(batch)
        except _Raced:
            continue
        counted += done
        if done < batch:
            break
    return counted


def _uncounted(limit: int) -> list[tuple[int, int, str, dt.datetime]]:
    return list(
        Use.objects.filter(counted=False)
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", "material_id", "kind", "at")[:limit]
    )


@transaction.atomic
def _count_batch(limit: int) -> int:
    rows = _uncounted(limit)
    if not rows:
        return 0
    if Use.objects.filter(pk__in=[row[0] for row in rows], counted=False).update(counted=True) != len(rows):
        raise _Raced
    by_material: dict[int, Counter[str]] = defaultdict(Counter)
    by_day: dict[tuple[int, dt.date], Counter[str]] = defaultdict(Counter)
    for _, material_id, kind, at in rows:
        name = FIELDS.get(kind)
        if name is None:
            continue
        by_material[material_id][name] += 1
        by_day[material_id, timezone.localdate(at)][name] += 1
    # Locked in key order (no deadlock between runs): a run that counted the same materials
    # commits first, and its day rows are seen when the popularity is worked out below.
    present = set(
        Material.objects.filter(pk__in=by_material)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", flat=True)
    )
    UsageDay.objects.bulk_create(
        [UsageDay(material_id=m, day=day) for m, day in by_day if m in present], ignore_conflicts=True
    )
    for (material_id, day), added in by_day.items():
        if material_id in present:
            UsageDay.objects.filter(material_id=material_id, day=day).update(
                **{name: F(name) + n for name, n in added.items()}
            )
    _refresh(present, {m: by_material[m] for m in present})
    return len(rows)


def _refresh(material_ids: Collection[int], added: Mapping[int, Counter[str]] | None = None) -> None:
    """Rating figures and popularity of the materials worked out again from their ratings and
    day rows; ``added`` uses go onto their counters in the same update."""
    if not material_ids:
        return
    today = timezone.localdate()
    ratings = {
        row["material_id"]: (row["n"], row["s"] or 0)
        for row in Rating.objects.filter(material_id__in=material_ids)
        .values("material_id")
        .annotate(n=Count("pk"), s=Sum("stars"))
        .order_by()
    }
    days: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in UsageDay.objects.filter(
        material_id__in=material_ids, day__gt=today - dt.timedelta(days=WINDOW_DAYS)
    ).values("material_id", "day", *WEIGHTS):
        days[row["material_id"]].append(row)
    for material_id in material_ids:
        count, total = ratings.get(material_id, (0, 0))
        score = popularity_of(days[material_id], today=today, rating_count=count, rating_sum=total)
        increments = {name: F(name) + n for name, n in (added or {}).get(material_id, Counter()).items()}
        Material.objects.filter(pk=material_id).update(
            rating_count=count, rating_sum=total, popularity=score, **increments
        )


def popularity_refresh(material_ids: Collection[int] | None = None, *, chunk: int = 500) -> int:
    """Ratings and popularity worked out again: of the given materials (a rating changed), or of
    every material that has a score, a rating or uses in the window (once a day, as the days age).
    How many materials."""
    if material_ids is not None:
        with transaction.atomic():
            _refresh(set(material_ids))
        return len(set(material_ids))
    start = timezone.localdate() - dt.timedelta(days=WINDOW_DAYS)
    scored = (
        Material.objects.filter(
            ~Q(popularity=0)
            | Q(rating_count__gt=0)
            | Q(pk__in=Rating.objects.values("material_id"))
            | Q(pk__in=UsageDay.objects.filter(day__gt=start).values("material_id"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done, last = 0, 0
    while ids := list(scored.filter(pk__gt=last)[:chunk]):
        with transaction.atomic():
            _refresh(ids)
        done, last = done + len(ids), ids[-1]
    # The shared searches are kept in popularity's order: a day's new order shows at once.
    versions.touch([CATALOGUE])
    return done
