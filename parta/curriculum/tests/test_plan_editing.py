"""Item 5 of the real-school issue: every new teaching assignment gets the framework's thematic
plan (through an outbox event, whatever made the assignment); the teacher edits the plan and the
lessons from today on follow it; the family reads it on the subject's diary page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.accounts.models import User
from parta.curriculum import selectors
from parta.curriculum.events import plans_for_new_assignments
from parta.curriculum.models import PlanItem, ThematicPlan, Topic
from parta.curriculum.services import thematic_plan_build_default, thematic_plan_save
from parta.journal.tests.conftest import Journal, build_journal
from parta.outbox.models import OutboxEvent
from parta.schools import services as schools
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic
from parta.timetable.models import Lesson
from parta.timetable.services import lessons_assign_topics_for_year


@pytest.fixture
def journal(db: None) -> Journal:
    return build_journal()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _framework(journal: Journal) -> list[Topic]:
    subject = journal.assignment.subject
    topics = [framework_topic(subject, 5, f"MAT-05-01-0{n}") for n in (1, 2, 3)]
    for order, topic in enumerate(topics, start=1):
        Topic.objects.filter(pk=topic.pk).update(order=order, hours=2)
    return list(Topic.objects.filter(pk__in=[t.pk for t in topics]).order_by("order"))


def _future_lessons(journal: Journal, count: int) -> list[Lesson]:
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    return [
        f.LessonFactory.create(assignment=journal.assignment, date=monday + dt.timedelta(days=day), number=3)
        for day in range(count)
    ]


def test_a_new_assignment_gets_the_frameworks_plan(
    journal: Journal, django_capture_on_commit_callbacks
) -> None:
    topics = _framework(journal)
    group = f.ClassGroupFactory.create(year=journal.group.year, grade=5, letter="Б")
    with django_capture_on_commit_callbacks(execute=True):  # the event is delivered after commit
        assignment = schools.teaching_assignment_create(
            actor=journal.admin,
            school=journal.school,
            class_group=group,
            subject=journal.assignment.subject,
            teacher=journal.teacher,
            hours_per_week=5,
        )
    plan = selectors.plan_of(assignment.pk)
    assert plan is not None
    assert [item.topic_id for item in plan.items] == [t.pk for t in topics]
    assert plan.hours == 6
    assert OutboxEvent.objects.filter(
        kind=schools.ASSIGNMENT_CREATED, payload={"assignment": assignment.pk}
    ).exists()


def test_a_repeated_event_never_replaces_a_plan_the_teacher_changed(journal: Journal) -> None:
    topics = _framework(journal)
    plan = thematic_plan_build_default(journal.assignment)
    thematic_plan_save(journal.teacher, plan.pk, [(topics[2].pk, 5)])
    event = OutboxEvent.objects.create(
        kind=schools.ASSIGNMENT_CREATED,
        payload={"assignment": journal.assignment.pk},
        school_id=journal.school.pk,
    )
    plans_for_new_assignments([event])
    assert list(PlanItem.objects.filter(plan=plan).values_list("topic_id", "hours")) == [(topics[2].pk, 5)]
    assert ThematicPlan.objects.filter(assignment=journal.assignment).count() == 1


def test_the_lessons_from_today_on_follow_the_plan_and_past_ones_keep_theirs(
    journal: Journal, django_capture_on_commit_callbacks
) -> None:
    topics = _framework(journal)
    plan = thematic_plan_build_default(journal.assignment)
    past = journal.lessons[0]
    Lesson.objects.filter(pk=past.pk).update(topic=topics[0])
    future = _future_lessons(journal, 4)
    # The third topic first, three hours; then the first, one hour; the second is removed.
    with django_capture_on_commit_callbacks(execute=True):
        thematic_plan_save(journal.teacher, plan.pk, [(topics[2].pk, 3), (topics[0].pk, 1)])
    # Five lessons before today take places 1–5 of the plan; the four ahead are places 6–9, past the
    # plan's four hours: reserve hours without a topic.
    assert Lesson.objects.get(pk=past.pk).topic_id == topics[0].pk
    assert [Lesson.objects.get(pk=lesson.pk).topic_id for lesson in future] == [None] * 4
    with django_capture_on_commit_callbacks(execute=True):
        thematic_plan_save(journal.teacher, plan.pk, [(topics[2].pk, 6), (topics[0].pk, 2)])
    assert [Lesson.objects.get(pk=lesson.pk).topic_id for lesson in future] == [
        topics[2].pk,
        topics[0].pk,
        topics[0].pk,
        None,
    ]
    assert Lesson.objects.get(pk=past.pk).topic_id == topics[0].pk  # given already: kept


def test_a_plan_keeps_to_its_subject_and_its_teacher(journal: Journal) -> None:
    topics = _framework(journal)
    plan = thematic_plan_build_default(journal.assignment)
    other_subject = f.SubjectFactory.create(code="russian")
    foreign = framework_topic(other_subject, 5, "RUS-05-01-01")
    for items in ([(foreign.pk, 2)], [(topics[0].pk, 1), (topics[0].pk, 2)], [(topics[0].pk, 0)]):
        with pytest.raises(ValidationError):
            thematic_plan_save(journal.teacher, plan.pk, items)
    assert PlanItem.objects.filter(plan=plan).count() == 3
    other_admin = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=f.SchoolFactory.create(), user=other_admin, role="admin")
    for outsider in (journal.class_teacher, journal.student, other_admin):
        with pytest.raises(Http404):
            thematic_plan_save(outsider, plan.pk, [(topics[0].pk, 1)])
    thematic_plan_save(journal.admin, plan.pk, [(topics[1].pk, 1)])  # the school's administrator may


def test_the_teacher_edits_the_plan_on_its_page(journal: Journal) -> None:
    topics = _framework(journal)
    thematic_plan_build_default(journal.assignment)
    url = reverse("journal-plan", args=[journal.assignment.pk])
    client = _client(journal.teacher)
    page = client.get(url).content.decode()
    assert topics[0].title_en in page or topics[0].title_ru in page
    assert 'name="hours"' in page
    answer = client.post(
        url,
        {
            "topic": [str(t.pk) for t in topics],
            "hours": ["2", "4", "2"],
            "order": ["3", "1", "2"],
            "remove": [str(topics[2].pk)],
        },
    )
    assert answer.status_code == 302
    assert list(PlanItem.objects.order_by("order").values_list("topic_id", "hours")) == [
        (topics[1].pk, 4),
        (topics[0].pk, 2),
    ]
    bad = client.post(url, {"topic": [str(topics[1].pk)], "hours": ["many"], "order": ["1"]})
    assert bad.status_code == 400
    assert PlanItem.objects.count() == 2
    added = client.post(
        url,
        {
            "topic": [str(topics[1].pk)],
            "hours": ["4"],
            "order": ["1"],
            "add_topic": str(topics[2].pk),
            "add_hours": "3",
        },
    )
    assert added.status_code == 302
    assert list(PlanItem.objects.order_by("order").values_list("topic_id", "hours")) == [
        (topics[1].pk, 4),
        (topics[2].pk, 3),
    ]
    # The class teacher reads a colleague's plan but gets no form; a stranger gets 404.
    read_only = _client(journal.class_teacher).get(url)
    assert read_only.status_code == 200 and 'name="hours"' not in read_only.content.decode()
    assert _client(journal.class_teacher).post(url, {"add_topic": str(topics[0].pk)}).status_code == 200
    assert PlanItem.objects.count() == 2
    stranger = f.UserFactory.create()
    assert _client(stranger).get(url).status_code == 404


def test_the_family_reads_the_plan_on_the_subjects_diary_page(journal: Journal) -> None:
    topics = _framework(journal)
    thematic_plan_build_default(journal.assignment)
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    url = reverse("diary-subject", args=[journal.student.pk, journal.assignment.subject.code])
    page = _client(parent).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "plan-title" in text and (topics[1].title_ru in text or topics[1].title_en in text)
    stranger = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=stranger, student=f.UserFactory.create())
    assert _client(stranger).get(url).status_code == 404


def test_parents_and_other_schools_neither_read_nor_change_the_plan_page(journal: Journal) -> None:
    topics = _framework(journal)
    plan = thematic_plan_build_default(journal.assignment)
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    other_teacher = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=f.SchoolFactory.create(), user=other_teacher, role="teacher")
    url = reverse("journal-plan", args=[journal.assignment.pk])
    for outsider in (parent, journal.student, other_teacher):
        assert _client(outsider).get(url).status_code == 404
        assert _client(outsider).post(url, {"add_topic": str(topics[0].pk)}).status_code == 404
        with pytest.raises(Http404):
            thematic_plan_save(outsider, plan.pk, [(topics[0].pk, 1)])
    assert PlanItem.objects.filter(plan=plan).count() == 3


def test_topics_are_given_again_only_from_the_date_asked(journal: Journal) -> None:
    """Publishing a timetable from a date gives topics from that date on; without a date, to every
    lesson of the year."""
    topics = _framework(journal)
    thematic_plan_build_default(journal.assignment)
    first = journal.lessons[0]
    Lesson.objects.filter(pk=first.pk).update(topic=topics[2])  # the teacher's own pick
    year = journal.group.year
    lessons_assign_topics_for_year(year=year, since=first.date + dt.timedelta(days=1))
    assert Lesson.objects.get(pk=first.pk).topic_id == topics[2].pk
    assert Lesson.objects.get(pk=journal.lessons[1].pk).topic_id == topics[0].pk  # place 2 of the plan
    lessons_assign_topics_for_year(year=year)
    assert Lesson.objects.get(pk=first.pk).topic_id == topics[0].pk
