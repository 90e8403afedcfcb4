"""A long task's progress for the page that polls it (parta.core.progress)."""

from typing import Any

import pytest

from parta.core.progress import progress_read, progress_write


def test_progress_is_a_per_cent_that_stops_short_of_done() -> None:
    assert progress_read("parta:test:progress") == 0
    progress_write("parta:test:progress", 1, 3)
    assert progress_read("parta:test:progress") == 33
    progress_write("parta:test:progress", 3, 3)
    assert progress_read("parta:test:progress") == 99  # 100 only once the task's row says it ended
    progress_write("parta:test:progress", 0, 0)
    assert progress_read("parta:test:progress") == 0


def test_a_cache_that_is_down_loses_only_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr("django.core.cache.cache.get", down)
    monkeypatch.setattr("django.core.cache.cache.set", down)
    progress_write("parta:test:progress", 1, 2)
    assert progress_read("parta:test:progress") == 0
