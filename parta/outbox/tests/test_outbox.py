"""The outbox: emit → publish after commit → deliver once; failures recorded; the sweeper and the command."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.core.management import call_command
from django.db import connection, connections, transaction

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


def test_sweep_goes_oldest_first_within_its_batch(
    db: None, seen: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [OutboxEvent.objects.create(kind=KIND, payload={"n": n}) for n in range(3)]
    asked: list[bool] = []

    def ask() -> bool:
        asked.append(True)
        return True

    monkeypatch.setattr(services, "_ask_for_drain", ask)
    assert services.sweep(limit=3) == 3
    assert seen == [e.pk for e in events] and services.pending_ids() == []
    assert not asked  # nothing more was waiting


def test_a_sweep_that_finds_more_than_it_takes_asks_for_a_drain(db: None, seen: list[int]) -> None:
    """After Redis came back empty, the drains the writers asked for are gone: the sweep's batch
    every half minute would take hours over a morning's backlog, so it asks for a drain."""
    events = [OutboxEvent.objects.create(kind=KIND, payload={"n": n}) for n in range(7)]
    assert services.sweep(limit=3) == 3
    # The tests run tasks eagerly: the drain it asked for has delivered the rest, oldest first.
    assert seen == [e.pk for e in events] and services.pending_ids() == []


def test_a_sweep_whose_drain_cannot_be_published_leaves_the_rest_for_the_next(
    db: None, seen: list[int], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from parta.outbox import tasks

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.drain_task, "apply_async", down)
    events = [OutboxEvent.objects.create(kind=KIND, payload={"n": n}) for n in range(5)]
    assert services.sweep(limit=3) == 3
    assert services.pending_ids() == [e.pk for e in events[3:]]
    assert "could not publish a drain" in caplog.text


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
    def handler(events: Sequence[OutboxEvent]) -> None:
        return None

    handlers.register("test.twice")(handler)
    handlers.register("test.twice")(handler)
    assert handlers.handlers_for("test.twice") == [handler]
    handlers.unregister("test.twice", handler)
    assert handlers.handlers_for("test.twice") == []


def test_messaging_handlers_are_registered() -> None:
    for kind in ("journal.mark", "journal.attendance", "homework.set", "messaging.message"):
        assert handlers.handlers_for(kind), kind


# --- one wake-up for many writers (PARTA_OUTBOX_COALESCE, with a broker) ------------------


@pytest.fixture
def drains(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Coalescing on, as with a real broker; the published drains are counted instead of run."""
    from parta.outbox import tasks

    settings.PARTA_OUTBOX_COALESCE = True
    conf = tasks.drain_task.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    django_cache.delete(services.WAKE_KEY)
    published: list[int] = []
    monkeypatch.setattr(
        tasks.drain_task,
        "apply_async",
        lambda countdown: published.append(1) if countdown == services.DRAIN_DELAY_SECONDS else None,
    )
    monkeypatch.setattr(tasks.deliver_task, "delay", lambda *a: pytest.fail("published an event alone"))
    yield published
    conf.task_always_eager = eager
    django_cache.delete(services.WAKE_KEY)


def _emit_committed(n: int, capture: Any) -> list[OutboxEvent]:
    events = []
    for i in range(n):
        with capture(execute=True), transaction.atomic():
            events.append(services.emit(KIND, {"n": i}, school_id=None))
    return events


def _write_after(monkeypatch: Any, name: str, capture: Any, *, every_call: bool) -> list[OutboxEvent]:
    """A writer commits an event right after each call of ``services.<name>`` during a drain (only
    the first call unless ``every_call``); the events it wrote."""
    written: list[OutboxEvent] = []
    real = getattr(services, name)

    def then_a_write(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if every_call or not written:
            written.extend(_emit_committed(1, capture))
        return result

    monkeypatch.setattr(services, name, then_a_write)
    return written


def test_writers_share_one_drain_until_it_starts(
    db: None, seen: list[int], drains: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    events = _emit_committed(3, django_capture_on_commit_callbacks)
    assert drains == [1]  # one broker message for three events
    assert seen == []
    assert services.drain() == (3, [])
    assert seen == [e.pk for e in events]
    # The drain cleared the flag: the next event wakes a new one.
    later = _emit_committed(1, django_capture_on_commit_callbacks)
    assert drains == [1, 1]
    assert services.drain() == (1, [])
    assert seen[-1] == later[0].pk


def test_an_event_committed_while_a_drain_runs_is_not_stranded(
    db: None, seen: list[int], drains: list[int], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    first = _emit_committed(1, django_capture_on_commit_callbacks)
    # A writer commits just after the drain read the pending events.
    racing = _write_after(monkeypatch, "pending_ids", django_capture_on_commit_callbacks, every_call=False)
    services.drain()
    monkeypatch.undo()
    # Either this drain delivered it, or its writer published another drain.
    assert racing[0].pk in seen or drains == [1, 1]
    services.drain()
    assert sorted(seen) == sorted([first[0].pk, racing[0].pk])


def test_a_drain_ends_at_the_newest_event_it_found_and_leaves_later_ones_to_the_next(
    db: None, seen: list[int], drains: list[int], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    """Under a steady stream of writes a drain still ends; what came after it started woke another."""
    first = _emit_committed(2, django_capture_on_commit_callbacks)
    later = _write_after(monkeypatch, "deliver_many", django_capture_on_commit_callbacks, every_call=True)
    assert services.drain(batch=1) == (2, [])
    monkeypatch.undo()
    assert seen == [e.pk for e in first]
    assert len(later) == 2 and drains == [1, 1]  # the first later write woke the next drain
    assert services.drain() == (2, [])
    assert seen[2:] == [e.pk for e in later]


def test_drain_reports_failures_and_delivers_the_rest(db: None, seen: list[int], drains: list[int]) -> None:
    events = [OutboxEvent.objects.create(kind=KIND, payload={"fail": n == 1}) for n in range(4)]
    delivered, failed = services.drain(batch=2)
    assert (delivered, failed) == (3, [events[1].pk])
    assert services.pending_ids() == [events[1].pk]


def test_a_batch_runs_each_kind_s_handler_once_over_its_events(db: None) -> None:
    batches: list[list[int]] = []

    def handler(events: Sequence[OutboxEvent]) -> None:
        batches.append([e.pk for e in events])

    handlers.register("test.batch")(handler)
    try:
        marks = [OutboxEvent.objects.create(kind="test.batch", payload={}) for _ in range(3)]
        other = OutboxEvent.objects.create(kind="test.nobody", payload={})
        assert services.deliver_many([e.pk for e in [*marks, other]]) == (4, [])
    finally:
        handlers.unregister("test.batch", handler)
    assert batches == [[e.pk for e in marks]]
    assert set(OutboxEvent.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    # Delivered already: neither delivered again nor failed.
    assert services.deliver_many([marks[0].pk]) == (0, [])


def test_a_failing_event_does_not_hold_back_its_batch(db: None, seen: list[int]) -> None:
    events = [OutboxEvent.objects.create(kind=KIND, payload={"fail": n == 1}) for n in range(3)]
    assert services.deliver_many([e.pk for e in events]) == (2, [events[1].pk])
    by_id = {e.pk: e for e in OutboxEvent.objects.all()}
    bad = by_id[events[1].pk]
    assert (bad.delivered_at, bad.attempts, bad.last_error) == (None, 1, "RuntimeError: handler broke")
    for good in (by_id[events[0].pk], by_id[events[2].pk]):
        assert good.delivered_at is not None and good.attempts == 1 and good.last_error == ""


def test_drain_task_retries_a_failed_event_on_its_own(
    db: None, seen: list[int], drains: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from parta.outbox import tasks

    event = OutboxEvent.objects.create(kind=KIND, payload={"fail": True})
    retried: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.deliver_task, "apply_async", lambda args, countdown: retried.append((args, countdown))
    )
    assert tasks.drain_task.run() == 0
    assert retried == [((event.pk,), tasks.RETRY_BASE_SECONDS)]


@pytest.mark.usefixtures("db")
def test_broker_down_clears_the_flag_so_the_next_writer_tries_again(
    seen: list[int],
    drains: list[int],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from parta.outbox import tasks

    def down(countdown: float) -> None:
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.drain_task, "apply_async", down)
    (event,) = _emit_committed(1, django_capture_on_commit_callbacks)
    assert "could not publish" in caplog.text
    event.refresh_from_db()
    assert event.delivered_at is None
    monkeypatch.setattr(tasks.drain_task, "apply_async", lambda countdown: drains.append(1))
    _emit_committed(1, django_capture_on_commit_callbacks)
    assert drains == [1]
    assert services.drain() == (2, [])


def test_cache_down_publishes_each_event_alone(
    db: None,
    seen: list[int],
    drains: list[int],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from parta.outbox import tasks

    def down(*args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("cache down")

    published: list[int] = []
    monkeypatch.setattr(django_cache, "add", down)
    monkeypatch.setattr(tasks.deliver_task, "delay", published.append)
    (event,) = _emit_committed(1, django_capture_on_commit_callbacks)
    assert published == [event.pk]
    assert drains == []


@pytest.mark.usefixtures("db")
def test_the_wake_up_flag_expires_so_a_lost_drain_is_not_waited_for(
    drains: list[int], monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """The shared flag is set with its expiry (WAKE_SECONDS): were the drain it announced lost,
    writers publish again after that instead of never."""
    timeouts: list[Any] = []
    real_add = django_cache.add

    def add(key: str, value: Any, timeout: Any = "unset", **kwargs: Any) -> bool:
        timeouts.append(timeout)
        return bool(real_add(key, value, timeout=1 if timeout == "unset" else timeout))

    monkeypatch.setattr(django_cache, "add", add)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.emit(KIND, {}, school_id=None)
    assert timeouts == [services.WAKE_SECONDS] and drains == [1]


def test_an_event_gone_counts_as_delivered_and_nothing_else(db: None, seen: list[int]) -> None:
    assert services.deliver_many([987654]) == (0, [])
    assert services.deliver(987654)


@pytest.mark.django_db(transaction=True)
def test_an_event_another_worker_holds_is_left_to_it(seen: list[int]) -> None:
    """PostgreSQL: a row locked by another worker's delivery is skipped, reported as not delivered
    here, and stays pending; the rest of the batch is delivered."""
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("row locks are PostgreSQL's")
    held, free = (OutboxEvent.objects.create(kind=KIND, payload={}) for _ in range(2))
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        with transaction.atomic():
            OutboxEvent.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert services.deliver_many([held.pk, free.pk]) == (1, [held.pk])
    finally:
        release.set()
        thread.join()
    assert seen == [free.pk]
    assert services.pending_ids() == [held.pk]
