"""Push (webhook) delivery against a real local HTTP server: the body is signed with the endpoint's
secret (HMAC-SHA256), a failure is recorded and retried, a success is recorded once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from parta.messaging import channels
from parta.messaging import notifications as n
from parta.messaging.models import Delivery, Notification
from parta.outbox import services as outbox
from parta.outbox.models import OutboxEvent
from parta.testing.world import World


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def mark_event(world: World) -> OutboxEvent:
    a = world.a
    return OutboxEvent.objects.create(
        kind="journal.mark",
        school_id=a.school.pk,
        payload={
            "mark_id": 0,
            "student_id": a.student.pk,
            "lesson_id": a.lesson.pk,
            "subject_id": a.lesson.subject_id,
            "date": "2026-09-07",
            "value": 4,
            "old_value": None,
            "weight": 1,
            "control_form_id": None,
            "change": "created",
            "actor_id": a.subject_teacher.pk,
        },
    )


def test_webhook_posts_signed_json(
    world: World, receiver: tuple[Receiver, str], django_capture_on_commit_callbacks: Any
) -> None:
    state, url = receiver
    prefs = n.set_preferences(world.a.parent, {"mark": (False, True)}, push_url=url)
    event = mark_event(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(event.pk)
    assert len(state.requests) == 1
    headers, body = state.requests[0]
    expected = "sha256=" + hmac.new(prefs.push_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-parta-signature"] == expected
    assert channels.verify(prefs.push_secret, body, headers["x-parta-signature"])
    assert not channels.verify("another secret", body, headers["x-parta-signature"])
    assert headers["content-type"].startswith("application/json")
    data = json.loads(body)
    note = Notification.objects.get(recipient=world.a.parent)
    assert data["id"] == note.pk
    assert data["kind"] == "mark"
    assert data["text"].endswith("New mark 4 in Algebra (weight 1)") or "Алгебр" in data["text"]
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == ("webhook", "sent", 1)
    # Sending again changes nothing.
    assert channels.send(delivery.pk)
    assert len(state.requests) == 1


def test_failed_webhook_is_recorded_and_retried(
    world: World, receiver: tuple[Receiver, str], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PARTA_DELIVERY_MAX_ATTEMPTS = 3
    state, url = receiver
    state.status = 500
    n.set_preferences(world.a.parent, {"mark": (False, True)}, push_url=url)
    event = mark_event(world)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver(event.pk)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        "DeliveryError: HTTP 500",
    )
    assert channels.pending_delivery_ids() == [delivery.pk]
    # The receiver comes back: the sweeper sends it.
    state.status = 204
    from parta.messaging.tasks import sweep_deliveries_task

    Notification.objects.update(created_at=delivery.notification.created_at.replace(year=2000))
    assert sweep_deliveries_task.delay().get() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(state.requests) == 2


def test_unreachable_webhook_gives_up_after_the_last_attempt(world: World, settings: Any) -> None:
    settings.PARTA_DELIVERY_MAX_ATTEMPTS = 2
    n.set_preferences(world.a.parent, {"mark": (False, True)}, push_url="http://127.0.0.1:9/closed")
    note = Notification.objects.create(recipient=world.a.parent, kind="mark", payload={})
    delivery = Delivery.objects.create(notification=note, channel="webhook")
    assert not channels.send(delivery.pk)
    assert not channels.send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.last_error.startswith("DeliveryError")
    assert channels.send(delivery.pk)  # a failed delivery is left alone
