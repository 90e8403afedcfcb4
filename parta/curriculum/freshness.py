"""The curriculum's read-cache freshness rules (``parta.core.freshness``): a section's or topic's
title is shown everywhere in the city."""

from __future__ import annotations

from parta.core import freshness
from parta.curriculum.models import Section, Topic


def register() -> None:
    freshness.register(Section, freshness.of_everything)
    freshness.register(Topic, freshness.of_everything)
