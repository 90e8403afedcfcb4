"""Two tabs starting one test at the same moment get one attempt."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from parta.assessment import definition, services
from parta.assessment.models import Attempt, Statement
from parta.library.models import Material
from parta.testing.world import World


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_make_one_attempt(
    world: World, quiz: Material, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both find no attempt in progress and both insert: the second waits on the unique index,
    fails once the first commits, and resumes the first's attempt."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections that wait on each other: PostgreSQL (SQLite serialises writers)")
    both_looked = threading.Barrier(2, timeout=10)
    draw = definition.draw

    def draw_then_wait(*args: Any) -> definition.Drawn:
        drawn = draw(*args)
        both_looked.wait()
        return drawn

    monkeypatch.setattr(definition, "draw", draw_then_wait)
    started: list[services.Started] = []

    def start() -> None:
        try:
            started.append(services.attempt_start(world.a.student, quiz.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == 2
    assert started[0].attempt.pk == started[1].attempt.pk
    assert sorted(s.created for s in started) == [False, True]
    assert Attempt.objects.count() == 1
    assert Statement.objects.count() == 1
