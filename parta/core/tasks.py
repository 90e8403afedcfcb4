"""Celery tasks of the platform's bookkeeping: thin wrappers."""

from __future__ import annotations

from celery import shared_task

from parta.core.idempotency import purge_expired


@shared_task(name="core.idempotency_purge", ignore_result=True)
def idempotency_purge_task() -> int:
    """Delete the expired Idempotency-Key rows."""
    return purge_expired()
