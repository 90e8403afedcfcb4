"""The back office lists outbox events read-only and can deliver a stuck one."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from parta.outbox.models import OutboxEvent
from parta.outbox.tests.conftest import KIND
from parta.testing.factories import UserFactory


def test_a_superuser_sees_pending_events_and_delivers_them(db: None, client: Any, seen: list[int]) -> None:
    event = OutboxEvent.objects.create(kind=KIND, payload={}, school_id=None)
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    listing = client.get(reverse("admin:outbox_outboxevent_changelist"))
    assert listing.status_code == 200
    assert KIND in listing.content.decode()
    response = client.post(
        reverse("admin:outbox_outboxevent_changelist"),
        {"action": "deliver_now", "_selected_action": [event.pk]},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert seen == [event.pk]


def test_events_cannot_be_added_or_edited_by_hand(db: None, client: Any) -> None:
    event = OutboxEvent.objects.create(kind=KIND, payload={}, school_id=None)
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:outbox_outboxevent_add")).status_code == 403
    response = client.post(reverse("admin:outbox_outboxevent_change", args=[event.pk]), {"kind": "x"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.kind == KIND
