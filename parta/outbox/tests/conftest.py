"""A test handler registered for the duration of a test; it records the events it saw."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from parta.outbox import handlers
from parta.outbox.models import OutboxEvent

KIND = "test.outbox"


@pytest.fixture
def seen() -> Iterator[list[int]]:
    calls: list[int] = []

    def handler(events: Sequence[OutboxEvent]) -> None:
        for event in events:
            calls.append(event.pk)
            if event.payload.get("fail"):
                raise RuntimeError("handler broke")

    handlers.register(KIND)(handler)
    yield calls
    handlers.unregister(KIND, handler)
