"""Celery tasks of the assessment app: thin wrappers over its services."""

from __future__ import annotations

from celery import shared_task

from parta.assessment.services import attempts_close_expired


@shared_task(name="assessment.close_expired", ignore_result=True)
def assessment_close_expired() -> int:
    """Submit the attempts whose time ran out (every minute)."""
    return attempts_close_expired()
