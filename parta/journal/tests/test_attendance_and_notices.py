"""Attendance, absence notices and how they meet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from parta.journal import services
from parta.journal.models import AbsenceNotice, Attendance, JournalChange
from parta.journal.services import attendance as attendance_services
from parta.journal.tests.conftest import j
from parta.outbox.models import OutboxEvent
from parta.schools.models import StudyPeriod
from parta.testing import factories as f
from parta.timetable.models import Lesson

Status = Attendance.Status
Source = Attendance.Source


def set_(journal, status, *, version=None, lesson=None, reason=""):
    return services.attendance_set(
        journal.teacher,
        lesson_id=(lesson or journal.lesson).pk,
        student_id=journal.student.pk,
        status=status,
        version=version,
        reason=reason,
    )


def test_absence_is_recorded_with_history_and_event(journal):
    entry = set_(journal, Status.ABSENT, reason="no note")
    assert entry is not None
    assert (entry.status, entry.source, entry.version) == (Status.ABSENT, Source.TEACHER, 1)
    change = JournalChange.objects.get()
    assert (change.kind, change.old, j(change.new)["status"]) == ("attendance", None, "absent")
    event = OutboxEvent.objects.get()
    assert event.kind == "journal.attendance"
    assert event.payload == {
        "attendance_id": entry.pk,
        "student_id": journal.student.pk,
        "lesson_id": journal.lesson.pk,
        "subject_id": journal.lesson.subject_id,
        "date": "2026-09-07",
        "status": "absent",
        "old_status": None,
        "change": "created",
        "actor_id": journal.teacher.pk,
    }


def test_changing_and_clearing_follow_the_version(journal):
    set_(journal, Status.ABSENT)
    entry = set_(journal, Status.LATE, version=1)
    assert entry is not None
    assert entry.version == 2
    with pytest.raises(services.StaleVersion) as caught:
        set_(journal, Status.SICK, version=1)
    assert caught.value.current is not None
    assert caught.value.current["status"] == "late"
    with pytest.raises(services.StaleVersion):
        set_(journal, Status.SICK)  # the writer saw no entry, but there is one
    assert set_(journal, None, version=2) is None
    assert not Attendance.objects.exists()
    assert OutboxEvent.objects.order_by("id").last().payload["change"] == "deleted"  # type: ignore[union-attr]
    assert JournalChange.objects.count() == 3


def test_bad_attendance_writes_nothing(journal):
    for status, source, field in (("asleep", Source.TEACHER, "status"), (Status.ABSENT, "gossip", "source")):
        with pytest.raises(ValidationError) as caught:
            services.attendance_set(
                journal.teacher,
                lesson_id=journal.lesson.pk,
                student_id=journal.student.pk,
                status=status,
                source=source,
            )
        assert field in caught.value.message_dict
    stranger = f.UserFactory.create()
    with pytest.raises(ValidationError):
        services.attendance_set(
            journal.teacher, lesson_id=journal.lesson.pk, student_id=stranger.pk, status=Status.ABSENT
        )
    journal.q1.closed_at = timezone.now()
    journal.q1.save()
    with pytest.raises(ValidationError) as caught:
        set_(journal, Status.ABSENT)
    assert "reason" in caught.value.message_dict
    assert not (Attendance.objects.exists() or JournalChange.objects.exists() or OutboxEvent.objects.exists())


def test_in_a_closed_period_the_reason_is_the_changes_not_the_absences(journal):
    """The family reads an absence's reason in the diary; a reason given for editing a closed
    period explains the edit to the history and must not take its place."""
    set_(journal, Status.ABSENT, reason="был у врача")
    journal.q1.closed_at = timezone.now()
    journal.q1.save()
    entry = set_(journal, Status.SICK, version=1, reason="исправление ошибки учителя")
    assert entry is not None
    assert (entry.status, entry.reason) == (Status.SICK, "был у врача")
    assert JournalChange.objects.latest("pk").reason == "исправление ошибки учителя"
    set_(journal, None, version=2, reason="ошибка")
    entry = set_(journal, Status.ABSENT, reason="запоздалая отметка")
    assert entry is not None and entry.reason == ""


def test_wrong_people_get_404(world):
    for user in (world.b.subject_teacher, world.a.parent, world.b.admin, world.outsider):
        with pytest.raises(Http404):
            services.attendance_set(
                user, lesson_id=world.a.lesson.pk, student_id=world.a.student.pk, status=Status.ABSENT
            )


# --- absence notices -----------------------------------------------------------------------


@pytest.fixture
def coming(journal):
    """Lessons today, tomorrow and in nine days, in a period that covers them, and the student's
    parent. Only today's lesson takes a teacher's entry: the others have not taken place yet."""
    today = timezone.localdate()
    StudyPeriod.objects.filter(pk=journal.q2.pk).update(starts_on=today - dt.timedelta(days=5))
    StudyPeriod.objects.filter(pk=journal.q2.pk).update(ends_on=today + dt.timedelta(days=60))
    lessons = [
        f.LessonFactory.create(assignment=journal.assignment, date=today + dt.timedelta(days=d), number=5)
        for d in (0, 1, 9)
    ]
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    return today, lessons, parent


def notify(journal, parent, start, end, reason="Flu"):
    return services.absence_notice_create(
        parent, student_id=journal.student.pk, starts_on=start, ends_on=end, reason=reason
    )


def test_a_notice_excuses_the_lessons_it_covers(journal, coming):
    today, lessons, parent = coming
    # The teacher already entered something for today's lesson: it is left as it is.
    services.attendance_set(
        journal.teacher, lesson_id=lessons[0].pk, student_id=journal.student.pk, status=Status.LATE
    )
    result = notify(journal, parent, today, today + dt.timedelta(days=3))
    assert result.excused_lessons == 1
    entry = Attendance.objects.get(lesson=lessons[1])
    assert (entry.status, entry.source, entry.notice_id) == (
        Status.EXCUSED,
        Source.PARENT_NOTICE,
        result.notice.pk,
    )
    assert Attendance.objects.get(lesson=lessons[0]).status == Status.LATE
    assert not Attendance.objects.filter(lesson=lessons[2]).exists()
    # The teacher's entry is one event; the notice is one more, not one per excused lesson.
    assert OutboxEvent.objects.filter(kind="journal.attendance").count() == 1
    event = OutboxEvent.objects.get(kind="journal.absence_notice")
    assert event.school_id == journal.school.pk
    assert event.payload == {
        "notice_id": result.notice.pk,
        "student_id": journal.student.pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=3)).isoformat(),
        "reason": "Flu",
        "change": "created",
        "actor_id": parent.pk,
    }


def test_a_teacher_absence_under_a_notice_becomes_excused(journal, coming):
    today, lessons, parent = coming
    result = notify(journal, parent, today, today)
    assert result.excused_lessons == 1
    Attendance.objects.all().delete()
    entry = services.attendance_set(
        journal.teacher, lesson_id=lessons[0].pk, student_id=journal.student.pk, status=Status.ABSENT
    )
    assert entry is not None
    assert (entry.status, entry.source, entry.notice_id) == (
        Status.EXCUSED,
        Source.PARENT_NOTICE,
        result.notice.pk,
    )


def test_the_teacher_wins_over_a_notice_and_the_history_keeps_it(journal, coming):
    today, lessons, parent = coming
    notify(journal, parent, today, today + dt.timedelta(days=1))
    entry = Attendance.objects.get(lesson=lessons[0])
    services.attendance_set(
        journal.teacher,
        lesson_id=lessons[0].pk,
        student_id=journal.student.pk,
        status=Status.LATE,
        version=entry.version,
    )
    change = JournalChange.objects.order_by("id").last()
    assert change is not None
    assert j(change.old)["source"] == Source.PARENT_NOTICE
    assert j(change.new)["source"] == Source.TEACHER


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 0, "starts_on"), (2, 1, "ends_on"), (0, 30, "ends_on")],
)
def test_bad_notices_write_nothing(journal, coming, start, end, field):
    today, _lessons, parent = coming
    with pytest.raises(ValidationError) as caught:
        notify(journal, parent, today + dt.timedelta(days=start), today + dt.timedelta(days=end))
    assert field in caught.value.message_dict
    assert not (AbsenceNotice.objects.exists() or Attendance.objects.exists() or OutboxEvent.objects.exists())


def test_a_notice_needs_a_reason_and_no_overlap(journal, coming):
    today, _lessons, parent = coming
    with pytest.raises(ValidationError) as caught:
        notify(journal, parent, today, today, reason="  ")
    assert "reason" in caught.value.message_dict
    notify(journal, parent, today, today + dt.timedelta(days=2))
    with pytest.raises(ValidationError) as caught:
        notify(journal, parent, today + dt.timedelta(days=1), today + dt.timedelta(days=4))
    assert "starts_on" in caught.value.message_dict
    assert AbsenceNotice.objects.count() == 1


def test_only_a_guardian_gives_a_notice(journal, coming, world):
    today, _lessons, _parent = coming
    for user in (journal.student, journal.teacher, journal.class_teacher, journal.admin, world.a.parent):
        with pytest.raises(Http404):
            notify(journal, user, today, today)
    assert not AbsenceNotice.objects.exists()


def test_withdrawing_removes_the_untouched_coming_entries(journal, coming):
    today, lessons, parent = coming
    result = notify(journal, parent, today, today + dt.timedelta(days=2))
    assert result.excused_lessons == 2
    entry = Attendance.objects.get(lesson=lessons[0])
    services.attendance_set(
        journal.teacher,
        lesson_id=lessons[0].pk,
        student_id=journal.student.pk,
        status=Status.SICK,
        version=entry.version,
    )
    with pytest.raises(Http404):
        services.absence_notice_withdraw(journal.teacher, result.notice.pk)
    OutboxEvent.objects.all().delete()
    services.absence_notice_withdraw(parent, result.notice.pk)
    assert not Attendance.objects.filter(lesson=lessons[1]).exists()
    assert Attendance.objects.get(lesson=lessons[0]).status == Status.SICK
    assert AbsenceNotice.objects.get().withdrawn_at is not None
    event = OutboxEvent.objects.get()  # one event for the withdrawal, none per removed entry
    assert (event.kind, event.payload["change"], event.payload["notice_id"]) == (
        "journal.absence_notice",
        "withdrawn",
        result.notice.pk,
    )
    with pytest.raises(ValidationError):
        services.absence_notice_withdraw(parent, result.notice.pk)


def test_cancelled_lessons_are_not_excused(journal, coming):
    today, lessons, parent = coming
    Lesson.objects.filter(pk=lessons[0].pk).update(status=Lesson.Status.CANCELLED)
    assert notify(journal, parent, today, today + dt.timedelta(days=2)).excused_lessons == 1


def test_a_concurrent_first_entry_is_a_stale_write(journal, monkeypatch):
    # Another request inserts the entry between this one's read and its insert.
    def rival(student_id, day):
        f.AttendanceFactory.create(lesson=journal.lesson, student=journal.student, status=Status.SICK)

    monkeypatch.setattr(attendance_services, "_active_notice", rival)
    with pytest.raises(services.StaleVersion) as caught:
        set_(journal, Status.ABSENT)
    assert caught.value.current is not None
    assert caught.value.current["status"] == "sick"
    assert not JournalChange.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_marks_and_attendance_wait_for_the_lesson(journal, coming):
    """A lesson after today takes no mark and no attendance entry (field error on "lesson"); a
    notice still excuses it, and clearing an entry stays possible."""
    today, lessons, parent = coming
    tomorrow = lessons[1]
    with pytest.raises(ValidationError) as caught:
        services.attendance_set(
            journal.teacher, lesson_id=tomorrow.pk, student_id=journal.student.pk, status=Status.ABSENT
        )
    assert caught.value.message_dict["lesson"] == ["The lesson has not taken place yet."]
    with pytest.raises(ValidationError) as caught:
        services.mark_create(journal.teacher, lesson_id=tomorrow.pk, student_id=journal.student.pk, value=5)
    assert caught.value.message_dict["lesson"] == ["The lesson has not taken place yet."]
    assert not (Attendance.objects.exists() or JournalChange.objects.exists() or OutboxEvent.objects.exists())
    # Today's lesson takes both.
    services.mark_create(journal.teacher, lesson_id=lessons[0].pk, student_id=journal.student.pk, value=5)
    assert (
        notify(journal, parent, today + dt.timedelta(days=1), today + dt.timedelta(days=1)).excused_lessons
        == 1
    )
    entry = Attendance.objects.get(lesson=tomorrow)
    assert entry.source == Source.PARENT_NOTICE
    assert (
        services.attendance_set(
            journal.teacher,
            lesson_id=tomorrow.pk,
            student_id=journal.student.pk,
            status=None,
            version=entry.version,
        )
        is None
    )
