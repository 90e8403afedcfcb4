"""Celery tasks of the outbox: thin wrappers over services.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from parta.outbox import services

# A failed delivery is retried after 10 s, 20 s, 40 s, …; after that the sweeper keeps trying.
RETRY_BASE_SECONDS = 10
MAX_RETRIES = 5
# The sweeper leaves events younger than this to their own publish.
SWEEP_GRACE = dt.timedelta(seconds=5)


@shared_task(bind=True, name="outbox.deliver", max_retries=MAX_RETRIES, ignore_result=True)
def deliver_task(self: Any, event_id: int) -> bool:
    delivered = services.deliver(event_id)
    if not delivered and not self.request.is_eager:
        # Eager (in-process) mode does not wait in the request: the sweeper retries instead.
        countdown = RETRY_BASE_SECONDS * 2**self.request.retries
        if self.request.retries < MAX_RETRIES:
            raise self.retry(countdown=countdown)
    return delivered


@shared_task(name="outbox.drain", ignore_result=True)
def drain_task() -> int:
    """Deliver all pending events (``services.wake``); a failed one is retried on its own, with backoff."""
    delivered, failed = services.drain()
    for event_id in failed:
        deliver_task.apply_async((event_id,), countdown=RETRY_BASE_SECONDS)
    return delivered


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep_task(limit: int = 200) -> int:
    """Deliver events whose publishing failed (the broker was down) or whose retries ran out."""
    return services.sweep(limit=limit, older_than=SWEEP_GRACE)
