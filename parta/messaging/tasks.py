"""Celery tasks of notifications: thin wrappers over channels.py."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import shared_task

from parta.messaging import channels

logger = logging.getLogger(__name__)

# A failed e-mail or push is tried again after 30 s, 1 min, 2 min, 4 min, 8 min; the sweeper after that.
RETRY_BASE_SECONDS = 30
MAX_RETRIES = 5


@shared_task(bind=True, name="messaging.send_delivery", max_retries=MAX_RETRIES, ignore_result=True)
def send_delivery_task(self: Any, delivery_id: int) -> bool:
    sent = channels.send(delivery_id)
    if not sent and not self.request.is_eager and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=RETRY_BASE_SECONDS * 2**self.request.retries)
    return sent


@shared_task(name="messaging.sweep_deliveries", ignore_result=True)
def sweep_deliveries_task(limit: int = 200) -> int:
    """Send the deliveries whose task was lost or whose retries ran out (they stay pending until
    PARTA_DELIVERY_MAX_ATTEMPTS failures)."""
    return sum(channels.send(pk) for pk in channels.pending_delivery_ids(limit=limit, older_than_seconds=60))


def publish_deliveries(delivery_ids: Iterable[int]) -> None:
    """Queue the sending of each delivery (in eager mode: send now). A broker that cannot be
    reached leaves them pending for ``messaging.sweep_deliveries``."""
    for delivery_id in delivery_ids:
        try:
            send_delivery_task.delay(delivery_id)
        except Exception:
            logger.warning(
                "could not queue notification delivery %s; it stays pending", delivery_id, exc_info=True
            )
