"""Rules of the outbox's services, read from the code for issue 17's mutation run while the machine
was busy (docs/decisions/0008-test-blind-spots.md). The run then showed the suite already killed
the mutants these aim at; they stay as the rules' statement, not as closed survivors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from parta.outbox import services
from parta.outbox.models import OutboxEvent
from parta.outbox.tests.conftest import KIND


def test_an_event_keeps_its_kind_payload_and_school(db: None, seen: list[int]) -> None:
    """The school an event is emitted for is stored on its row (the admin filters by it)."""
    with transaction.atomic():
        event = services.emit(KIND, {"a": 1}, school_id=7)
    event = OutboxEvent.objects.get(pk=event.pk)
    assert (event.kind, event.payload, event.school_id) == (KIND, {"a": 1}, 7)


def test_the_first_event_of_a_database_is_swept_and_drained(db: None, seen: list[int]) -> None:
    """Paging starts before id 1: the very first event a database holds is not skipped."""
    OutboxEvent.objects.all().delete()
    OutboxEvent.objects.create(pk=1, kind=KIND, payload={})
    assert services.pending_ids() == [1]
    assert services.drain() == (1, [])
    assert seen == [1]


def test_the_sweeper_spares_only_the_events_just_written(db: None, seen: list[int]) -> None:
    """``older_than`` leaves out events younger than it, and only those."""
    old, new = (OutboxEvent.objects.create(kind=KIND, payload={}) for _ in range(2))
    OutboxEvent.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(minutes=5))
    assert services.pending_ids(older_than=dt.timedelta(minutes=1)) == [old.pk]
    assert services.pending_ids() == [old.pk, new.pk]


def test_a_failing_event_alone_is_tried_once_per_delivery(db: None, seen: list[int]) -> None:
    """A batch of one that fails is not run a second time on its own."""
    event = OutboxEvent.objects.create(kind=KIND, payload={"fail": True})
    assert services.deliver_many([event.pk]) == (0, [event.pk])
    assert seen == [event.pk]


def test_a_long_error_is_kept_to_its_limit(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The error text kept on the row is cut at 2,000 characters, no fewer."""

    def handler(events: Any) -> None:
        raise RuntimeError("x" * 5000)

    monkeypatch.setattr(services, "dispatch", handler)
    event = OutboxEvent.objects.create(kind=KIND, payload={})
    assert not services.deliver(event.pk)
    event.refresh_from_db()
    assert len(event.last_error) == 2000
    assert event.last_error.startswith("RuntimeError: xxx")


def test_the_sweeper_leaves_an_event_just_written_to_its_own_publish(db: None, seen: list[int]) -> None:
    """``sweep(older_than=…)`` does not deliver an event younger than the grace."""
    OutboxEvent.objects.create(kind=KIND, payload={})
    assert services.sweep(older_than=dt.timedelta(minutes=1)) == 0
    assert seen == []


def test_a_delivered_event_drops_the_error_of_an_earlier_attempt(db: None, seen: list[int]) -> None:
    """Once delivered, the row no longer shows the error of the attempt that failed before."""
    event = OutboxEvent.objects.create(kind=KIND, payload={"fail": True})
    assert not services.deliver(event.pk)
    OutboxEvent.objects.filter(pk=event.pk).update(payload={})
    assert services.deliver(event.pk)
    event.refresh_from_db()
    assert (event.last_error, event.attempts) == ("", 2)
