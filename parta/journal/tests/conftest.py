"""A journal to test on: a school with a year, two quarters, a class group of N students, a
teaching assignment with lessons in each quarter, and the school's default control forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from parta.accounts.models import User
from parta.journal.models import ControlForm
from parta.journal.services import journal_defaults_ensure
from parta.schools.models import ClassGroup, School, StaffMembership, StudyPeriod, TeachingAssignment
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.timetable.models import Lesson

Q1_MONDAY = dt.date(2026, 9, 7)
Q2_MONDAY = dt.date(2026, 11, 9)


@dataclass
class Journal:
    school: School
    admin: User
    teacher: User
    class_teacher: User
    group: ClassGroup
    students: list[User]
    assignment: TeachingAssignment
    q1: StudyPeriod
    q2: StudyPeriod
    lessons: list[Lesson]  # four in Q1
    q2_lesson: Lesson
    forms: dict[str, ControlForm]

    @property
    def lesson(self) -> Lesson:
        return self.lessons[0]

    @property
    def student(self) -> User:
        return self.students[0]


def build_journal(students: int = 3) -> Journal:
    school = f.SchoolFactory.create()
    year = f.AcademicYearFactory.create(school=school)
    q1 = f.StudyPeriodFactory.create(
        year=year, number=1, starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 10, 24)
    )
    q2 = f.StudyPeriodFactory.create(
        year=year, number=2, starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 12, 27)
    )
    admin, teacher, class_teacher = (f.UserFactory.create() for _ in range(3))
    f.StaffMembershipFactory.create(school=school, user=admin, role=StaffMembership.Role.ADMIN)
    for user in (teacher, class_teacher):
        f.StaffMembershipFactory.create(school=school, user=user, role=StaffMembership.Role.TEACHER)
    group = f.ClassGroupFactory.create(year=year, grade=5, letter="А", class_teacher=class_teacher)
    pupils = [f.UserFactory.create(last_name=f"Ученик{i:02d}") for i in range(students)]
    for pupil in pupils:
        f.EnrolmentFactory.create(class_group=group, student=pupil)
    subject = f.SubjectFactory.create(code="math", name_ru="Математика", name_en="Mathematics")
    assignment = f.TeachingAssignmentFactory.create(class_group=group, teacher=teacher, subject=subject)
    lessons = [
        f.LessonFactory.create(assignment=assignment, date=Q1_MONDAY + dt.timedelta(days=7 * i), number=2)
        for i in range(4)
    ]
    q2_lesson = f.LessonFactory.create(assignment=assignment, date=Q2_MONDAY, number=2)
    journal_defaults_ensure(school)
    forms = {form.code: form for form in ControlForm.objects.filter(school=school)}
    return Journal(
        school, admin, teacher, class_teacher, group, pupils, assignment, q1, q2, lessons, q2_lesson, forms
    )


@pytest.fixture
def journal(db: None) -> Journal:
    return build_journal()


@pytest.fixture
def make_journal(db: None) -> Callable[[int], Journal]:
    return build_journal


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def j(value: Any) -> dict[str, Any]:
    """A history row's old or new value, which must be there."""
    assert isinstance(value, dict)
    return value
