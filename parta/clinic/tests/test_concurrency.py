"""A clinic's system that retries before its first request is answered: two identical notes at
once make one note, marked once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from parta.clinic import services
from parta.clinic.models import SickNote, SickNoteChange, SickNoteLesson
from parta.clinic.tests.conftest import build_clinic
from parta.journal.models import Attendance, JournalChange
from parta.testing.world import World


@pytest.mark.django_db(transaction=True)
def test_two_identical_notes_at_once_make_one(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both find no note and both insert one: the second waits on the unique index until the
    first commits, fails, reads the first's note and answers as a repeat of it."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections that wait on each other: PostgreSQL (SQLite serialises writers)")
    clinic = build_clinic(world)
    both_looked = threading.Barrier(2, timeout=10)
    school_of = services._school_of

    def look_then_wait(*args: Any) -> tuple[int, int]:
        found = school_of(*args)
        both_looked.wait()
        return found

    monkeypatch.setattr(services, "_school_of", look_then_wait)
    answers: list[services.NoteAnswer] = []

    def post() -> None:
        try:
            answers.append(clinic.record())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    assert sorted(answer.replayed for answer in answers) == [False, True]
    assert answers[0].change.pk == answers[1].change.pk
    assert (SickNote.objects.count(), SickNoteChange.objects.count(), SickNoteLesson.objects.count()) == (
        1,
        1,
        4,
    )
    assert Attendance.objects.filter(source="clinic").count() == 4
    assert JournalChange.objects.count() == 4
