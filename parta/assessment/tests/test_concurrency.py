"""Two tabs starting one test at the same moment get one attempt."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from parta.assessment import definition, services
from parta.assessment.access import access_own_attempt
from parta.assessment.models import Answer, Attempt, Statement, Verb
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


@pytest.mark.django_db(transaction=True)
def test_a_save_that_meets_a_submit_meanwhile_is_refused_and_writes_nothing(
    world: World, quiz: Material, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL saves without holding the attempt's lock across round trips: the attempt is read,
    then one statement writes the answer if the attempt still takes answers. Here the student's
    other tab submits between the two; the save is refused as any save after a submit is."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement save is PostgreSQL's")
    attempt = services.attempt_start(world.a.student, quiz.pk).attempt
    read = access_own_attempt

    def read_then_submit_elsewhere(*args: Any, **kwargs: Any) -> Attempt:
        found = read(*args, **kwargs)
        if not kwargs.get("lock"):
            thread = threading.Thread(target=submit)
            thread.start()
            thread.join()
        return found

    def submit() -> None:
        try:
            services.attempt_submit(world.a.student, attempt.pk)
        finally:
            connections.close_all()

    monkeypatch.setattr(services, "access_own_attempt", read_then_submit_elsewhere)
    with pytest.raises(services.Refused):
        services.answer_save(world.a.student, attempt.pk, "q1", {"option": "a"})
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert not Statement.objects.filter(attempt=attempt, verb=Verb.ANSWERED).exists()
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.SUBMITTED
