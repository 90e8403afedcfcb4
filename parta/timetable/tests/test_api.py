"""GET /api/v1/people/{id}/timetable: a person's lessons in a date range."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from parta.curriculum.models import Section, Topic
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.world import MONDAY
from parta.timetable.api import PersonTimetableApi
from parta.timetable.models import Lesson
from parta.timetable.selectors import MAX_RANGE_DAYS

WEEK = f"from={MONDAY}&to={MONDAY + dt.timedelta(days=6)}"


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def timetable(viewer, person, query: str = WEEK, status: int = 200) -> Any:
    response = client_for(viewer).get(f"/api/v1/people/{person.pk}/timetable?{query}")
    assert response.status_code == status, response.content
    return response.json()


def lesson_ids(body: Any) -> list[int]:
    return [lesson["id"] for lesson in body["lessons"]]


def test_a_student_sees_their_class_groups_lessons(world):
    body = timetable(world.a.student, world.a.student)
    assert body["person"] == {"id": world.a.student.pk, "full_name": world.a.student.full_name}
    assert body["from"] == str(MONDAY)
    assert body["to"] == str(MONDAY + dt.timedelta(days=6))
    [lesson] = body["lessons"]
    assert lesson["id"] == world.a.lesson.pk
    assert lesson["date"] == str(MONDAY)
    assert lesson["number"] == 2
    assert lesson["starts_at"] == "2026-09-07T10:00:00+03:00"
    assert lesson["ends_at"] == "2026-09-07T10:45:00+03:00"
    assert lesson["subject"] == {"code": "algebra", "name": "Algebra"}
    assert lesson["class_group"] == {"id": world.a.group.pk, "name": "7А"}
    assert lesson["teacher"] == {
        "id": world.a.subject_teacher.pk,
        "short_name": world.a.subject_teacher.short_name,
    }
    assert lesson["status"] == "scheduled"
    assert lesson["is_cancelled"] is lesson["is_substitution"] is False
    assert lesson["replaced_teacher"] is None
    assert lesson["topic"] is None


def test_a_parent_sees_each_childs_timetable(world):
    assert lesson_ids(timetable(world.a.parent, world.a.student)) == [world.a.lesson.pk]
    assert lesson_ids(timetable(world.a.parent, world.a.sibling)) == [world.a.other_lesson.pk]


def test_a_teacher_sees_what_they_teach(world):
    assert lesson_ids(timetable(world.a.class_teacher, world.a.class_teacher)) == [world.a.other_lesson.pk]
    # Colleagues and the administrator may see a teacher's timetable too.
    assert lesson_ids(timetable(world.a.admin, world.a.subject_teacher)) == [world.a.lesson.pk]


def test_a_student_sees_only_their_own_subgroup_of_a_split_lesson(world):
    first = f.SubgroupFactory.create(class_group=world.a.group, number=1)
    second = f.SubgroupFactory.create(class_group=world.a.group, subject=first.subject, number=2)
    f.SubgroupMembershipFactory.create(subgroup=first, student=world.a.student)
    mine, _theirs = (
        f.LessonFactory.create(
            assignment=f.TeachingAssignmentFactory.create(
                class_group=world.a.group, subgroup=subgroup, subject=first.subject
            ),
            date=MONDAY,
            number=4,
        )
        for subgroup in (first, second)
    )
    body = timetable(world.a.student, world.a.student)
    # The other subgroup's lesson at the same time is not the student's.
    assert lesson_ids(body) == [world.a.lesson.pk, mine.pk]
    assert body["lessons"][1]["subgroup"] == "7А/1"


def test_substitutions_and_cancellations_are_marked(world):
    substitute = f.UserFactory.create()
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        teacher=substitute, replaced_teacher=world.a.subject_teacher, note="Замена"
    )
    [lesson] = timetable(world.a.student, world.a.student)["lessons"]
    assert lesson["is_substitution"] is True
    assert lesson["teacher"]["id"] == substitute.pk
    assert lesson["replaced_teacher"] == {
        "id": world.a.subject_teacher.pk,
        "short_name": world.a.subject_teacher.short_name,
    }
    assert lesson["note"] == "Замена"
    # The planned teacher still sees the lesson, marked as taken over.
    assert lesson_ids(timetable(world.a.subject_teacher, world.a.subject_teacher)) == [world.a.lesson.pk]

    Lesson.objects.filter(pk=world.a.other_lesson.pk).update(status=Lesson.Status.CANCELLED)
    [cancelled] = timetable(world.a.sibling, world.a.sibling)["lessons"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["is_cancelled"] is True


def test_a_lesson_shows_its_topic(world):
    subject = world.a.assignment.subject
    section = Section.objects.create(
        subject=subject, grade=7, code="ALG-07-01", title_ru="Числа", title_en="Numbers", order=1
    )
    topic = Topic.objects.create(
        section=section,
        subject=subject,
        grade=7,
        code="ALG-07-01-01",
        title_ru="Дроби",
        title_en="Fractions",
        hours=2,
        order=1,
    )
    Lesson.objects.filter(pk=world.a.lesson.pk).update(topic=topic)
    [lesson] = timetable(world.a.student, world.a.student)["lessons"]
    assert lesson["topic"] == {"code": "ALG-07-01-01", "title": "Fractions"}


def test_the_timetable_writes_what_its_serializer_would(world):
    """The view writes its rows directly; they are exactly what OutputSerializer (the OpenAPI
    schema) would make of them, byte for byte."""
    substitute = f.UserFactory.create()
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        teacher=substitute, replaced_teacher=world.a.subject_teacher, note="Замена"
    )
    for viewer, person in (
        (world.a.student, world.a.student),
        (world.a.subject_teacher, world.a.subject_teacher),
    ):
        response = client_for(viewer).get(f"/api/v1/people/{person.pk}/timetable?{WEEK}")
        assert response.status_code == 200
        assert response.json()["lessons"]
        serialized = PersonTimetableApi.OutputSerializer(response.json()).data
        assert JSONRenderer().render(serialized) == response.content


def test_only_the_asked_days_are_returned(world):
    body = timetable(
        world.a.student,
        world.a.student,
        f"from={MONDAY + dt.timedelta(days=1)}&to={MONDAY + dt.timedelta(days=1)}",
    )
    assert body["lessons"] == []


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", {"from", "to"}),
        (f"from={MONDAY}", {"to"}),
        ("from=07.09.2026&to=2026-09-13", {"from"}),
        ("from=2026-09-13&to=2026-09-07", {"to"}),
        (f"from=2026-01-01&to={dt.date(2026, 1, 1) + dt.timedelta(days=MAX_RANGE_DAYS)}", {"to"}),
    ],
    ids=["nothing", "no-end", "wrong-format", "backwards", "too-long"],
)
def test_a_bad_range_is_a_400_with_field_messages(world, query, fields):
    body = timetable(world.a.student, world.a.student, query, status=400)
    assert body["detail"]
    assert set(body["errors"]) == fields


def test_the_longest_allowed_range_is_accepted(world):
    end = dt.date(2026, 1, 1) + dt.timedelta(days=MAX_RANGE_DAYS - 1)
    timetable(world.a.student, world.a.student, f"from=2026-01-01&to={end}")


def test_someone_elses_timetable_is_a_404_even_with_a_bad_range(world):
    body = timetable(world.b.parent, world.a.student, "from=oops", status=404)
    assert set(body) == {"detail", "code"}


@pytest.mark.parametrize("lessons", [1, 60])
def test_the_timetable_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries, lessons):
    day = MONDAY
    for number in range(lessons):
        f.LessonFactory.create(
            assignment=world.a.assignment,
            date=day + dt.timedelta(days=number // 6 * 7 + number % 6),
            number=5,
        )
    client = client_for(world.a.parent)
    url = f"/api/v1/people/{world.a.student.pk}/timetable?from={MONDAY}&to={MONDAY + dt.timedelta(days=90)}"
    with django_assert_max_num_queries(7):
        assert len(client.get(url).json()["lessons"]) == lessons + 1


@pytest.mark.parametrize(
    ("viewer", "person", "budget"),
    [
        # The token, then the person's lessons both as a teacher and as a student (with their
        # classes and subgroups): four queries whatever the person is.
        ("student", "student", 5),
        ("parent", "student", 6),  # and the child's own row, read to check it
        ("subject_teacher", "subject_teacher", 5),
        ("class_teacher", "class_teacher", 5),
    ],
)
def test_the_week_a_phone_opens_on_start_stays_within_budget(
    world, django_assert_max_num_queries, viewer, person, budget
):
    for number in range(20):
        f.LessonFactory.create(
            assignment=world.a.assignment if number % 2 else world.a.other_lesson.assignment,
            date=MONDAY + dt.timedelta(days=number % 5),
            number=4 + number // 5,
        )
    client = client_for(getattr(world.a, viewer))
    with django_assert_max_num_queries(budget):
        assert client.get(f"/api/v1/people/{getattr(world.a, person).pk}/timetable?{WEEK}").status_code == 200


def _teaches_in_both_schools(world):
    """The subject teacher of school A also teaches a lesson in school B."""
    teacher = world.a.subject_teacher
    f.StaffMembershipFactory(school=world.b.school, user=teacher)
    assignment = f.TeachingAssignmentFactory(
        class_group=world.b.other_group, teacher=teacher, subject=f.SubjectFactory(code="physics")
    )
    return f.LessonFactory(assignment=assignment, date=MONDAY, number=5)


def test_staff_see_a_colleagues_lessons_only_in_their_own_school(world):
    b_lesson = _teaches_in_both_schools(world)
    seen_by_a_admin = {row["id"] for row in timetable(world.a.admin, world.a.subject_teacher)["lessons"]}
    assert seen_by_a_admin == {world.a.lesson.pk}
    seen_by_b_admin = {row["id"] for row in timetable(world.b.admin, world.a.subject_teacher)["lessons"]}
    assert seen_by_b_admin == {b_lesson.pk}


def test_a_teacher_sees_all_of_their_own_lessons(world):
    b_lesson = _teaches_in_both_schools(world)
    own = {row["id"] for row in timetable(world.a.subject_teacher, world.a.subject_teacher)["lessons"]}
    assert own == {world.a.lesson.pk, b_lesson.pk}
