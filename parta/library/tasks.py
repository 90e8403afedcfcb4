"""Celery tasks of the library: thin wrappers over its services."""

from __future__ import annotations

from celery import shared_task

from parta.library.services import usage
from parta.library.services.imports import import_run_execute


@shared_task(name="library.count_uses", ignore_result=True)
def library_count_uses() -> int:
    """Count the uses appended since the last run into the materials' figures (every minute)."""
    return usage.uses_count()


@shared_task(name="library.refresh_popularity", ignore_result=True)
def library_refresh_popularity(material_ids: list[int] | None = None) -> int:
    """Ratings and popularity again: of the materials given (a rating changed), or of all that
    have a score (once a day, as the days' weights decay)."""
    return usage.popularity_refresh(material_ids)


@shared_task(name="library.import_run", ignore_result=True)
def import_run_task(run_id: int) -> None:
    import_run_execute(run_id)
