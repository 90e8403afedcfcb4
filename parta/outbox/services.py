"""Writing events into the outbox and delivering them: whatever tells others of a change is written
in the change's own transaction, so that nothing is lost between them.

``emit`` records an event in the writer's own transaction; after that transaction commits the
worker is woken (``wake``). With a cache all processes share (``PARTA_OUTBOX_COALESCE``, on with
REDIS_URL) writers share one wake-up: the first event since the worker last began draining
publishes ``outbox.drain``, later ones find the flag set, which costs one cache round trip instead
of a broker message and a task each (docs/performance.md). Without it every event is published
as ``outbox.deliver``. If publishing fails (the broker is down) the rows simply stay pending: the
sweeper (Celery beat, or ``manage.py outbox_deliver``) picks them up later.

Delivery runs the handlers registered in :mod:`parta.outbox.handlers` and marks the row
delivered; a drain delivers a batch of rows in one transaction (``deliver_many``). Handlers are
idempotent, so a row delivered twice makes nothing twice. With no broker configured (the laptop
demo, the tests) tasks are eager: delivery happens in-process right after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from parta.core import rows
from parta.outbox.handlers import dispatch
from parta.outbox.models import OutboxEvent

logger = logging.getLogger(__name__)

# An event that failed this many times is left for a person to look at (admin) instead of being retried.
MAX_ATTEMPTS = int(getattr(settings, "PARTA_OUTBOX_MAX_ATTEMPTS", 20))
# The longest error text kept on the row.
_ERROR_CHARS = 2000
# The shared wake-up flag: set by the first writer after a drain began, cleared by the next drain.
WAKE_KEY = "outbox:wake"
# If a drain task is lost with the flag set, writers publish again after this (the sweeper runs meanwhile).
WAKE_SECONDS = 60
# Events a drain reads at a time.
DRAIN_BATCH = 200
# A drain starts this long after the write that woke it, so that the writes of that moment share it:
# a drain's own cost (the task, its two reads, a transaction) was most of the worker's time per
# mark when drains ran one event each. Notifications are that much later.
DRAIN_DELAY_SECONDS = 0.25


def emit(kind: str, payload: dict[str, Any], *, school_id: int | None) -> OutboxEvent:
    """Record an event in the caller's transaction; it is delivered after commit."""
    event = new_event(kind, payload, school_id=school_id)
    rows.insert(event)
    emitted(event)
    return event


def new_event(kind: str, payload: dict[str, Any], *, school_id: int | None) -> OutboxEvent:
    """An event not yet written: for a caller that writes it together with its change
    (``rows.insert_together``), then calls :func:`emitted`."""
    return OutboxEvent(kind=kind, payload=payload, school_id=school_id)


def emitted(event: OutboxEvent) -> None:
    """For an event the caller wrote itself, in the same statement or transaction as the change it
    tells of (``rows.insert_together``): wake the worker once that commits."""
    transaction.on_commit(lambda: wake(event.id), robust=True)


def _coalescing() -> bool:
    from parta.outbox.tasks import drain_task

    # Eager tasks (no broker: the demo, the tests) deliver each event in-process right away.
    return (
        bool(getattr(settings, "PARTA_OUTBOX_COALESCE", False)) and not drain_task.app.conf.task_always_eager
    )


def wake(event_id: int) -> bool:
    """After the commit that wrote the event: get the worker to deliver it. False, with a log line,
    when nothing could be published; the event stays pending for the sweeper.

    Coalescing is exact: a drain clears the flag *before* it reads the pending events, and a writer
    sets it *after* its commit. So either the writer found the flag set by a drain that has not yet
    cleared it (that drain will read the event) or it set the flag itself and publishes a drain."""
    if not _coalescing():
        return publish(event_id)
    try:
        first = cache.add(WAKE_KEY, event_id, timeout=WAKE_SECONDS)
    except Exception:
        logger.warning("outbox: the cache is unreachable; publishing event %s alone", event_id, exc_info=True)
        return publish(event_id)
    if not first:
        return True
    if not _ask_for_drain():
        logger.warning("outbox: could not publish event %s; it stays pending", event_id)
        # The next writer tries again instead of waiting for the flag to expire.
        _clear_wake()
        return False
    return True


def _ask_for_drain() -> bool:
    """Publish a drain (``outbox.drain``); False, with a log line, when the broker cannot be reached."""
    from parta.outbox.tasks import drain_task

    try:
        drain_task.apply_async(countdown=DRAIN_DELAY_SECONDS)
    except Exception:
        logger.warning("outbox: could not publish a drain", exc_info=True)
        return False
    return True


def _clear_wake() -> None:
    try:
        cache.delete(WAKE_KEY)
    except Exception:
        logger.warning("outbox: could not clear the wake-up flag", exc_info=True)


def publish(event_id: int) -> bool:
    """Hand the event to the worker (``outbox.deliver``); in eager mode it is delivered here and now.
    False, with a log line, when the broker cannot be reached: the row stays pending for the sweeper."""
    from parta.outbox.tasks import deliver_task

    try:
        deliver_task.delay(event_id)
    except Exception:
        logger.warning("outbox: could not publish event %s; it stays pending", event_id, exc_info=True)
        return False
    return True


def _locked(queryset: Any) -> Any:
    # PostgreSQL: skip a row another worker is delivering right now. SQLite has no row locks
    # (its IMMEDIATE transactions already serialise writers), and select_for_update is a no-op there.
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset.select_for_update()


def deliver(event_id: int) -> bool:
    """Deliver one event: run its handlers and mark it delivered. True when it is delivered (now or
    before, or it no longer exists); False when a handler failed — the error is recorded on the row
    and it stays pending — or another worker holds it right now."""
    return not deliver_many([event_id])[1]


def deliver_many(event_ids: Sequence[int]) -> tuple[int, list[int]]:
    """Deliver events in one transaction, the handlers of each kind running once over that kind's
    events: how many were delivered now, and the ids that were not (a handler failed on them —
    the error is recorded on the row — or another worker holds them). Ids already delivered or
    gone count as neither. A handler that fails on the batch is run again event by event, each
    in its own savepoint, so one bad event does not hold back the rest."""
    with transaction.atomic():
        rows = OutboxEvent.objects.filter(pk__in=event_ids, delivered_at__isnull=True).order_by("id")
        events: list[OutboxEvent] = list(_locked(rows))
        held = set(event_ids) - {event.pk for event in events}
        # Locked by another worker (which will deliver them), as opposed to delivered or gone.
        failed = list(rows.filter(pk__in=held).values_list("id", flat=True)) if held else []
        if not events:
            return 0, failed
        try:
            with transaction.atomic():
                dispatch(events)
            done = events
        except Exception as error:
            if len(events) == 1:
                _record_failure(events[0], error)
                return 0, [*failed, events[0].pk]
            done = []
            for event in events:
                try:
                    with transaction.atomic():
                        dispatch([event])
                except Exception as error:
                    _record_failure(event, error)
                    failed.append(event.pk)
                else:
                    done.append(event)
        OutboxEvent.objects.filter(pk__in=[event.pk for event in done]).update(
            delivered_at=timezone.now(), last_error="", attempts=F("attempts") + 1
        )
        return len(done), failed


def _record_failure(event: OutboxEvent, error: Exception) -> None:
    logger.error("outbox: event %s (%s) failed", event.id, event.kind, exc_info=error)
    event.attempts += 1
    event.last_error = f"{type(error).__name__}: {error}"[:_ERROR_CHARS]
    event.save(update_fields=["attempts", "last_error"])


def pending_ids(
    *,
    limit: int = 100,
    older_than: dt.timedelta | None = None,
    after_id: int = 0,
    up_to: int | None = None,
) -> list[int]:
    """The ids of undelivered events, oldest first, at most ``limit`` (past ``after_id``, to page
    on, and not past ``up_to``); an event that failed MAX_ATTEMPTS times is left out.
    ``older_than`` spares events just written, whose own publish is probably still on its way.
    One query on the partial index."""
    rows = OutboxEvent.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS, id__gt=after_id)
    if up_to is not None:
        rows = rows.filter(id__lte=up_to)
    if older_than is not None:
        rows = rows.filter(created_at__lte=timezone.now() - older_than)
    return list(rows.order_by("id").values_list("id", flat=True)[:limit])


def drain(*, batch: int = DRAIN_BATCH) -> tuple[int, list[int]]:
    """Deliver the pending events, oldest first (what ``wake`` asks the worker for): how many were
    delivered, and the ids that were not (a handler failed, or another worker holds them).

    The flag is cleared first, so every event committed from then on wakes another drain; this one
    stops at the newest event already committed, so under a steady stream of writes it still ends
    and the worker's other tasks get their turn."""
    _clear_wake()
    newest = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    delivered, failed = 0, []
    after_id = 0
    while ids := pending_ids(limit=batch, after_id=after_id, up_to=newest):
        done, not_done = deliver_many(ids)
        delivered += done
        failed += not_done
        after_id = ids[-1]
    return delivered, failed


def sweep(*, limit: int = 100, older_than: dt.timedelta | None = None) -> int:
    """Deliver the pending events, oldest first, at most ``limit`` of them; how many were delivered.

    When more are waiting than a sweep takes, it asks for a drain, which delivers them all in
    batches: the drains writers asked for were lost (Redis came back empty after the burst that
    wrote them) and no write has asked since. A sweep's ``limit`` every half minute would take
    hours over a morning's backlog."""
    ids = pending_ids(limit=limit + 1, older_than=older_than)
    delivered = deliver_many(ids[:limit])[0] if ids else 0
    if len(ids) > limit:
        _ask_for_drain()
    return delivered
