"""How a clinic's note meets the journal, case by case, worked by hand (docs/decisions/0019).

7А's week: Monday to Wednesday, lesson 2 algebra (the subject teacher's) and lesson 4 Russian
(the class teacher's). Each case sets what the teachers (or a parent's notice) entered, sends
the clinic's note, and reads every cell back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parta.clinic import services
from parta.clinic.identifiers import with_check_number
from parta.clinic.models import SickNote, SickNoteChange, SickNoteLesson
from parta.clinic.services import NoteConflict, person_identifiers_load
from parta.clinic.tests.conftest import TUESDAY, WEDNESDAY, Clinic, at, city_clinic
from parta.journal.models import Attendance, JournalChange
from parta.outbox.models import OutboxEvent
from parta.schools.models import StudyPeriod
from parta.testing import factories as f
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db

SICK_CLINIC = ("sick", "clinic")


def written() -> tuple[int, int, int, int]:
    return (
        Attendance.objects.count(),
        JournalChange.objects.count(),
        OutboxEvent.objects.count(),
        SickNoteChange.objects.count(),
    )


def test_a_note_marks_what_it_may_and_leaves_the_rest(clinic: Clinic) -> None:
    """Before: Mon 2 nothing, Mon 4 the teacher's "absent", Tue 2 "late", Tue 4 the teacher's
    "excused", Wed 2 excused by a parent's notice, Wed 4 the teacher's "sick".
    After a note for Mon–Wed: Mon 2, Mon 4, Wed 2, Wed 4 sick from the clinic (4 marked);
    Tue 2 late and Tue 4 excused as the teachers left them."""
    clinic.enter(MONDAY, 4, "absent", reason="не пришёл")
    clinic.enter(TUESDAY, 2, "late")
    clinic.enter(TUESDAY, 4, "excused", reason="олимпиада")
    clinic.notice_entry(WEDNESDAY, 2)
    clinic.enter(WEDNESDAY, 4, "sick")
    answer = clinic.record(MONDAY, WEDNESDAY)
    assert (answer.replayed, answer.created, answer.change.lessons_marked) == (False, True, 4)
    assert [clinic.entry(day, n) for day in (MONDAY, TUESDAY, WEDNESDAY) for n in (2, 4)] == [
        SICK_CLINIC,
        SICK_CLINIC,
        ("late", "teacher"),
        ("excused", "teacher"),
        SICK_CLINIC,
        SICK_CLINIC,
    ]
    upgraded = Attendance.objects.get(lesson=clinic.lesson(MONDAY, 4), student=clinic.student)
    assert (upgraded.reason, upgraded.notice_id, upgraded.updated_by_id) == (
        "Sick note N-1 from the clinic",
        None,
        None,
    )
    # Every cell the note changed has its history row, naming the clinic's credential.
    by_clinic = JournalChange.objects.filter(principal=f"machine:{clinic.client.pk}")
    assert by_clinic.count() == 4
    change = by_clinic.get(lesson=clinic.lesson(MONDAY, 4))
    assert (change.actor_id, change.old["status"], change.old["source"], change.new["status"]) == (  # type: ignore[index]
        None,
        "absent",
        "teacher",
        "sick",
    )
    assert change.reason == "Sick note N-1 from the clinic"


def test_withdrawing_gives_every_cell_back_as_it_was(clinic: Clinic) -> None:
    """The same week, withdrawn: Mon 2 has no entry again, Mon 4 the teacher's "absent" with its
    reason, Wed 2 the parent's notice's "excused", Wed 4 the teacher's "sick" (4 given back)."""
    clinic.enter(MONDAY, 4, "absent", reason="не пришёл")
    clinic.enter(TUESDAY, 2, "late")
    clinic.enter(TUESDAY, 4, "excused", reason="олимпиада")
    notice = clinic.notice_entry(WEDNESDAY, 2)
    clinic.enter(WEDNESDAY, 4, "sick", reason="ОРВИ со слов мамы")
    clinic.record(MONDAY, WEDNESDAY)
    answer = clinic.withdraw()
    assert (answer.change.kind, answer.change.lessons_marked, answer.change.lessons_restored) == (
        "withdrawn",
        0,
        4,
    )
    assert clinic.entry(MONDAY, 2) is None
    mon4 = Attendance.objects.get(lesson=clinic.lesson(MONDAY, 4), student=clinic.student)
    assert (mon4.status, mon4.source, mon4.reason) == ("absent", "teacher", "не пришёл")
    assert (clinic.entry(TUESDAY, 2), clinic.entry(TUESDAY, 4)) == (
        ("late", "teacher"),
        ("excused", "teacher"),
    )
    wed2 = Attendance.objects.get(lesson=clinic.lesson(WEDNESDAY, 2), student=clinic.student)
    assert (wed2.status, wed2.source, wed2.notice_id, wed2.reason) == (
        "excused",
        "parent_notice",
        notice.pk,
        "к врачу",
    )
    wed4 = Attendance.objects.get(lesson=clinic.lesson(WEDNESDAY, 4), student=clinic.student)
    assert (wed4.status, wed4.source, wed4.reason) == ("sick", "teacher", "ОРВИ со слов мамы")
    # Marked and given back: two rows of history each, both the clinic's.
    assert JournalChange.objects.filter(principal=f"machine:{clinic.client.pk}").count() == 8
    back = JournalChange.objects.filter(lesson=clinic.lesson(MONDAY, 4)).order_by("id").last()
    assert back is not None and back.reason == "sick note N-1 withdrawn by the clinic"
    assert set(SickNoteLesson.objects.values_list("outcome", flat=True)) == {"restored"}
    note = SickNote.objects.get()
    assert (note.status, note.version, note.withdrawn_at is not None) == ("withdrawn", 2, True)


def test_a_teachers_later_change_stands_through_the_withdrawal(clinic: Clinic) -> None:
    """Mon 2 and Mon 4 had no entry; the note makes both sick; the teacher then marks Mon 2
    "absent" over it. Withdrawn: Mon 2 stays the teacher's "absent", Mon 4 has no entry again."""
    clinic.record(MONDAY, MONDAY)
    clinic.enter(MONDAY, 2, "absent", reason="справки нет у нас")
    answer = clinic.withdraw()
    assert answer.change.lessons_restored == 1
    assert clinic.entry(MONDAY, 2) == ("absent", "teacher")
    assert clinic.entry(MONDAY, 4) is None
    assert dict(SickNoteLesson.objects.values_list("lesson_id", "outcome")) == {
        clinic.lesson(MONDAY, 2).pk: "kept",
        clinic.lesson(MONDAY, 4).pk: "restored",
    }


def test_a_teacher_who_clears_the_cell_is_not_overruled(clinic: Clinic) -> None:
    """The teacher sets Mon 2 back to present (no entry) after the note: the withdrawal leaves it so."""
    clinic.record(MONDAY, MONDAY)
    clinic.enter(MONDAY, 2, None)
    assert clinic.withdraw().change.lessons_restored == 1
    assert clinic.entry(MONDAY, 2) is None


def test_an_amendment_lets_go_of_days_it_no_longer_covers_and_marks_new_ones(clinic: Clinic) -> None:
    """Recorded for Mon–Tue (4 lessons, none entered), amended to Tue–Wed with a later issue:
    Monday has no entries again, Tuesday stays sick, Wednesday becomes sick."""
    clinic.record(MONDAY, TUESDAY, issued_at=at(WEDNESDAY))
    answer = clinic.record(TUESDAY, WEDNESDAY, issued_at=at(WEDNESDAY, 15))
    assert (answer.created, answer.change.kind, answer.change.version) == (False, "amended", 2)
    assert (answer.change.lessons_marked, answer.change.lessons_restored) == (4, 2)
    assert [clinic.entry(day, n) for day in (MONDAY, TUESDAY, WEDNESDAY) for n in (2, 4)] == [
        None,
        None,
        SICK_CLINIC,
        SICK_CLINIC,
        SICK_CLINIC,
        SICK_CLINIC,
    ]
    note = SickNote.objects.get()
    assert (note.starts_on, note.ends_on, note.version) == (TUESDAY, WEDNESDAY, 2)
    # Monday's lessons are given back; Tuesday's are held since the first version, once each.
    assert SickNoteLesson.objects.filter(released_at__isnull=True).count() == 4


def test_an_amendment_never_takes_back_a_cell_the_school_changed(clinic: Clinic) -> None:
    """Mon–Tue recorded; the teacher marks Tue 2 "late" (the child came after all); the clinic
    shortens the note to Monday (Tue 2 let go, kept as the teacher's), then lengthens it to
    Wednesday: Tue 4 and Wednesday are marked again, Tue 2 stays "late"."""
    clinic.record(MONDAY, TUESDAY, issued_at=at(WEDNESDAY))
    clinic.enter(TUESDAY, 2, "late")
    clinic.record(MONDAY, MONDAY, issued_at=at(WEDNESDAY, 12))
    assert clinic.entry(TUESDAY, 2) == ("late", "teacher")
    assert clinic.entry(TUESDAY, 4) is None
    answer = clinic.record(MONDAY, WEDNESDAY, issued_at=at(WEDNESDAY, 15))
    assert answer.change.lessons_marked == 5
    assert clinic.entry(TUESDAY, 2) == ("late", "teacher")
    assert clinic.entry(TUESDAY, 4) == SICK_CLINIC
    assert clinic.entry(WEDNESDAY, 2) == SICK_CLINIC


def test_the_same_note_again_writes_nothing_and_answers_as_the_first_time(clinic: Clinic) -> None:
    first = clinic.record()
    before = written()
    again = clinic.record()
    assert written() == before
    assert again.replayed and again.created
    assert again.change.pk == first.change.pk
    # After an amendment, a late retry of the first version still answers as it did.
    clinic.record(MONDAY, WEDNESDAY, issued_at=at(WEDNESDAY, 18))
    before = written()
    late = clinic.record()
    assert written() == before
    assert (late.replayed, late.change.version, late.change.ends_on) == (True, 1, TUESDAY)
    assert SickNote.objects.get().ends_on == WEDNESDAY


@pytest.mark.parametrize(
    "change",
    ["issued no later", "issued earlier", "another student"],
)
def test_other_content_under_a_note_id_that_is_no_later_version_is_a_conflict(
    clinic: Clinic, change: str
) -> None:
    clinic.record(issued_at=at(WEDNESDAY, 10))
    before = written()
    changes: dict[str, dict[str, Any]] = {
        "issued no later": {"ends_on": WEDNESDAY, "issued_at": at(WEDNESDAY, 10)},
        "issued earlier": {"ends_on": MONDAY, "issued_at": at(WEDNESDAY, 9)},
        "another student": {"number": clinic.numbers["a.classmate"], "issued_at": at(WEDNESDAY, 11)},
    }
    with pytest.raises(NoteConflict) as caught:
        clinic.record(**changes[change])
    assert caught.value.code == "note_conflict"
    assert written() == before


def test_a_withdrawn_note_is_withdrawn_for_good(clinic: Clinic) -> None:
    clinic.record()
    first = clinic.withdraw()
    before = written()
    again = clinic.withdraw()
    assert (again.replayed, again.change.pk) == (True, first.change.pk)
    with pytest.raises(NoteConflict) as caught:
        clinic.record(MONDAY, WEDNESDAY, issued_at=at(WEDNESDAY, 20))
    assert caught.value.code == "note_withdrawn"
    assert written() == before


def test_overlapping_notes_hand_the_shared_days_over(clinic: Clinic) -> None:
    """Note 1 for Mon–Tue (Mon 4 was the teacher's "absent"), then another clinic's note 2 for
    Tue–Wed: note 2 marks only Wednesday, Tuesday being note 1's. Note 1 withdrawn: Monday goes
    back (Mon 4 "absent" again) but Tuesday stays sick, now note 2's; note 2 withdrawn: Tuesday
    and Wednesday have no entries again."""
    other, _secret = city_clinic(name="Детская поликлиника № 3")
    clinic.enter(MONDAY, 4, "absent")
    clinic.record(MONDAY, TUESDAY, note_id="N-1")
    second = clinic.record(TUESDAY, WEDNESDAY, note_id="N-2", client=other)
    assert second.change.lessons_marked == 2
    assert clinic.withdraw("N-1").change.lessons_restored == 2
    assert [clinic.entry(day, n) for day in (MONDAY, TUESDAY, WEDNESDAY) for n in (2, 4)] == [
        None,
        ("absent", "teacher"),
        SICK_CLINIC,
        SICK_CLINIC,
        SICK_CLINIC,
        SICK_CLINIC,
    ]
    held = SickNoteLesson.objects.filter(note=second.note, released_at__isnull=True)
    assert held.count() == 4
    assert clinic.withdraw("N-2", client=other).change.lessons_restored == 4
    assert [clinic.entry(day, n) for day in (TUESDAY, WEDNESDAY) for n in (2, 4)] == [None] * 4


def test_a_closed_period_takes_the_note_with_its_reason(clinic: Clinic) -> None:
    StudyPeriod.objects.filter(year__school=clinic.world.a.school).update(closed_at=timezone.now())
    assert clinic.record(MONDAY, MONDAY).change.lessons_marked == 2
    change = JournalChange.objects.filter(lesson=clinic.lesson(MONDAY, 2)).get()
    assert change.reason == "Sick note N-1 from the clinic"


def test_only_the_students_own_lessons_that_took_place(clinic: Clinic) -> None:
    """A cancelled lesson, a lesson of another subgroup and the lessons of a class the student
    joined later are not the note's."""
    a = clinic.world.a
    cancelled = clinic.lesson(MONDAY, 2)
    cancelled.status = "cancelled"
    cancelled.save(update_fields=["status"])
    subgroup = f.SubgroupFactory.create(class_group=a.group, subject=a.assignment.subject, number=1)
    f.LessonFactory.create(assignment=a.assignment, date=MONDAY, number=6, subgroup=subgroup)
    assert clinic.record(MONDAY, MONDAY).change.lessons_marked == 1
    assert clinic.entry(MONDAY, 4) == SICK_CLINIC
    # The classmate joined 7А on Tuesday: Monday's lessons were not theirs.
    a.group.enrolments.filter(student=a.classmate).update(starts_on=TUESDAY)
    answer = clinic.record(MONDAY, TUESDAY, note_id="N-2", number=clinic.numbers["a.classmate"])
    assert answer.change.lessons_marked == 2


def test_refusals_name_their_code_and_write_nothing(clinic: Clinic) -> None:
    lonely = f.UserFactory.create()
    person_identifiers_load([(lonely.pk, with_check_number(556677889))])
    school_b_clinic, _secret = city_clinic(school_id=clinic.world.b.school.pk)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"issued_at": timezone.now() + dt.timedelta(minutes=10)}, "issued_in_future"),
        ({"starts_on": TUESDAY, "ends_on": MONDAY}, "ends_before_start"),
        ({"starts_on": MONDAY - dt.timedelta(days=30), "ends_on": MONDAY}, "span_too_long"),
        ({"ends_on": WEDNESDAY, "issued_at": at(TUESDAY, 18)}, "ends_after_issue"),
        ({"number": with_check_number(999888777)}, "unknown_student"),
        ({"number": with_check_number(556677889)}, "not_enrolled"),
        ({"client": school_b_clinic}, "unknown_student"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationError) as caught:
            clinic.record(**kwargs)
        assert [e.code for errors in caught.value.error_dict.values() for e in errors] == [code], kwargs
    assert written() == (0, 0, 0, 0)
    assert not SickNote.objects.exists()
    with pytest.raises(PermissionDenied):
        services.sick_note_record(
            clinic.world.a.class_teacher,
            note_id="N-1",
            number=clinic.numbers["a.student"],
            starts_on=MONDAY,
            ends_on=MONDAY,
            issued_at=at(TUESDAY),
        )


def test_a_clinic_of_one_school_records_for_that_school(clinic: Clinic) -> None:
    own, _secret = city_clinic(school_id=clinic.world.a.school.pk)
    assert clinic.record(client=own).change.lessons_marked == 4


def test_the_family_and_the_class_teacher_are_told_once_per_note(
    clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    from parta.messaging.models import Notification
    from parta.messaging.notifications import row_of

    a = clinic.world.a
    with django_capture_on_commit_callbacks(execute=True):
        clinic.record()
    told = Notification.objects.filter(kind="sick_note")
    assert set(told.values_list("recipient_id", flat=True)) == {a.parent.pk, a.class_teacher.pk}
    # The entries themselves tell nobody: no "Ill, missed Algebra…" per lesson.
    assert not Notification.objects.exclude(kind="sick_note").exists()
    parent = row_of(told.get(recipient=a.parent))
    said = "Sick note from the clinic: ill 7 September – 8 September, 4 lessons marked as illness."
    assert parent.text == f"{a.student.short_name}: {said}"
    assert parent.link == ""
    teacher = row_of(told.get(recipient=a.class_teacher))
    assert teacher.link == f"/clinic/notes/{SickNote.objects.get().pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        clinic.withdraw()
    texts = [row_of(n).text for n in Notification.objects.filter(recipient=a.parent).order_by("id")]
    assert texts[-1].endswith(
        "The clinic withdrew its sick note for 7 September – 8 September;"
        " the journal shows the lessons as they were."
    )
    assert not Notification.objects.exclude(kind="sick_note").exists()
