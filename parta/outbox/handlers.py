"""Who acts on an event of each kind: a small registry filled from the higher apps' AppConfig.ready.

The outbox sits below every domain app and never imports one; an app that turns events into
something (messaging: notifications) registers its handlers here instead::

    @register("journal.mark")
    def notify_mark(event: OutboxEvent) -> None: ...

A handler must be idempotent: the outbox delivers at least once, so it may run twice for one event.
"""

from __future__ import annotations

from collections.abc import Callable

from parta.outbox.models import OutboxEvent

Handler = Callable[[OutboxEvent], None]

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


def dispatch(event: OutboxEvent) -> int:
    """Run every handler of the event's kind, in registration order; how many ran. A kind
    nobody handles is delivered as it is: there is simply no one to tell."""
    handlers = handlers_for(event.kind)
    for handler in handlers:
        handler(event)
    return len(handlers)
