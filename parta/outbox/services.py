"""Writing events into the outbox. The event is published only after the writer's
transaction commits; a row whose publishing failed is picked up again by the sweeper."""

from typing import Any

from django.db import transaction

from parta.outbox.models import OutboxEvent


def emit(kind: str, payload: dict[str, Any], *, school_id: int | None) -> OutboxEvent:
    """Record an event in the caller's transaction; it is delivered after commit."""
    event = OutboxEvent.objects.create(kind=kind, payload=payload, school_id=school_id)
    transaction.on_commit(lambda: _publish(event.id))
    return event


def _publish(event_id: int) -> None:
    # Replaced by the dispatcher (Celery task) in parta/outbox/tasks.py.
    return None
