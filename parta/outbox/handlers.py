"""Who acts on an event of each kind: a small registry filled from the higher apps' AppConfig.ready.

The outbox sits below every domain app and never imports one; an app that turns events into
something (messaging: notifications) registers its handlers here instead::

    @register("journal.mark")
    def notify_marks(events: Sequence[OutboxEvent]) -> None: ...

A handler gets the events of its kind in a batch, oldest first (the worker drains many at a time,
so a handler that reads what it needs for the whole batch at once costs a few queries per batch
instead of per event); a batch may hold a single event. A handler must be idempotent: the outbox
delivers at least once, so it may run twice for one event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from parta.outbox.models import OutboxEvent

Handler = Callable[[Sequence[OutboxEvent]], None]

_handlers: dict[str, list[Handler]] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: run the function for every event of ``kind`` (registering it twice changes nothing)."""

    def decorate(handler: Handler) -> Handler:
        handlers = _handlers.setdefault(kind, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    return decorate


def unregister(kind: str, handler: Handler) -> None:
    """Remove a handler (tests register throwaway ones)."""
    handlers = _handlers.get(kind, [])
    if handler in handlers:
        handlers.remove(handler)


def handlers_for(kind: str) -> list[Handler]:
    return list(_handlers.get(kind, []))


def payload_id(value: Any) -> int | None:
    """An id read from an event's payload: an int, or None for anything else (JSON has no ids)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def payload_ids(events: Iterable[OutboxEvent], key: str) -> set[int]:
    """The ids under ``key`` in a batch's payloads, for reading what the batch needs at once."""
    return {pk for event in events if (pk := payload_id(event.payload.get(key))) is not None}


def dispatch(events: Sequence[OutboxEvent]) -> int:
    """Run every handler of each kind over that kind's events (kinds in order of their first
    event; handlers in registration order); how many handler calls ran. A kind nobody handles is
    delivered as it is: there is simply no one to tell."""
    by_kind: dict[str, list[OutboxEvent]] = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
    calls = 0
    for kind, batch in by_kind.items():
        for handler in handlers_for(kind):
            handler(batch)
            calls += 1
    return calls
