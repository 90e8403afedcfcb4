"""Marks made by other apps (``origin``), and attendance from machines (``source``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.http import Http404
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from parta.journal import services
from parta.journal.models import Attendance, JournalChange, Mark
from parta.journal.services import marks as mark_services
from parta.journal.tests.conftest import Journal, build_journal, client_for
from parta.outbox.models import OutboxEvent


def _written() -> tuple[int, int, int]:
    return Mark.objects.count(), JournalChange.objects.count(), OutboxEvent.objects.count()


def _by_origin(journal: Journal, value: int = 5, origin: str = "homework.handin:45", **kwargs: Any) -> Mark:
    return services.mark_create(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=kwargs.pop("student_id", journal.student.pk),
        value=value,
        origin=origin,
        **kwargs,
    )


# --- marks from other apps ----------------------------------------------------------------


def test_a_second_call_of_one_origin_returns_its_mark_and_writes_nothing(journal) -> None:
    first = _by_origin(journal)
    assert (first.origin, _written()) == ("homework.handin:45", (1, 1, 1))
    again = _by_origin(journal, value=3)  # another value too: the caller changes it with mark_update
    assert (again.pk, again.value, again.version) == (first.pk, 5, 1)
    assert _written() == (1, 1, 1)
    services.mark_update(journal.teacher, first.pk, version=1, value=3)
    assert Mark.objects.get().value == 3
    # Without an origin, and with another one, a mark is a new mark.
    _by_origin(journal, origin="homework.handin:46")
    services.mark_create(journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=4)
    assert Mark.objects.count() == 3


def test_one_origin_in_another_cell_is_refused(journal) -> None:
    _by_origin(journal)
    with pytest.raises(ValidationError) as caught:
        _by_origin(journal, student_id=journal.students[1].pk)
    assert "origin" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _by_origin(journal, origin="x" * 101)
    assert "origin" in caught.value.message_dict


def test_the_same_origin_in_two_schools_is_two_marks(journal) -> None:
    other = build_journal()
    _by_origin(journal)
    mark = services.mark_create(
        other.teacher,
        lesson_id=other.lesson.pk,
        student_id=other.student.pk,
        value=5,
        origin="homework.handin:45",
    )
    assert mark.school_id == other.school.pk and Mark.objects.count() == 2


def test_the_cell_history_says_which_app_made_the_mark(journal) -> None:
    _by_origin(journal, origin="assessment.attempt:12:q3")
    url = f"/api/v1/lessons/{journal.lesson.pk}/students/{journal.student.pk}/history"
    (row,) = client_for(journal.teacher).get(url).json()
    assert row["new"]["origin"] == "assessment.attempt:12:q3"
    page = Client()
    page.force_login(journal.teacher)
    cell = page.get(reverse("journal-cell", args=[journal.lesson.pk, journal.student.pk])).content.decode()
    assert "assessment.attempt:12:q3" in cell


@pytest.mark.django_db(transaction=True)
def test_two_calls_of_one_origin_at_once_write_one_mark(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both find no mark of the origin, both insert: the second waits on the unique index, fails
    once the first commits, and returns the first's mark."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections that wait on each other: PostgreSQL")
    journal = build_journal()
    both_looked = threading.Barrier(2, timeout=10)
    look = mark_services._mark_of_origin
    looked: set[int] = set()

    def look_then_wait(*args: Any) -> Mark | None:
        made = look(*args)
        if threading.get_ident() not in looked:  # only the first look, before the insert
            looked.add(threading.get_ident())
            both_looked.wait()
        return made

    monkeypatch.setattr(mark_services, "_mark_of_origin", look_then_wait)
    marks: list[Mark] = []

    def create() -> None:
        try:
            marks.append(_by_origin(journal))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(looked) == 2  # both looked before either inserted
    assert len(marks) == 2 and marks[0].pk == marks[1].pk
    assert _written() == (1, 1, 1)


# --- attendance from machines -------------------------------------------------------------


@dataclass
class Machine:
    """Satisfies parta.core.principals.MachinePrincipal, as the real credential will."""

    pk: int
    school_id: int | None
    scopes: frozenset[str] = field(default_factory=frozenset)
    kind: str = "clinic"
    building_id: int | None = None
    is_machine: bool = True
    is_authenticated: bool = True


def _set(journal: Journal, actor: Any, source: str, **kwargs: Any) -> Attendance | None:
    return services.attendance_set(
        actor,
        lesson_id=kwargs.pop("lesson_id", journal.lesson.pk),
        student_id=journal.student.pk,
        status=kwargs.pop("status", Attendance.Status.SICK),
        source=source,
        **kwargs,
    )


def _source_refused(call: Any) -> bool:
    with pytest.raises(ValidationError) as caught:
        call()
    return set(caught.value.message_dict) == {"source"}


def test_a_clinic_records_a_sick_day_named_in_the_history(journal) -> None:
    clinic = Machine(pk=7, school_id=journal.school.pk, scopes=frozenset({"attendance:clinic"}))
    entry = _set(journal, clinic, Attendance.Source.CLINIC, reason="ARVI")
    assert entry is not None and (entry.source, entry.updated_by_id) == ("clinic", None)
    change = JournalChange.objects.get()
    assert (change.actor_id, change.principal) == (None, "machine:7")
    event = OutboxEvent.objects.get()
    assert event.payload["actor_id"] is None  # no person's id: nobody is left out of the notices
    url = f"/api/v1/lessons/{journal.lesson.pk}/students/{journal.student.pk}/history"
    (row,) = client_for(journal.teacher).get(url).json()
    assert row["actor"] == {"id": None, "short_name": "machine:7"}


def test_a_city_clinic_records_in_any_school_a_turnstile_only_in_its_own(journal) -> None:
    other = build_journal()
    city = Machine(pk=1, school_id=None, scopes=frozenset({"attendance:clinic"}))
    assert _set(other, city, Attendance.Source.CLINIC) is not None
    turnstile = Machine(pk=2, school_id=journal.school.pk, scopes=frozenset({"attendance:turnstile"}))
    with pytest.raises(Http404):
        _set(other, turnstile, Attendance.Source.TURNSTILE, status=Attendance.Status.LATE)
    with pytest.raises(Http404):
        _set(journal, turnstile, Attendance.Source.TURNSTILE, lesson_id=2**40)
    assert _set(journal, turnstile, Attendance.Source.TURNSTILE, status=Attendance.Status.LATE) is not None


def test_each_writer_records_only_the_sources_it_may(journal) -> None:
    clinic = Machine(pk=7, school_id=journal.school.pk, scopes=frozenset({"attendance:clinic"}))
    for source in (Attendance.Source.TURNSTILE, Attendance.Source.TEACHER, Attendance.Source.PARENT_NOTICE):
        assert _source_refused(lambda source=source: _set(journal, clinic, source))
    for source in (Attendance.Source.CLINIC, Attendance.Source.TURNSTILE, Attendance.Source.PARENT_NOTICE):
        assert _source_refused(lambda source=source: _set(journal, journal.teacher, source))
    unscoped = Machine(pk=8, school_id=journal.school.pk, scopes=frozenset({"passage:write"}))
    assert _source_refused(lambda: _set(journal, unscoped, Attendance.Source.CLINIC))
    assert not Attendance.objects.exists() and not JournalChange.objects.exists()


def test_the_api_stores_the_source_its_caller_may_set(journal) -> None:
    url = f"/api/v1/lessons/{journal.lesson.pk}/attendance/{journal.student.pk}"
    teacher = client_for(journal.teacher)
    refused = teacher.put(url, {"status": "sick", "source": "clinic"}, format="json")
    assert refused.status_code == 400 and "source" in refused.json()["errors"]
    assert not Attendance.objects.exists()
    machine = APIClient()
    clinic = Machine(pk=7, school_id=journal.school.pk, scopes=frozenset({"attendance:clinic"}))
    machine.force_authenticate(clinic)  # type: ignore[arg-type]  # a machine principal, no User
    answer = machine.put(url, {"status": "sick", "source": "clinic"}, format="json")
    assert answer.status_code == 200 and answer.json()["attendance"]["source"] == "clinic"
    answer = teacher.put(url, {"status": "absent", "version": 1}, format="json")
    assert answer.json()["attendance"]["source"] == "teacher"  # the teacher's entry wins, and says so


def test_a_clinic_credential_marks_a_sick_absence_and_nothing_beyond_its_school(journal) -> None:
    """The whole path a clinic's system takes: its own credential (never a person's token), its
    scope, its school; the entry, its history and the call log name the machine."""
    from parta.accounts.models import MachineCall
    from parta.accounts.services import machine_client_create

    clinic, secret = machine_client_create(
        by=None, kind="clinic", name="Clinic 12", scopes=["attendance:clinic"], school_id=journal.school.pk
    )
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/lessons/{journal.lesson.pk}/attendance/{journal.student.pk}"
    answer = caller.put(url, {"status": "sick", "source": "clinic"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["attendance"]["source"] == "clinic"
    change = JournalChange.objects.get()
    assert (change.actor_id, change.principal) == (None, f"machine:{clinic.pk}")
    assert MachineCall.objects.filter(client=clinic, method="PUT", status=200).exists()
    # A source it may not set, a person's endpoint, another school's lesson: refused, nothing written.
    assert (
        caller.put(url, {"status": "late", "source": "turnstile", "version": 1}, format="json").status_code
        == 400
    )
    assert caller.get("/api/v1/me").status_code == 403
    other = build_journal()
    elsewhere = f"/api/v1/lessons/{other.lesson.pk}/attendance/{other.student.pk}"
    assert caller.put(elsewhere, {"status": "sick", "source": "clinic"}, format="json").status_code == 404
    assert Attendance.objects.count() == 1 and JournalChange.objects.count() == 1
    # A turnstile holds no attendance:clinic: the endpoint refuses it before any service runs.
    _turnstile, turnstile_secret = machine_client_create(
        by=None, kind="turnstile", name="Gate 1", scopes=["passage:write"], school_id=journal.school.pk
    )
    gate = APIClient()
    gate.credentials(HTTP_AUTHORIZATION=f"Bearer {turnstile_secret}")
    assert gate.put(url, {"status": "sick", "source": "clinic"}, format="json").status_code == 403
