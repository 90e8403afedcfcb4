"""Celery tasks of the diary: thin wrappers."""

from __future__ import annotations

from celery import shared_task

from parta.diary.prewarm import prewarm_week


@shared_task(name="diary.prewarm_week", ignore_result=True)
def prewarm_week_task() -> int:
    """This week's diaries, made before the morning (``parta.diary.prewarm``)."""
    return prewarm_week()
