"""Who reads homework through work (``parta.homework.access``), tested on the access functions
themselves: a teacher their own lessons' and classes', an administrator the whole school's."""

from __future__ import annotations

import pytest
from django.http import Http404

from parta.homework.access import access_homework
from parta.schools.models import StaffMembership
from parta.testing import factories as f
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def test_a_teacher_reads_the_homework_of_their_own_lessons_only_not_their_whole_school(world: World) -> None:
    """9Б's homework is its teacher's (the class teacher) and the administrator's; the subject
    teacher of the same school, who does not teach 9Б, gets 404, also for who has done it."""
    a = world.a
    homework = f.HomeworkFactory.create(lesson=a.other_lesson)
    assert access_homework(a.class_teacher, homework.pk) == homework
    assert access_homework(a.admin, homework.pk, staff_only=True) == homework
    for staff_only in (False, True):
        with pytest.raises(Http404):
            access_homework(a.subject_teacher, homework.pk, staff_only=staff_only)


def test_an_administrator_who_also_teaches_elsewhere_still_reads_the_whole_school(world: World) -> None:
    """Roles add up: teaching in another school does not narrow an administrator to their lessons."""
    a = world.a
    f.StaffMembershipFactory.create(user=a.admin, school=world.b.school, role=StaffMembership.Role.TEACHER)
    admin = type(a.admin).objects.get(pk=a.admin.pk)
    homework = f.HomeworkFactory.create(lesson=a.other_lesson)
    assert access_homework(admin, homework.pk, staff_only=True) == homework


def test_a_substitute_reads_the_homework_of_the_lesson_they_taught(world: World) -> None:
    """A lesson's own teacher (a substitute) reads its homework though the assignment is another's."""
    a = world.a
    lesson = f.LessonFactory.create(
        assignment=a.other_lesson.assignment, teacher=a.subject_teacher, date=a.other_lesson.date, number=6
    )
    homework = f.HomeworkFactory.create(lesson=lesson)
    assert access_homework(a.subject_teacher, homework.pk, staff_only=True) == homework
