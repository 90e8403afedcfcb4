"""What the passage app's reads share."""

from __future__ import annotations

from typing import Any

from parta.core.names import short_name
from parta.passage.models import PassageEvent

IN = PassageEvent.Direction.IN
OUT = PassageEvent.Direction.OUT


def person_name(row: tuple[Any, ...]) -> str:
    last, first, middle, username = row
    return short_name(last, first, middle) or username
