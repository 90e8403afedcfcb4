"""A machine gives a cell back what its own entry replaced (attendance_restore), and an entry
whose writer tells the family itself tells nobody (notify=False)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from parta.journal import services
from parta.journal.models import Attendance, JournalChange
from parta.journal.tests.conftest import Journal
from parta.journal.tests.test_origins_and_sources import Machine
from parta.messaging.models import Notification
from parta.outbox.models import OutboxEvent

CLINIC = Machine(pk=7, school_id=None, scopes=frozenset({"attendance:clinic"}))


def _sick(journal: Journal, version: int | None) -> Attendance:
    entry = services.attendance_set(
        CLINIC,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        status="sick",
        reason="Sick note N-1 from the clinic",
        version=version,
        source="clinic",
        notify=False,
    )
    assert entry is not None
    return entry


def _restore(journal: Journal, state: dict[str, Any] | None, version: int, actor: Any = CLINIC) -> Any:
    return services.attendance_restore(
        actor,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        state=state,
        version=version,
        reason="sick note N-1 withdrawn by the clinic",
    )


def test_the_teachers_absence_comes_back_as_the_teachers(journal: Journal) -> None:
    absent = services.attendance_set(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        status="absent",
        reason="не пришёл",
    )
    assert absent is not None
    sick = _sick(journal, absent.version)
    before = JournalChange.objects.get(principal="machine:7").old
    entry = _restore(journal, before, sick.version)
    assert (entry.status, entry.source, entry.reason, entry.version, entry.updated_by_id) == (
        "absent",
        "teacher",
        "не пришёл",
        3,
        None,
    )
    change = JournalChange.objects.filter(principal="machine:7").order_by("id").last()
    assert change is not None
    assert (change.old["status"], change.new["status"], change.reason) == (  # type: ignore[index]
        "sick",
        "absent",
        "sick note N-1 withdrawn by the clinic",
    )


def test_no_entry_before_means_none_after(journal: Journal) -> None:
    sick = _sick(journal, None)
    assert _restore(journal, None, sick.version) is None
    assert not Attendance.objects.exists()
    assert OutboxEvent.objects.order_by("id").last().payload["change"] == "deleted"  # type: ignore[union-attr]


def test_a_cell_changed_since_is_not_the_machines_to_restore(journal: Journal) -> None:
    sick = _sick(journal, None)
    late = services.attendance_set(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        status="late",
        version=sick.version,
    )
    assert late is not None
    with pytest.raises(services.StaleVersion) as caught:
        _restore(journal, None, sick.version)
    assert caught.value.current is not None and caught.value.current["status"] == "late"
    # At the right version, a teacher's entry is still not a clinic's to restore.
    with pytest.raises(services.StaleVersion):
        _restore(journal, None, late.version)
    turnstile = Machine(pk=8, school_id=None, scopes=frozenset({"attendance:turnstile"}))
    clinic_entry = _sick(journal, late.version)
    with pytest.raises(services.StaleVersion):
        _restore(journal, None, clinic_entry.version, actor=turnstile)
    with pytest.raises(Http404):
        _restore(journal, None, clinic_entry.version, actor=journal.teacher)
    with pytest.raises(ValidationError):
        _restore(journal, {"status": "asleep", "source": "teacher", "reason": ""}, clinic_entry.version)
    assert Attendance.objects.get().status == "sick"


def test_an_entry_that_tells_nobody(journal: Journal, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sick = _sick(journal, None)
    event = OutboxEvent.objects.get()
    assert (event.payload["notify"], event.delivered_at is not None) == (False, True)
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_set(
            CLINIC,
            lesson_id=journal.lesson.pk,
            student_id=journal.student.pk,
            status=None,
            version=sick.version,
            source="clinic",
        )
    assert Notification.objects.filter(kind="attendance").exists()
