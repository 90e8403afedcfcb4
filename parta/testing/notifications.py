"""Test support for notification handlers: deliver one outbox event as the worker does, and see
who was told."""

from __future__ import annotations

from typing import Any

from parta.messaging.models import Notification
from parta.outbox import services as outbox
from parta.outbox.models import OutboxEvent


def deliver(kind: str, payload: dict[str, Any], school_id: int | None, capture: Any) -> OutboxEvent:
    """Write an event and deliver it, running the callbacks after commit (``capture`` is the
    ``django_capture_on_commit_callbacks`` fixture)."""
    event = OutboxEvent.objects.create(kind=kind, payload=payload, school_id=school_id)
    with capture(execute=True):
        assert outbox.deliver(event.pk)
    return event


def recipients(event: OutboxEvent) -> set[int]:
    return set(Notification.objects.filter(event_id=event.pk).values_list("recipient_id", flat=True))
