"""The generated journal looks like a real school's and keeps the journal's invariants: marks at a
realistic density on the school's scale, for students of the lesson's class group, only before
today; one attendance entry per lesson and student; homework due after its lesson; closed
periods with their marks; conversations and notifications for the demo accounts."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.db.models import Avg, Count, F

from parta.accounts.models import Guardianship
from parta.demo.generator import generate_city
from parta.demo.generator.journal import UNMARKED_GRADES, rounded
from parta.demo.generator.school import generate_school
from parta.homework.models import Homework, HomeworkCompletion
from parta.journal.models import (
    AbsenceNotice,
    Attendance,
    ControlForm,
    GradingScheme,
    Mark,
    PeriodMark,
    Remark,
)
from parta.messaging.models import Conversation, Message, Notification, Participant
from parta.messaging.notifications import render
from parta.schools.models import City, District, Enrolment, StudyPeriod, SubgroupMembership
from parta.timetable.models import Lesson

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """A small school with a first grade, a primary and a senior class, made once for this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate_city(
            schools=1,
            seed=3,
            grades=(1, 3, 7),
            groups_per_grade=1,
            students_per_group=12,
            today=TODAY,
            load_framework=False,
            demo_accounts=True,
        )
        transaction.set_rollback(True)


@pytest.fixture
def school(city, db):
    return city.schools[0]


def test_defaults_are_written(school):
    assert GradingScheme.objects.filter(school=school.school, subject__isnull=True).count() == 1
    weights = dict(ControlForm.objects.filter(school=school.school).values_list("code", "default_weight"))
    assert weights["test"] == 3 and weights["oral"] == 1
    assert (
        not Mark.objects.filter(school=school.school)
        .exclude(weight=F("control_form__default_weight"))
        .exists()
    )


def test_two_to_four_marks_per_student_per_subject_per_month(school):
    """September and October are whole months before today."""
    counts = Counter(
        (m["student_id"], m["subject_id"], m["lesson__subgroup_id"], m["date"].month)
        for m in Mark.objects.filter(school=school.school, date__month__in=(9, 10)).values(
            "student_id", "subject_id", "lesson__subgroup_id", "date"
        )
    )
    assert counts
    values = list(counts.values())
    assert max(values) <= 4
    assert 2.2 <= sum(values) / len(values) <= 3.6
    assert sum(1 for v in values if 2 <= v <= 4) >= 0.85 * len(values)
    # Every student of a marked grade has marks in every subject they attend.
    marked = Enrolment.objects.filter(year=school.year).exclude(class_group__grade__in=UNMARKED_GRADES)
    students = set(marked.values_list("student_id", flat=True))
    assert {s for s, *_rest in counts} == students


def test_first_graders_get_no_marks_and_no_homework(school):
    first = Enrolment.objects.filter(year=school.year, class_group__grade=1).values_list(
        "student_id", flat=True
    )
    assert first
    assert not Mark.objects.filter(student_id__in=list(first)).exists()
    assert not Homework.objects.filter(class_group__grade=1).exists()


def test_strong_and_weak_students_differ(school):
    averages = sorted(
        row["avg"]
        for row in Mark.objects.filter(school=school.school, value__isnull=False)
        .values("student_id")
        .annotate(avg=Avg("value"))
    )
    assert averages[-1] - averages[0] >= 1.0
    values = Counter(Mark.objects.filter(school=school.school).values_list("value", flat=True))
    assert set(values) <= {2, 3, 4, 5, None}
    assert values[2] < values[3] and values[2] > 0 and values[5] > 0


def test_tests_are_monthly_and_weigh_three(school):
    tests = Mark.objects.filter(school=school.school, control_form__code="test")
    assert tests.exists() and set(tests.values_list("weight", flat=True)) == {3}
    per_subject_month = Counter(
        (group, subject, date.month)
        for group, subject, _lesson, date in tests.values_list(
            "lesson__class_group_id", "subject_id", "lesson_id", "date"
        )
        .order_by()
        .distinct()
        if date.month in (9, 10)
    )
    # One test lesson a month per subject (subgroups of a split subject write theirs separately).
    assert max(per_subject_month.values()) <= 2


def test_owed_marks_have_a_date_and_no_value(school):
    owed = Mark.objects.filter(school=school.school, value__isnull=True)
    assert owed.exists()
    for mark in owed:
        assert mark.owed_until is not None and mark.owed_until > mark.date
        assert Attendance.objects.filter(lesson_id=mark.lesson_id, student_id=mark.student_id).exists()


def test_nothing_is_recorded_on_or_after_today(school):
    assert not Mark.objects.filter(date__gte=TODAY).exists()
    assert not Mark.objects.filter(lesson__date__gte=TODAY).exists()
    assert not Attendance.objects.filter(lesson__date__gte=TODAY).exists()
    assert not Homework.objects.filter(lesson__date__gte=TODAY).exists()
    assert not AbsenceNotice.objects.filter(starts_on__gte=TODAY).exists()
    assert not Message.objects.filter(created_at__date__gte=TODAY).exists()


def test_marks_and_attendance_belong_to_students_of_the_lesson(school):
    enrolled = set(Enrolment.objects.filter(year=school.year).values_list("student_id", "class_group_id"))
    members = set(SubgroupMembership.objects.values_list("student_id", "subgroup_id"))
    for model in (Mark, Attendance):
        for (
            student,
            group,
            subgroup,
            subject,
            lesson_subject,
            date,
            lesson_date,
            status,
        ) in model.objects.filter(school=school.school).values_list(
            "student_id",
            "lesson__class_group_id",
            "lesson__subgroup_id",
            "subject_id",
            "lesson__subject_id",
            "date",
            "lesson__date",
            "lesson__status",
        ):
            assert (student, group) in enrolled
            assert subgroup is None or (student, subgroup) in members
            assert subject == lesson_subject and date == lesson_date
            assert status == Lesson.Status.SCHEDULED


def test_no_mark_for_a_student_away_from_the_lesson(school):
    away = set(
        Attendance.objects.filter(school=school.school)
        .exclude(status=Attendance.Status.LATE)
        .values_list("lesson_id", "student_id")
    )
    marked = set(
        Mark.objects.filter(school=school.school, value__isnull=False).values_list("lesson_id", "student_id")
    )
    assert not away & marked


def test_attendance_is_one_per_lesson_and_student_and_about_five_percent(school):
    rows = Attendance.objects.filter(school=school.school)
    assert not rows.values("lesson_id", "student_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    statuses = Counter(rows.values_list("status", flat=True))
    assert statuses[Attendance.Status.SICK] and statuses[Attendance.Status.LATE]
    lessons = Lesson.objects.filter(year=school.year, date__lt=TODAY, status=Lesson.Status.SCHEDULED)
    group_size = dict(
        Enrolment.objects.filter(year=school.year)
        .values("class_group_id")
        .annotate(n=Count("id"))
        .values_list("class_group_id", "n")
    )
    subgroup_size = dict(
        SubgroupMembership.objects.values("subgroup_id")
        .annotate(n=Count("id"))
        .values_list("subgroup_id", "n")
    )
    seats = sum(
        subgroup_size[subgroup] if subgroup else group_size[group]
        for group, subgroup in lessons.values_list("class_group_id", "subgroup_id")
    )
    missed = sum(n for status, n in statuses.items() if status != Attendance.Status.LATE)
    assert 0.02 <= missed / seats <= 0.09


def test_sick_runs_last_several_days_and_notices_excuse_them(school):
    days = defaultdict(set)
    for student, date in Attendance.objects.filter(
        school=school.school, status__in=[Attendance.Status.SICK, Attendance.Status.EXCUSED]
    ).values_list("student_id", "date"):
        days[student].add(date)
    assert max(len(d) for d in days.values()) >= 3
    notices = AbsenceNotice.objects.filter(school=school.school)
    assert notices.exists()
    for notice in notices:
        covered = Attendance.objects.filter(notice=notice)
        assert covered.exists()
        assert set(covered.values_list("status", "source").distinct()) == {
            (Attendance.Status.EXCUSED, Attendance.Source.PARENT_NOTICE)
        }
        assert all(notice.starts_on <= d <= notice.ends_on for d in covered.values_list("date", flat=True))
        assert Guardianship.objects.filter(guardian=notice.reported_by, student=notice.student).exists()


def test_homework_is_due_at_a_later_lesson_of_the_subject(school):
    rows = Homework.objects.filter(school=school.school).select_related("lesson", "due_lesson")
    past = Lesson.objects.filter(
        year=school.year, date__lt=TODAY, status=Lesson.Status.SCHEDULED, class_group__grade__gt=1
    )
    share = rows.count() / past.count()
    assert 0.55 <= share <= 0.85
    for homework in rows:
        assert homework.due_on > homework.lesson.date
        assert homework.text.strip()
        assert homework.class_group_id == homework.lesson.class_group_id
        assert homework.subgroup_id == homework.lesson.subgroup_id
        if homework.due_lesson is not None:
            assert homework.due_lesson.date == homework.due_on
            assert homework.due_lesson.subject_id == homework.subject_id
            assert homework.due_lesson.subgroup_id == homework.subgroup_id
            # The next lesson of the subject on a later day: none in between.
            between = past.filter(
                class_group_id=homework.class_group_id,
                subject_id=homework.subject_id,
                date__gt=homework.lesson.date,
                date__lt=homework.due_on,
            )
            if homework.subgroup_id is None:
                assert not between.filter(subgroup__isnull=True).exists()
            else:
                assert not between.filter(subgroup_id=homework.subgroup_id).exists()


def test_most_past_homework_is_ticked_by_its_students(school):
    past = Homework.objects.filter(school=school.school, due_on__lt=TODAY)
    ticks = HomeworkCompletion.objects.filter(homework__in=past)
    enrolled = set(Enrolment.objects.filter(year=school.year).values_list("student_id", "class_group_id"))
    for student, group in ticks.values_list("student_id", "homework__class_group_id")[:500]:
        assert (student, group) in enrolled
    possible = 0
    for group, subgroup in past.values_list("class_group_id", "subgroup_id"):
        if subgroup:
            possible += SubgroupMembership.objects.filter(subgroup_id=subgroup).count()
        else:
            possible += Enrolment.objects.filter(class_group_id=group).count()
    assert 0.6 <= ticks.count() / possible <= 0.97


def test_finished_periods_are_closed_with_rounded_weighted_averages(school):
    finished = StudyPeriod.objects.filter(year=school.year, ends_on__lt=TODAY)
    assert finished.exists()
    assert not finished.filter(closed_at__isnull=True).exists()
    assert not StudyPeriod.objects.filter(
        year=school.year, ends_on__gte=TODAY, closed_at__isnull=False
    ).exists()
    period = finished.first()
    assert period is not None
    marks = PeriodMark.objects.filter(period=period)
    assert marks.exists()
    for mark in marks[:50]:
        rows = Mark.objects.filter(
            student=mark.student,
            subject=mark.subject,
            value__isnull=False,
            date__range=(period.starts_on, period.ends_on),
        ).values_list("value", "weight")
        total = sum((v or 0) * w for v, w in rows)
        weight = sum(w for _v, w in rows)
        assert mark.value == rounded(total, weight)
        assert mark.version == 1


def test_period_marks_round_the_weighted_average_half_up():
    assert rounded(7, 2) == 4 and rounded(349, 100) == 3 and rounded(5 * 3 + 2, 4) == 4


EVENT_KEYS = (
    "mark_id",
    "student_id",
    "lesson_id",
    "subject_id",
    "date",
    "value",
    "old_value",
    "weight",
    "control_form_id",
    "change",
    "actor_id",
)


def test_demo_accounts_have_conversations_and_notifications(city, db):
    parent, teacher, student = city.demo["parent"], city.demo["teacher"], city.demo["student"]
    direct = Conversation.objects.filter(kind=Conversation.Kind.DIRECT, participants__user=parent).filter(
        participants__user=teacher
    )
    assert direct.count() == 1
    conversation = direct.get()
    assert conversation.student_id == student.pk
    messages = list(conversation.messages.all())
    assert 2 <= len(messages) <= 5
    assert {m.author_id for m in messages} == {parent.pk, teacher.pk}
    assert [m.created_at for m in messages] == sorted(m.created_at for m in messages)
    reader = Participant.objects.get(conversation=conversation, user=parent)
    assert reader.last_read_at is not None
    assert reader.last_read_at < messages[-1].created_at, "the teacher's last message is unread"
    assert not Participant.objects.filter(conversation=conversation, user=student).exists()
    announcement = Conversation.objects.get(kind=Conversation.Kind.ANNOUNCEMENT)
    assert announcement.class_group is not None
    assert announcement.class_group.class_teacher_id == teacher.pk
    writers = Participant.objects.filter(conversation=announcement, can_write=True)
    assert list(writers.values_list("user_id", flat=True)) == [teacher.pk]
    assert Participant.objects.filter(conversation=announcement, user=parent, can_write=False).exists()
    kinds = Counter(Notification.objects.filter(recipient=parent).values_list("kind", flat=True))
    assert kinds["mark"] >= 1 and kinds["homework"] == 1
    mark_note = Notification.objects.filter(recipient=parent, kind="mark").first()
    assert mark_note is not None
    mark = Mark.objects.get(pk=mark_note.payload["mark_id"])
    # Made by the live handlers, so the payload carries what the text needs (the subject's names).
    assert mark_note.payload["subject"]["ru"]
    assert "«»" not in render(mark_note.kind, mark_note.payload, parent.pk)
    assert {key: mark_note.payload[key] for key in EVENT_KEYS} == {
        "mark_id": mark.pk,
        "student_id": student.pk,
        "lesson_id": mark.lesson_id,
        "subject_id": mark.subject_id,
        "date": mark.date.isoformat(),
        "value": mark.value,
        "old_value": None,
        "weight": mark.weight,
        "control_form_id": mark.control_form_id,
        "change": "created",
        "actor_id": mark.created_by_id,
    }
    assert Notification.objects.filter(recipient=student).exists()


def test_other_families_talk_to_teachers_of_their_children(school):
    for conversation in Conversation.objects.filter(kind=Conversation.Kind.DIRECT):
        users = set(conversation.participants.values_list("user_id", flat=True))
        assert len(users) == 2
        parents = Guardianship.objects.filter(student=conversation.student).values_list(
            "guardian_id", flat=True
        )
        parent = next(u for u in users if u in set(parents))
        teacher = (users - {parent}).pop()
        group = Enrolment.objects.get(student=conversation.student).class_group_id
        assert Lesson.objects.filter(class_group_id=group, teacher_id=teacher).exists() or (
            Enrolment.objects.filter(
                student=conversation.student, class_group__class_teacher_id=teacher
            ).exists()
        )
        assert 2 <= conversation.messages.count() <= 5


def _snapshot(school):
    return {
        "marks": sorted(
            Mark.objects.filter(school=school.school).values_list(
                "student__username",
                "lesson__date",
                "lesson__number",
                "subject__code",
                "value",
                "weight",
                "comment",
            )
        ),
        "attendance": sorted(
            Attendance.objects.filter(school=school.school).values_list(
                "student__username", "lesson__date", "lesson__number", "status", "reason"
            )
        ),
        "homework": sorted(
            Homework.objects.filter(school=school.school).values_list(
                "lesson__date", "lesson__number", "class_group__grade", "subject__code", "text", "due_on"
            )
        ),
        "ticks": HomeworkCompletion.objects.filter(school=school.school).count(),
        "messages": sorted(
            Message.objects.filter(conversation__school=school.school).values_list("author__username", "body")
        ),
    }


def _generate_and_forget(seed):
    with transaction.atomic():
        city = City.objects.create(name="Тест")
        school = generate_school(
            city=city,
            district=District.objects.create(city=city, name="Район"),
            number=9,
            seed=seed,
            grades=(3, 8),
            groups_per_grade=1,
            students_per_group=5,
            today=TODAY,
            with_plans=False,
        )
        data = _snapshot(school)
        transaction.set_rollback(True)
    return data


def test_the_same_seed_gives_the_same_journal(db):
    first = _generate_and_forget(seed=21)
    assert first["marks"] and first["attendance"] and first["homework"] and first["messages"]
    assert _generate_and_forget(seed=21) == first
    assert _generate_and_forget(seed=22)["marks"] != first["marks"]


def test_without_the_journal_nothing_is_made(db):
    with transaction.atomic():
        city = generate_city(
            schools=1,
            seed=4,
            grades=(3,),
            groups_per_grade=1,
            students_per_group=4,
            today=TODAY,
            load_framework=False,
            with_journal=False,
        )
        assert "marks" not in city.schools[0].counts
        made = city.schools[0].school
        assert not Mark.objects.filter(school=made).exists()
        assert not Homework.objects.filter(school=made).exists()
        transaction.set_rollback(True)


def test_teachers_write_remarks_and_praise_about_students_who_were_there(school):
    remarks = Remark.objects.filter(school=school.school)
    kinds = Counter(remarks.values_list("kind", flat=True))
    assert kinds[Remark.Kind.REMARK] > 0 and kinds[Remark.Kind.PRAISE] > 0
    lessons = Lesson.objects.filter(school=school.school, date__lt=TODAY).count()
    assert 0.02 < remarks.count() / lessons < 0.06
    assert not remarks.filter(date__gte=TODAY).exists()
    away = set(
        Attendance.objects.filter(school=school.school)
        .exclude(status=Attendance.Status.LATE)
        .values_list("lesson_id", "student_id")
    )
    assert not away & set(remarks.values_list("lesson_id", "student_id"))
    # Written by the lesson's teacher, about a student of its class (or subgroup).
    assert not remarks.exclude(created_by_id=F("lesson__teacher_id")).exists()
    enrolled = set(Enrolment.objects.values_list("class_group_id", "student_id"))
    assert {(g, s) for g, s in remarks.values_list("lesson__class_group_id", "student_id")} <= enrolled
