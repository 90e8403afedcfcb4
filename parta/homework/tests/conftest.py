from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from parta.testing import factories as f
from parta.testing.world import MONDAY, World
from parta.timetable.models import Lesson


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def next_algebra(world: World, days: int = 2, number: int = 1, **kwargs: Any) -> Lesson:
    """Another lesson of school A's algebra assignment (7А, the subject teacher), ``days`` after Monday."""
    return f.LessonFactory.create(
        assignment=world.a.assignment, date=MONDAY + dt.timedelta(days=days), number=number, **kwargs
    )
