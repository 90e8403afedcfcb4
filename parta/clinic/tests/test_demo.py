"""The demo's clinic on a generated school: numbers for every student, notes through the real
service that make the teachers' "absent" sick, one withdrawn again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from parta.clinic import selectors
from parta.clinic.demo import NOTES, clinic_demo
from parta.clinic.models import PersonIdentifier, SickNote, SickNoteLesson
from parta.demo.generator import GeneratedCity, generate_city
from parta.journal.models import Attendance, JournalChange
from parta.schools.models import Enrolment

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """A small whole school (one class a grade) with its journal, made once for this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate_city(
            schools=1,
            seed=5,
            groups_per_grade=1,
            students_per_group=10,
            today=TODAY,
            load_framework=False,
            demo_accounts=True,
        )
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_clinic_sends_a_few_notes(city: GeneratedCity) -> None:
    school = city.schools[0].school
    counts = clinic_demo(school=school, today=TODAY, seed=5)
    students = set(Enrolment.objects.filter(school=school).values_list("student_id", flat=True))
    assert set(PersonIdentifier.objects.values_list("person_id", flat=True)) == students
    assert counts["city registry numbers"] == len(students)
    assert PersonIdentifier.objects.get(person=city.demo["student"]).number == "11223344595"
    assert (counts["sick notes"], counts["sick notes withdrawn"]) == (NOTES, 1)
    notes = list(SickNote.objects.order_by("id"))
    assert [note.status for note in notes] == ["recorded"] * (NOTES - 1) + ["withdrawn"]
    held = SickNoteLesson.objects.filter(released_at__isnull=True)
    assert counts["lessons marked sick by clinic notes"] == held.count() > 0
    assert Attendance.objects.filter(source="clinic", pk__isnull=False).count() >= held.count()
    # A teacher's "absent" became sick through a note, named in the history as the clinic's.
    upgrades = JournalChange.objects.filter(principal__startswith="machine:", old__status="absent")
    assert upgrades.exists()
    # The demo student's class teacher (the demo teacher) has notes to read.
    assert selectors.notes_for(city.demo["teacher"])
    # The withdrawn note gave every lesson back as the teachers had entered it.
    withdrawn = notes[-1]
    for hold in SickNoteLesson.objects.filter(note=withdrawn):
        entry = Attendance.objects.filter(lesson_id=hold.lesson_id, student_id=withdrawn.student_id).first()
        before = hold.before or {}
        assert (entry.status if entry else None, entry.source if entry else None) == (
            before.get("status"),
            before.get("source"),
        )
