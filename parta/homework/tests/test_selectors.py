"""What each reader sees, and the query budgets of the hot paths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from parta.accounts.models import User
from parta.homework import selectors, selectors_work, work
from parta.homework.models import Homework, HomeworkCompletion, HomeworkFile, HomeworkLink
from parta.testing import factories as f
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db

WEEK = (MONDAY, MONDAY + dt.timedelta(days=6))


def test_the_students_week_has_links_files_and_the_tick(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson, due_on=MONDAY + dt.timedelta(days=2))
    HomeworkLink.objects.create(homework=homework, url="https://example.org", title="Site")
    HomeworkFile.objects.create(homework=homework, name="task.pdf", size=10, file="homework/task.pdf")
    f.HomeworkFactory.create(lesson=world.a.lesson, due_on=MONDAY + dt.timedelta(days=9))  # next week
    f.HomeworkFactory.create(lesson=world.a.other_lesson, due_on=MONDAY + dt.timedelta(days=2))  # sibling's
    work.homework_done(world.a.student, homework.pk)
    [row] = selectors.homework_for_student(world.a.parent, world.a.student.pk, *WEEK)
    assert (row.id, row.subject, row.done) == (homework.pk, "Algebra", True)
    assert row.done_at is not None
    assert [link.url for link in row.links] == ["https://example.org"]
    assert [(file.name, file.url) for file in row.files] == [
        ("task.pdf", f"/homework/files/{homework.files.get().pk}/")
    ]
    assert row.set_by_id == world.a.subject_teacher.pk


def test_the_list_filters_by_status(world):
    done = f.HomeworkFactory.create(lesson=world.a.lesson)
    todo = f.HomeworkFactory.create(lesson=world.a.lesson)
    work.homework_done(world.a.student, done.pk)

    def ids(status):
        return [r.id for r in selectors.homework_list(world.a.student, world.a.student.pk, status=status)]

    assert ids("done") == [done.pk]
    assert ids("todo") == [todo.pk]
    assert sorted(ids("all")) == sorted([done.pk, todo.pk])


def test_staff_see_only_the_homework_they_may_read(world):
    f.HomeworkFactory.create(lesson=world.a.lesson)
    assert len(selectors.homework_list(world.a.admin, world.a.student.pk)) == 1
    assert len(selectors.homework_list(world.a.class_teacher, world.a.student.pk)) == 1
    assert len(selectors.homework_list(world.a.subject_teacher, world.a.student.pk)) == 1
    for stranger in (world.b.parent, world.b.admin, world.outsider, world.a.sibling):
        with pytest.raises(Http404):
            selectors.homework_list(stranger, world.a.student.pk)


def test_homework_for_lessons_counts_done_of_the_group(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    work.homework_done(world.a.student, homework.pk)
    [item] = selectors.homework_for_lessons([world.a.lesson.pk, world.a.other_lesson.pk])[world.a.lesson.pk]
    assert (item.id, item.done_count, item.class_size) == (homework.pk, 1, 2)
    assert selectors.homework_for_lessons([]) == {}


def test_the_teacher_sees_who_has_done_it(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    classmate = world.a.classmate
    work.homework_done(world.a.student, homework.pk)
    completion = selectors_work.homework_completion(world.a.subject_teacher, homework.pk)
    ticks = {tick.student_id: tick.done for tick in completion.students}
    assert ticks == {world.a.student.pk: True, classmate.pk: False}
    assert completion.done_count == 1
    assert completion.group == "7А"
    for reader in (world.a.class_teacher, world.a.admin):
        assert selectors_work.homework_completion(reader, homework.pk).done_count == 1
    for stranger in (world.a.parent, world.a.student, world.b.subject_teacher, world.b.admin, world.outsider):
        with pytest.raises(Http404):
            selectors_work.homework_completion(stranger, homework.pk)


# --- query budgets -------------------------------------------------------------------------


def class_of(world, size: int) -> tuple[list[User], list[int], User]:
    """A class group of ``size`` students with five homework (links, files, half ticked) set by
    a teacher of their own."""
    teacher = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=world.a.school, user=teacher)
    group = f.ClassGroupFactory.create(year=world.a.group.year, building=world.a.group.building, grade=5)
    students = [f.UserFactory.create() for _ in range(size)]
    for student in students:
        f.EnrolmentFactory.create(class_group=group, student=student)
    assignment = f.TeachingAssignmentFactory.create(
        class_group=group, teacher=teacher, subject=world.a.assignment.subject
    )
    ids = []
    for day in range(5):
        lesson = f.LessonFactory.create(assignment=assignment, date=MONDAY + dt.timedelta(days=day), number=7)
        homework = f.HomeworkFactory.create(lesson=lesson, due_on=MONDAY + dt.timedelta(days=day + 1))
        HomeworkLink.objects.create(homework=homework, url="https://example.org", title="x")
        HomeworkFile.objects.create(homework=homework, name="a.pdf", size=1, file="homework/a.pdf")
        for student in students[: size // 2]:
            HomeworkCompletion.objects.create(school=homework.school, homework=homework, student=student)
        ids.append(homework.pk)
    return students, ids, teacher


def fresh(user: User) -> User:
    # A new object: the roles cached on the old one would hide their queries.
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("size", [5, 30])
def test_the_students_week_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries, size):
    students, _, teacher = class_of(world, size)
    for reader in (students[0], teacher, world.a.admin):
        user = fresh(reader)
        # The user's roles (1), the student (1), the homework with ticks (1), links and files (1).
        with django_assert_max_num_queries(4):
            rows = selectors.homework_for_student(user, students[0].pk, *WEEK)
        assert len(rows) == 5


@pytest.mark.parametrize("size", [5, 30])
def test_who_has_done_it_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries, size):
    _students, ids, teacher = class_of(world, size)
    user = fresh(teacher)
    # The user's roles (1), the homework (1), the work (1), the journal's marks (1), students (1),
    # links and files (1), the tests app's attempts (1).
    with django_assert_max_num_queries(7):
        completion = selectors_work.homework_completion(user, ids[0])
    assert len(completion.students) == size
    # The class's own lessons among many other ids (on PostgreSQL ids do not restart at 1 per test).
    lesson_ids = list(Homework.objects.filter(pk__in=ids).values_list("lesson_id", flat=True))
    # The homework (1), class and subgroup sizes (2), links and files (1).
    with django_assert_max_num_queries(4):
        lessons = selectors.homework_for_lessons(lesson_ids + list(range(1, 1000)))
    assert sum(len(items) for items in lessons.values()) >= 5


def test_query_counts_do_not_grow_with_the_class(world):
    counts = []
    for size in (5, 30):
        students, ids, teacher = class_of(world, size)
        with CaptureQueriesContext(connection) as week:
            selectors.homework_for_student(fresh(students[0]), students[0].pk, *WEEK)
        with CaptureQueriesContext(connection) as who:
            selectors_work.homework_completion(fresh(teacher), ids[0])
        counts.append((len(week), len(who)))
    assert counts[0] == counts[1]


def test_to_do_lists_what_is_due_next_before_what_is_overdue(world, monkeypatch):
    """November's overdue homework no longer comes before tomorrow's (issue 18, item 9)."""
    a = world.a
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: MONDAY)
    late = f.HomeworkFactory.create(lesson=a.lesson, due_on=MONDAY - dt.timedelta(days=5))
    soon = f.HomeworkFactory.create(lesson=a.lesson, due_on=MONDAY + dt.timedelta(days=1))
    rows = selectors.homework_list(a.student, a.student.pk, status="todo")
    assert [row.id for row in rows] == [soon.pk, late.pk]
