"""The outbox: emit → publish after commit → deliver once; failures recorded; the sweeper and the command."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from parta.outbox import handlers, services
from parta.outbox.models import OutboxEvent
from parta.outbox.tests.conftest import KIND


def test_emit_delivers_after_commit_in_eager_mode(
    db: None, seen: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = services.emit(KIND, {"a": 1}, school_id=None)
        assert seen == []  # not before the commit
    assert len(callbacks) == 1
    event.refresh_from_db()
    assert seen == [event.pk]
    assert event.delivered_at is not None
    assert event.attempts == 1
    assert event.last_error == ""


def test_rolled_back_event_is_never_published(
    db: None, seen: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        services.emit(KIND, {}, school_id=None)
        raise ValueError
    assert callbacks == []
    assert seen == []
    assert not OutboxEvent.objects.exists()


def test_deliver_twice_runs_handlers_once(db: None, seen: list[int]) -> None:
    event = OutboxEvent.objects.create(kind=KIND, payload={})
    assert services.deliver(event.pk)
    assert services.deliver(event.pk)
    assert seen == [event.pk]
    event.refresh_from_db()
    assert event.attempts == 1


def test_failing_handler_leaves_the_event_pending_with_the_error(db: None, seen: list[int]) -> None:
    event = OutboxEvent.objects.create(kind=KIND, payload={"fail": True})
    assert not services.deliver(event.pk)
    assert not services.deliver(event.pk)
    event.refresh_from_db()
    assert event.delivered_at is None
    assert event.attempts == 2
    assert "RuntimeError: handler broke" in event.last_error
    assert services.pending_ids() == [event.pk]


def test_unknown_kind_is_delivered_with_no_one_to_tell(db: None) -> None:
    event = OutboxEvent.objects.create(kind="nobody.listens", payload={})
    assert services.deliver(event.pk)
    event.refresh_from_db()
    assert event.delivered_at is not None


def test_broker_down_leaves_the_row_pending(
    db: None,
    seen: list[int],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from parta.outbox import tasks

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.deliver_task, "delay", down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = services.emit(KIND, {}, school_id=None)
    event.refresh_from_db()
    assert event.delivered_at is None
    assert seen == []
    assert "could not publish" in caplog.text
    monkeypatch.undo()
    assert services.sweep() == 1
    assert seen == [event.pk]


def test_sweep_goes_oldest_first_within_its_batch(db: None, seen: list[int]) -> None:
    events = [OutboxEvent.objects.create(kind=KIND, payload={"n": n}) for n in range(5)]
    assert services.sweep(limit=3) == 3
    assert seen == [e.pk for e in events[:3]]
    assert services.pending_ids() == [e.pk for e in events[3:]]


def test_sweep_leaves_events_that_failed_too_often(db: None, seen: list[int]) -> None:
    event = OutboxEvent.objects.create(kind=KIND, payload={}, attempts=services.MAX_ATTEMPTS)
    assert services.pending_ids() == []
    assert services.sweep() == 0
    assert seen == []
    assert services.deliver(event.pk)  # a person can still deliver it by hand


def test_command_delivers_everything_pending_in_batches(db: None, seen: list[int]) -> None:
    events = [OutboxEvent.objects.create(kind=KIND, payload={"fail": n == 1}) for n in range(5)]
    out = StringIO()
    call_command("outbox_deliver", "--batch", "2", stdout=out)
    assert "4 event(s) delivered, 1 failed" in out.getvalue()
    assert sorted(seen) == sorted(e.pk for e in events)
    assert services.pending_ids() == [events[1].pk]


def test_command_publish_hands_events_to_the_worker(db: None, seen: list[int]) -> None:
    event = OutboxEvent.objects.create(kind=KIND, payload={})
    out = StringIO()
    call_command("outbox_deliver", "--publish", stdout=out)  # eager: the "worker" is this process
    assert "1 event(s) published" in out.getvalue()
    event.refresh_from_db()
    assert event.delivered_at is not None


def test_sweep_task_delivers(db: None, seen: list[int]) -> None:
    from parta.outbox.tasks import sweep_task

    OutboxEvent.objects.filter().delete()
    event = OutboxEvent.objects.create(kind=KIND, payload={})
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=event.created_at.replace(year=2000))
    assert sweep_task.delay().get() == 1
    assert seen == [event.pk]


def test_register_is_idempotent() -> None:
    def handler(event: OutboxEvent) -> None:
        return None

    handlers.register("test.twice")(handler)
    handlers.register("test.twice")(handler)
    assert handlers.handlers_for("test.twice") == [handler]
    handlers.unregister("test.twice", handler)
    assert handlers.handlers_for("test.twice") == []


def test_messaging_handlers_are_registered() -> None:
    for kind in ("journal.mark", "journal.attendance", "homework.set", "messaging.message"):
        assert handlers.handlers_for(kind), kind
