"""Rules of the journal's services that no other test pinned down: found alive by a mutation run
(docs/decisions/0008-test-blind-spots.md, "Mutation testing")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parta.journal import services
from parta.journal.models import AbsenceNotice, Attendance, GradingScheme, JournalChange, Scale
from parta.journal.tests.conftest import j
from parta.outbox.models import OutboxEvent
from parta.schools.models import StudyPeriod
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic

Status = Attendance.Status
Source = Attendance.Source


def mark(journal, **kwargs):
    params = {"lesson_id": journal.lesson.pk, "student_id": journal.student.pk, "value": 4}
    params.update(kwargs)
    return services.mark_create(journal.teacher, **params)


# --- grading schemes and study periods ----------------------------------------------------


def test_a_subject_without_a_scheme_of_its_own_takes_the_schools_default_not_another_subjects(journal):
    """Another subject's 10-point scheme does not apply to this subject: the school's default does."""
    other = f.SubjectFactory.create()
    GradingScheme.objects.create(school=journal.school, subject=other, scale=Scale.TEN)
    scheme = services.grading_scheme_for(journal.school.pk, journal.assignment.subject_id)
    assert (scheme.scale, scheme.subject_id) == (Scale.FIVE, None)
    with pytest.raises(ValidationError) as caught:
        services.period_mark_set(
            journal.teacher,
            student_id=journal.student.pk,
            subject_id=journal.assignment.subject_id,
            class_group_id=journal.group.pk,
            period_id=journal.q1.pk,
            value=8,
        )
    assert "value" in caught.value.message_dict


def test_a_school_without_schemes_grades_on_five_points(journal):
    """The unsaved fallback scheme: the school's, 5-point, rounding up from 0.50."""
    GradingScheme.objects.filter(school=journal.school).delete()
    scheme = services.grading_scheme_for(journal.school.pk, journal.assignment.subject_id)
    assert scheme.pk is None
    assert (scheme.school_id, scheme.scale, str(scheme.round_up_from)) == (
        journal.school.pk,
        Scale.FIVE,
        "0.50",
    )


def test_a_mark_in_a_lesson_between_periods_cannot_be_changed_even_if_another_school_has_a_period_then(
    journal,
):
    """The lesson's date must fall inside a study period of its own year: the gap between two
    quarters is outside both, and another school's period covering the day does not count."""
    gap = f.LessonFactory.create(assignment=journal.assignment, date=dt.date(2026, 10, 28), number=3)
    stale = f.MarkFactory.create(lesson=gap, student=journal.student)
    f.StudyPeriodFactory.create(starts_on=dt.date(2026, 10, 26), ends_on=dt.date(2026, 10, 30))
    with pytest.raises(ValidationError) as caught:
        services.mark_delete(journal.teacher, stale.pk, version=stale.version)
    assert "lesson" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.mark_update(journal.teacher, stale.pk, version=stale.version, value=3)
    assert "lesson" in caught.value.message_dict


def test_a_coming_lesson_takes_a_topic_though_not_yet_marks(journal):
    """Topics are planned ahead: only marks and attendance wait for the lesson to take place."""
    today = timezone.localdate()
    StudyPeriod.objects.filter(pk=journal.q2.pk).update(
        starts_on=today - dt.timedelta(days=5), ends_on=today + dt.timedelta(days=60)
    )
    coming = f.LessonFactory.create(
        assignment=journal.assignment, date=today + dt.timedelta(days=7), number=4
    )
    topic = framework_topic(journal.assignment.subject, 5, "m5-1")
    assert services.lesson_topic_set(journal.teacher, coming.pk, topic.pk).topic_id == topic.pk
    with pytest.raises(ValidationError) as caught:
        mark(journal, lesson_id=coming.pk)
    assert "lesson" in caught.value.message_dict


# --- marks ----------------------------------------------------------------------------------


def test_the_limits_of_a_mark_are_inclusive(journal):
    """A weight of 10, a comment and a reason of 500 characters and an owed mark due on the
    lesson's own day are all allowed; the history of each is the subject's, made by a person (no
    machine principal)."""
    made = mark(journal, weight=10, comment="x" * 500, reason="r" * 500)
    assert (made.weight, len(made.comment)) == (10, 500)
    owed = mark(journal, value=None, owed_until=journal.lesson.date, student_id=journal.students[1].pk)
    assert owed.owed_until == journal.lesson.date
    history = JournalChange.objects.values_list("subject_id", "principal", "actor_id")
    assert set(history) == {(journal.assignment.subject_id, "", journal.teacher.pk)}


@pytest.mark.parametrize("weight", [True, "2", 2.0])
def test_a_weight_is_a_whole_number_not_a_flag_or_a_string(journal, weight):
    """``True`` is an int to Python but no weight; a string or a float is a 400, not a crash."""
    with pytest.raises(ValidationError) as caught:
        mark(journal, weight=weight)
    assert "weight" in caught.value.message_dict


@pytest.mark.parametrize("student_id", ["abc", None])
def test_a_student_that_is_no_id_is_a_400_not_a_crash(journal, student_id):
    """What the API cannot make an id of is refused as not in the lesson."""
    with pytest.raises(ValidationError) as caught:
        mark(journal, student_id=student_id)
    assert "student" in caught.value.message_dict


def test_a_reason_longer_than_500_characters_is_a_400(journal):
    """The history keeps at most 500 characters of reason: a longer one is refused, not cut."""
    with pytest.raises(ValidationError) as caught:
        mark(journal, reason="x" * 501)
    assert "reason" in caught.value.message_dict


def test_a_repeated_origin_returns_its_mark_even_once_the_period_is_closed(journal):
    """Idempotency comes first: the app that made the mark gets it back as it is, without the
    checks a new mark would now fail (a closed period wants a reason) and without a second write."""
    made = mark(journal, origin="homework.handin:45")
    services.period_close(journal.admin, journal.q1.pk)
    again = mark(journal, origin="homework.handin:45", value=2)
    assert (again.pk, again.value) == (made.pk, 4)
    assert OutboxEvent.objects.filter(kind="journal.mark").count() == 1


def test_an_origin_is_1_to_100_characters(journal):
    """The bounds of an origin are inclusive; an empty one names no record and is refused."""
    for student, origin in zip(journal.students, ("a", "o" * 100), strict=False):
        assert mark(journal, student_id=student.pk, origin=origin).origin == origin
    for origin in ("", "o" * 101):
        with pytest.raises(ValidationError) as caught:
            mark(journal, student_id=journal.students[2].pk, origin=origin)
        assert "origin" in caught.value.message_dict


def test_a_mark_with_a_value_is_owed_no_more(journal):
    """An owed date given with a value is dropped: the mark is made, nothing is owed."""
    made = mark(journal, value=5, owed_until=dt.date(2026, 9, 14))
    made.refresh_from_db()
    assert (made.value, made.owed_until) == (5, None)


def test_changing_a_marks_control_form_takes_only_the_schools_forms(journal):
    """A change of control form names one of the school's forms (another school's is a 400), keeps
    the weight, and ``None`` clears it."""
    made = mark(journal, control_form_id=journal.forms["oral"].pk)
    quiz = journal.forms["quiz"]
    changed = services.mark_update(journal.teacher, made.pk, version=1, control_form_id=quiz.pk)
    assert (changed.control_form_id, changed.weight, changed.version) == (quiz.pk, 1, 2)
    elsewhere = f.ControlFormFactory.create(code="quiz")
    with pytest.raises(ValidationError) as caught:
        services.mark_update(journal.teacher, made.pk, version=2, control_form_id=elsewhere.pk)
    assert "control_form" in caught.value.message_dict
    cleared = services.mark_update(journal.teacher, made.pk, version=2, control_form_id=None)
    assert (cleared.control_form_id, cleared.version) == (None, 3)


def test_a_reader_who_may_not_write_cannot_change_or_delete_a_mark(journal):
    """The class teacher reads the journal of a subject they do not teach, and gets a 403 on its marks."""
    made = mark(journal)
    with pytest.raises(PermissionDenied):
        services.mark_update(journal.class_teacher, made.pk, version=1, value=5)
    with pytest.raises(PermissionDenied):
        services.mark_delete(journal.class_teacher, made.pk, version=1)
    made.refresh_from_db()
    assert (made.value, made.version) == (4, 1)


def test_mark_data_is_the_whole_mark_as_the_api_shows_it(journal):
    """An owed mark's date and «—»; a pass/fail mark shows «pass», not its number."""
    owed = mark(journal, value=None, owed_until=dt.date(2026, 9, 14))
    assert services.mark_data(owed) == {
        "id": owed.pk,
        "lesson": journal.lesson.pk,
        "student": journal.student.pk,
        "scale": Scale.FIVE,
        "value": None,
        "display": "—",
        "weight": 1,
        "control_form": None,
        "comment": "",
        "owed_until": "2026-09-14",
        "version": 1,
    }
    GradingScheme.objects.filter(school=journal.school).update(scale=Scale.PASS_FAIL)
    passed = mark(journal, value=1, student_id=journal.students[1].pk)
    assert (services.mark_data(passed)["display"], services.mark_data(passed)["owed_until"]) == ("pass", None)


def test_changing_and_deleting_a_mark_each_emit_the_schools_mark_event(journal):
    """The update's and the delete's events are ``journal.mark`` of the mark's school, like the create's."""
    made = mark(journal)
    services.mark_update(journal.teacher, made.pk, version=1, value=5)
    services.mark_delete(journal.teacher, made.pk, version=2)
    events = list(OutboxEvent.objects.order_by("id"))
    assert [(e.kind, e.school_id, e.payload["change"]) for e in events] == [
        ("journal.mark", journal.school.pk, change) for change in ("created", "changed", "deleted")
    ]
    assert [(e.payload["value"], e.payload["old_value"]) for e in events] == [(4, None), (5, 4), (None, 5)]


# --- attendance -----------------------------------------------------------------------------


def notice_for(journal, student=None, *, starts_on=None, ends_on=None, withdrawn=False):
    day = journal.lesson.date
    return AbsenceNotice.objects.create(
        school=journal.school,
        student=student or journal.student,
        reported_by=journal.teacher,
        starts_on=starts_on or day,
        ends_on=ends_on or day,
        reason="Flu",
        withdrawn_at=timezone.now() if withdrawn else None,
    )


def absent(journal, **kwargs):
    return services.attendance_set(
        journal.teacher,
        lesson_id=journal.lesson.pk,
        student_id=journal.student.pk,
        status=Status.ABSENT,
        **kwargs,
    )


@pytest.mark.parametrize(
    "notice",
    [
        pytest.param({"other_student": True}, id="another-childs-notice"),
        pytest.param({"withdrawn": True}, id="withdrawn"),
        pytest.param({"days": (-3, -1)}, id="ended-the-day-before"),
        pytest.param({"days": (1, 3)}, id="starts-the-day-after"),
    ],
)
def test_only_the_childs_own_active_notice_covering_the_day_excuses_an_absence(journal, notice):
    """The teacher's absence stays an absence unless a notice of this child, not withdrawn, covers
    the lesson's day."""
    day = journal.lesson.date
    days = notice.get("days", (0, 0))
    notice_for(
        journal,
        journal.students[1] if notice.get("other_student") else None,
        starts_on=day + dt.timedelta(days=days[0]),
        ends_on=day + dt.timedelta(days=days[1]),
        withdrawn=notice.get("withdrawn", False),
    )
    entry = absent(journal)
    assert entry is not None
    assert (entry.status, entry.source, entry.notice_id) == (Status.ABSENT, Source.TEACHER, None)


def test_attendance_data_names_the_notice_and_clearing_emits_no_status(journal):
    """The API's attendance row names the notice that excused it; the deletion's event has no
    status and is the lesson's school's."""
    notice = notice_for(journal)
    entry = absent(journal)
    assert entry is not None
    assert services.attendance_data(entry) == {
        "id": entry.pk,
        "lesson": journal.lesson.pk,
        "student": journal.student.pk,
        "status": Status.EXCUSED,
        "reason": "Flu",
        "source": Source.PARENT_NOTICE,
        "notice": notice.pk,
        "version": 1,
    }
    services.attendance_set(
        journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, status=None, version=1
    )
    event = OutboxEvent.objects.order_by("id").last()
    assert event is not None
    assert (event.school_id, event.payload["change"], event.payload["status"]) == (
        journal.school.pk,
        "deleted",
        None,
    )
    assert event.payload["old_status"] == Status.EXCUSED


# --- period marks ---------------------------------------------------------------------------


def test_period_mark_data_and_history_are_the_whole_mark(journal):
    """The API's period mark and its history rows: the cell (student, subject, class group,
    period), the scale, the value as shown; the history is the student's and the subject's."""
    GradingScheme.objects.filter(school=journal.school).update(scale=Scale.PASS_FAIL)
    made = services.period_mark_set(
        journal.teacher,
        student_id=journal.student.pk,
        subject_id=journal.assignment.subject_id,
        class_group_id=journal.group.pk,
        period_id=journal.q1.pk,
        value=1,
    )
    assert made is not None
    assert services.period_mark_data(made) == {
        "id": made.pk,
        "student": journal.student.pk,
        "subject": journal.assignment.subject_id,
        "class_group": journal.group.pk,
        "period": journal.q1.pk,
        "scale": Scale.PASS_FAIL,
        "value": 1,
        "not_attested": False,
        "display": "pass",
        "version": 1,
    }
    change = JournalChange.objects.get(kind=JournalChange.Kind.PERIOD_MARK)
    assert (change.student_id, change.subject_id, change.old) == (
        journal.student.pk,
        journal.assignment.subject_id,
        None,
    )
    assert j(change.new) == {"period": journal.q1.pk, "scale": Scale.PASS_FAIL, "value": 1, "version": 1}


def test_a_notice_excuses_the_childs_own_lessons_only(journal):
    """Among the lessons in the notice's days: the child's class group's whole-class lessons and
    those of the child's own subgroup, not another subgroup's nor another class group's."""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    subject = journal.assignment.subject
    mine, theirs = (
        f.SubgroupFactory.create(class_group=journal.group, subject=subject, number=n) for n in (1, 2)
    )
    f.SubgroupMembershipFactory.create(subgroup=mine, student=journal.student)
    lessons = {"whole": f.LessonFactory.create(assignment=journal.assignment, date=tomorrow, number=1)}
    for name, subgroup, number in (("mine", mine, 2), ("theirs", theirs, 3)):
        assignment = f.TeachingAssignmentFactory.create(
            class_group=journal.group, subject=subject, subgroup=subgroup, teacher=journal.teacher
        )
        lessons[name] = f.LessonFactory.create(assignment=assignment, date=tomorrow, number=number)
    lessons["elsewhere"] = f.LessonFactory.create(date=tomorrow, number=4)
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    result = services.absence_notice_create(
        parent, student_id=journal.student.pk, starts_on=today, ends_on=tomorrow, reason="Flu"
    )
    excused = set(Attendance.objects.filter(notice=result.notice).values_list("lesson_id", flat=True))
    assert excused == {lessons["whole"].pk, lessons["mine"].pk}
    assert result.excused_lessons == 2
