"""Two whole schools for access tests, after Kolibri's two-facility helper.

Each school has an administrator, a class teacher, a subject teacher, a parent of two
students (in different class groups), a second family in the first student's class group (the
classmate and the classmate's parent), and lessons; an outsider belongs nowhere. Tests ask for
the wrong school's, wrong parent's (the classmate's parent in the very same class group too) and
wrong teacher's things and expect 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from parta.accounts.models import User
from parta.schools.models import CityRole, ClassGroup, School, StaffMembership, TeachingAssignment
from parta.testing import factories as f
from parta.timetable.models import Lesson

MONDAY = dt.date(2026, 9, 7)


@dataclass
class SchoolWorld:
    school: School
    admin: User
    class_teacher: User
    subject_teacher: User
    parent: User
    student: User
    sibling: User
    group: ClassGroup
    other_group: ClassGroup
    assignment: TeachingAssignment
    lesson: Lesson
    other_lesson: Lesson
    # A second family in ``group``: sharing a class group must not open the other family's child.
    classmate: User
    classmate_parent: User


@dataclass
class World:
    a: SchoolWorld
    b: SchoolWorld
    outsider: User
    methodologist: User


def build_school(index: int, city_school: School | None = None) -> SchoolWorld:
    school = city_school or f.SchoolFactory.create()
    year = f.AcademicYearFactory.create(school=school)
    f.StudyPeriodFactory.create(year=year)
    building = f.BuildingFactory.create(school=school)
    admin = f.UserFactory.create(username=f"admin{index}")
    class_teacher = f.UserFactory.create(username=f"class_teacher{index}")
    subject_teacher = f.UserFactory.create(username=f"subject_teacher{index}")
    f.StaffMembershipFactory.create(school=school, user=admin, role=StaffMembership.Role.ADMIN)
    for teacher in (class_teacher, subject_teacher):
        f.StaffMembershipFactory.create(school=school, user=teacher, role=StaffMembership.Role.TEACHER)
    group = f.ClassGroupFactory.create(
        year=year, building=building, grade=7, letter="А", class_teacher=class_teacher
    )
    other_group = f.ClassGroupFactory.create(year=year, building=building, grade=9, letter="Б")
    student = f.UserFactory.create(username=f"student{index}")
    sibling = f.UserFactory.create(username=f"sibling{index}")
    f.EnrolmentFactory.create(class_group=group, student=student)
    f.EnrolmentFactory.create(class_group=other_group, student=sibling)
    parent = f.UserFactory.create(username=f"parent{index}")
    f.GuardianshipFactory.create(guardian=parent, student=student)
    f.GuardianshipFactory.create(guardian=parent, student=sibling)
    classmate = f.UserFactory.create(username=f"classmate{index}")
    f.EnrolmentFactory.create(class_group=group, student=classmate)
    classmate_parent = f.UserFactory.create(username=f"classmate_parent{index}")
    f.GuardianshipFactory.create(guardian=classmate_parent, student=classmate)
    subject = f.SubjectFactory.create(code="algebra", name_ru="Алгебра", name_en="Algebra")
    assignment = f.TeachingAssignmentFactory.create(
        class_group=group, teacher=subject_teacher, subject=subject
    )
    f.TeachingAssignmentFactory.create(
        class_group=group,
        teacher=class_teacher,
        subject=f.SubjectFactory.create(code="russian", name_ru="Русский язык", name_en="Russian"),
    )
    other_assignment = f.TeachingAssignmentFactory.create(
        class_group=other_group, teacher=class_teacher, subject=subject
    )
    lesson = f.LessonFactory.create(assignment=assignment, date=MONDAY, number=2)
    other_lesson = f.LessonFactory.create(assignment=other_assignment, date=MONDAY, number=3)
    return SchoolWorld(
        school,
        admin,
        class_teacher,
        subject_teacher,
        parent,
        student,
        sibling,
        group,
        other_group,
        assignment,
        lesson,
        other_lesson,
        classmate,
        classmate_parent,
    )


def build_world() -> World:
    a = build_school(1)
    b = build_school(2, f.SchoolFactory.create(district__city=a.school.city))
    outsider = f.UserFactory.create(username="outsider")
    methodologist = f.UserFactory.create(username="methodologist")
    CityRole.objects.create(city=a.school.city, user=methodologist, role=CityRole.Role.METHODOLOGIST)
    return World(a=a, b=b, outsider=outsider, methodologist=methodologist)
