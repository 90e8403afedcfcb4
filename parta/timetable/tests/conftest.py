"""The timetable tests' small school: one grade-5 class with its bells, rooms and teachers."""

import datetime as dt

import pytest

from parta.schools.models import Room, StaffMembership
from parta.testing import factories as f

BELLS = [(8, 30), (9, 25), (10, 30), (11, 35), (12, 30), (13, 25), (14, 20)]


def bells_for(school):
    for number, (hour, minute) in enumerate(BELLS, start=1):
        start = dt.datetime(2000, 1, 1, hour, minute, tzinfo=dt.UTC)
        f.BellFactory(
            school=school,
            number=number,
            starts_at=start.time(),
            ends_at=(start + dt.timedelta(minutes=45)).time(),
        )


@pytest.fixture
def small(db):
    """One grade-5 class: math and Russian for the whole class, English split in two subgroups."""
    school = f.SchoolFactory()
    year = f.AcademicYearFactory(school=school)
    building = f.BuildingFactory(school=school)
    home = f.RoomFactory(building=building, name="101")
    f.RoomFactory(building=building, name="102")
    for name in ("201", "202"):
        f.RoomFactory(building=building, name=name, kind=Room.Kind.LANGUAGE)
    bells_for(school)
    group = f.ClassGroupFactory(year=year, building=building, grade=5, letter="А", home_room=home)
    english = f.SubjectFactory(code="english")
    teachers = [f.UserFactory() for _ in range(4)]
    for teacher in teachers:
        f.StaffMembershipFactory(school=school, user=teacher)
    math = f.TeachingAssignmentFactory(
        class_group=group, teacher=teachers[0], subject=f.SubjectFactory(code="math"), hours_per_week=5
    )
    f.TeachingAssignmentFactory(
        class_group=group, teacher=teachers[1], subject=f.SubjectFactory(code="russian"), hours_per_week=5
    )
    for number, teacher in ((1, teachers[2]), (2, teachers[3])):
        subgroup = f.SubgroupFactory(class_group=group, subject=english, number=number)
        f.TeachingAssignmentFactory(
            class_group=group, subgroup=subgroup, teacher=teacher, subject=english, hours_per_week=3
        )
    return {"school": school, "year": year, "group": group, "teachers": teachers, "math": math}


@pytest.fixture
def admin(small):
    """The small school's administrator."""
    user = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=small["school"], user=user, role=StaffMembership.Role.ADMIN)
    return user
