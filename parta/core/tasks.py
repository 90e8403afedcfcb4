"""Celery tasks of the platform: thin wrappers."""

from __future__ import annotations

from celery import shared_task

from parta.core import versions
from parta.core.idempotency import purge_expired


@shared_task(name="core.renew_version_tokens", ignore_result=True)
def renew_version_tokens_task() -> int:
    """Renew the version tokens that writes could not (belt and braces: every new cache connection
    does it too)."""
    return versions.renew_recorded()


@shared_task(name="core.idempotency_purge", ignore_result=True)
def idempotency_purge_task() -> int:
    """Delete the expired Idempotency-Key rows."""
    return purge_expired()
