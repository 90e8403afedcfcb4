"""Usage counting and the popularity score: uses are counted once into the counters and the day
rows, whatever runs twice; the score matches numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from parta.library.models import Material, Rating, UsageDay, Use
from parta.library.services import usage
from parta.library.services.usage import popularity_of, popularity_refresh, use_record, uses_count
from parta.testing.library import published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def noon(days_ago: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def uses(material: Material, kind: str, n: int, *, days_ago: int = 0) -> None:
    made = Use.objects.bulk_create([Use(material=material, kind=kind) for _ in range(n)])
    Use.objects.filter(pk__in=[u.pk for u in made]).update(at=noon(days_ago))


def test_the_score_by_hand() -> None:
    today = dt.date(2026, 10, 1)
    day = {"views": 10, "downloads": 3, "lesson_uses": 2, "homework_uses": 1}
    # Today: 10·1 + 3·2 + 2·5 + 1·5 = 31; thirty days ago half of it, 15.5; 200 days ago nothing.
    # Ratings 5, 5, 4 with five prior ratings of 3: (15 + 14) / 8 = 3.625, so 10 × 0.625 = 6.25.
    days = [
        {**day, "day": today},
        {**day, "day": today - dt.timedelta(days=30)},
        {**day, "day": today - dt.timedelta(days=200)},
    ]
    assert popularity_of(days, today=today, rating_count=3, rating_sum=14) == 52.75
    # No use and no rating: 0. Two one-star ratings pull below: (15 + 2) / 7 − 3 = −0.5714….
    assert popularity_of([], today=today, rating_count=0, rating_sum=0) == 0
    assert popularity_of([], today=today, rating_count=2, rating_sum=2) == round(10 * (17 / 7 - 3), 4)
    # A use in a lesson weighs five views; sixty days halve twice.
    lesson = {"views": 0, "downloads": 0, "lesson_uses": 1, "homework_uses": 0, "day": today}
    assert popularity_of([lesson], today=today, rating_count=0, rating_sum=0) == 5
    old = {**lesson, "day": today - dt.timedelta(days=60)}
    assert popularity_of([old], today=today, rating_count=0, rating_sum=0) == 1.25


def test_counting_adds_to_the_counters_and_the_days_once(world: World) -> None:
    material = published(text_material(world.a.subject_teacher), world.methodologist)
    other = text_material(world.b.subject_teacher)
    uses(material, Use.Kind.VIEW, 10)
    uses(material, Use.Kind.DOWNLOAD, 3)
    uses(material, Use.Kind.LESSON, 2)
    uses(material, Use.Kind.HOMEWORK, 1)
    uses(material, Use.Kind.VIEW, 10, days_ago=30)
    uses(material, Use.Kind.DOWNLOAD, 3, days_ago=30)
    uses(material, Use.Kind.LESSON, 2, days_ago=30)
    uses(material, Use.Kind.HOMEWORK, 1, days_ago=30)
    uses(other, Use.Kind.VIEW, 1)
    for stars, teacher in (
        (5, world.b.subject_teacher),
        (5, world.b.class_teacher),
        (4, world.a.class_teacher),
    ):
        Rating.objects.create(material=material, user=teacher, stars=stars)
    # Small batches: the run goes on until everything is counted.
    assert uses_count(batch=7) == 33
    assert uses_count() == 0
    material.refresh_from_db()
    assert (material.views, material.downloads, material.lesson_uses, material.homework_uses) == (20, 6, 4, 2)
    assert (material.rating_count, material.rating_sum, material.rating) == (3, 14, 4.67)
    assert material.popularity == 52.75
    today = timezone.localdate()
    rows = UsageDay.objects.filter(material=material).order_by("day")
    assert [(r.day, r.views, r.downloads, r.lesson_uses, r.homework_uses) for r in rows] == [
        (today - dt.timedelta(days=30), 10, 3, 2, 1),
        (today, 10, 3, 2, 1),
    ]
    assert not Use.objects.filter(counted=False).exists()
    # New uses of a day already counted add to its row.
    uses(material, Use.Kind.VIEW, 2)
    assert uses_count() == 2
    material.refresh_from_db()
    assert material.views == 22 and rows.last().views == 12  # type: ignore[union-attr]


def test_a_batch_another_run_counted_first_is_read_again(world: World, monkeypatch: Any) -> None:
    material = text_material(world.a.subject_teacher)
    uses(material, Use.Kind.VIEW, 3)
    real = usage._uncounted
    reads: list[int] = []

    def racing(limit: int) -> list[Any]:
        rows = real(limit)
        if not reads:
            # Another run marks (and counts) one of the rows between this run's read and its mark.
            Use.objects.filter(pk=rows[0][0]).update(counted=True)
            Material.objects.filter(pk=material.pk).update(views=1)
        reads.append(len(rows))
        return rows

    monkeypatch.setattr(usage, "_uncounted", racing)
    # The batch is given up (here its rollback takes the other run's work with it, as the test
    # has one connection) and read again: each row is counted once, not 1 + 3 views.
    assert uses_count() == 3
    assert reads == [3, 3]
    material.refresh_from_db()
    assert material.views == 3


def test_the_demo_counts_right_after_the_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    material = text_material(world.a.subject_teacher)
    with django_capture_on_commit_callbacks(execute=True):
        use_record(material.pk, Use.Kind.VIEW, world.a.student)
        use_record(material.pk, Use.Kind.DOWNLOAD, world.a.student)
    material.refresh_from_db()
    assert (material.views, material.downloads) == (1, 1)
    assert UsageDay.objects.get(material=material).views == 1


def test_the_daily_refresh_lets_old_days_decay(world: World) -> None:
    material = text_material(world.a.subject_teacher)
    UsageDay.objects.create(material=material, day=timezone.localdate(), lesson_uses=2)
    assert popularity_refresh() == 1
    material.refresh_from_db()
    assert material.popularity == 10
    UsageDay.objects.filter(material=material).update(day=timezone.localdate() - dt.timedelta(days=30))
    popularity_refresh()
    material.refresh_from_db()
    assert material.popularity == 5
    UsageDay.objects.filter(material=material).update(day=timezone.localdate() - dt.timedelta(days=400))
    popularity_refresh()
    material.refresh_from_db()
    assert material.popularity == 0
    # Materials without uses, ratings or a score are left alone.
    assert popularity_refresh() == 0


def test_the_tasks_are_scheduled(settings: Any) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"library.count_uses", "library.refresh_popularity"} <= tasks
    assert settings.CELERY_BEAT_SCHEDULE["library-count-uses"]["schedule"] == 60.0
