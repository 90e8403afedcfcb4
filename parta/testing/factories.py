"""factory_boy factories for tests: every object valid on its own, school ids kept consistent."""

from __future__ import annotations

import datetime as dt
import functools

import factory
from django.contrib.auth.hashers import make_password

from parta.accounts.models import Guardianship, User
from parta.homework.models import Homework
from parta.journal.models import Attendance, ControlForm, Mark, Remark
from parta.schools.models import (
    AcademicYear,
    Building,
    City,
    ClassGroup,
    District,
    Enrolment,
    Room,
    School,
    StaffMembership,
    StudyPeriod,
    Subgroup,
    SubgroupMembership,
    Subject,
    TeachingAssignment,
)
from parta.timetable.models import Bell, Lesson

PASSWORD = "parta-test-pass"


@functools.cache
def password_hash() -> str:
    """Hashing once keeps factories fast; every test user has the same password. Made on first
    use, under the test run's hasher (the root conftest), not at import under the production one."""
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Iterator(["Анна", "Иван", "Мария", "Пётр", "Ольга"])
    last_name = factory.Iterator(["Иванова", "Петров", "Смирнова", "Кузнецов", "Попова"])
    password = factory.LazyFunction(password_hash)


class CityFactory(factory.django.DjangoModelFactory[City]):
    class Meta:
        model = City

    name = "Москва"


class DistrictFactory(factory.django.DjangoModelFactory[District]):
    class Meta:
        model = District

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"Район {n}")


class SchoolFactory(factory.django.DjangoModelFactory[School]):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    city = factory.SelfAttribute("district.city")
    name = factory.Sequence(lambda n: f"ГБОУ Школа № {1000 + n}")
    short_name = factory.Sequence(lambda n: f"Школа № {1000 + n}")


class BuildingFactory(factory.django.DjangoModelFactory[Building]):
    class Meta:
        model = Building

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Корпус {n}")
    address = "ул. Школьная, 1"


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    building = factory.SubFactory(BuildingFactory)
    school = factory.SelfAttribute("building.school")
    name = factory.Sequence(lambda n: str(100 + n))


class AcademicYearFactory(factory.django.DjangoModelFactory[AcademicYear]):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/2027"
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2027, 5, 31)


class StudyPeriodFactory(factory.django.DjangoModelFactory[StudyPeriod]):
    class Meta:
        model = StudyPeriod

    year = factory.SubFactory(AcademicYearFactory)
    school = factory.SelfAttribute("year.school")
    kind = StudyPeriod.Kind.QUARTER
    number = 1
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2026, 10, 24)


class SubjectFactory(factory.django.DjangoModelFactory[Subject]):
    class Meta:
        model = Subject
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"subject-{n}")
    name_ru = factory.Sequence(lambda n: f"Предмет {n}")
    name_en = factory.Sequence(lambda n: f"Subject {n}")


class ClassGroupFactory(factory.django.DjangoModelFactory[ClassGroup]):
    class Meta:
        model = ClassGroup

    year = factory.SubFactory(AcademicYearFactory)
    school = factory.SelfAttribute("year.school")
    building = factory.SubFactory(BuildingFactory, school=factory.SelfAttribute("..school"))
    grade = 7
    letter = factory.Sequence(lambda n: "АБВГДЕЖЗИКЛМН"[n % 13])


class SubgroupFactory(factory.django.DjangoModelFactory[Subgroup]):
    class Meta:
        model = Subgroup

    class_group = factory.SubFactory(ClassGroupFactory)
    school = factory.SelfAttribute("class_group.school")
    subject = factory.SubFactory(SubjectFactory)
    number = 1


class EnrolmentFactory(factory.django.DjangoModelFactory[Enrolment]):
    class Meta:
        model = Enrolment

    class_group = factory.SubFactory(ClassGroupFactory)
    school = factory.SelfAttribute("class_group.school")
    year = factory.SelfAttribute("class_group.year")
    student = factory.SubFactory(UserFactory)


class SubgroupMembershipFactory(factory.django.DjangoModelFactory[SubgroupMembership]):
    class Meta:
        model = SubgroupMembership

    subgroup = factory.SubFactory(SubgroupFactory)
    school = factory.SelfAttribute("subgroup.school")
    student = factory.SubFactory(UserFactory)


class GuardianshipFactory(factory.django.DjangoModelFactory[Guardianship]):
    class Meta:
        model = Guardianship

    guardian = factory.SubFactory(UserFactory)
    student = factory.SubFactory(UserFactory)
    relation = Guardianship.Relation.MOTHER


class StaffMembershipFactory(factory.django.DjangoModelFactory[StaffMembership]):
    class Meta:
        model = StaffMembership

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory)
    role = StaffMembership.Role.TEACHER


class TeachingAssignmentFactory(factory.django.DjangoModelFactory[TeachingAssignment]):
    class Meta:
        model = TeachingAssignment

    class_group = factory.SubFactory(ClassGroupFactory)
    school = factory.SelfAttribute("class_group.school")
    year = factory.SelfAttribute("class_group.year")
    teacher = factory.SubFactory(UserFactory)
    subject = factory.SubFactory(SubjectFactory)
    hours_per_week = 2


class BellFactory(factory.django.DjangoModelFactory[Bell]):
    class Meta:
        model = Bell
        django_get_or_create = ("school", "number")

    school = factory.SubFactory(SchoolFactory)
    number = 1
    starts_at = dt.time(8, 30)
    ends_at = dt.time(9, 15)


def _lesson_start(lesson: Lesson) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(
        dt.datetime.combine(lesson.date, dt.time(8, 0)) + dt.timedelta(hours=lesson.number)
    )


class LessonFactory(factory.django.DjangoModelFactory[Lesson]):
    class Meta:
        model = Lesson

    assignment = factory.SubFactory(TeachingAssignmentFactory)
    school = factory.SelfAttribute("assignment.school")
    year = factory.SelfAttribute("assignment.year")
    class_group = factory.SelfAttribute("assignment.class_group")
    subgroup = factory.SelfAttribute("assignment.subgroup")
    subject = factory.SelfAttribute("assignment.subject")
    teacher = factory.SelfAttribute("assignment.teacher")
    date = dt.date(2026, 9, 7)
    number = 1
    starts_at = factory.LazyAttribute(_lesson_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=45))


class ControlFormFactory(factory.django.DjangoModelFactory[ControlForm]):
    class Meta:
        model = ControlForm
        django_get_or_create = ("school", "code")

    school = factory.SubFactory(SchoolFactory)
    code = "oral"
    name_ru = "Устный ответ"
    name_en = "Oral answer"
    default_weight = 1


class MarkFactory(factory.django.DjangoModelFactory[Mark]):
    class Meta:
        model = Mark

    lesson = factory.SubFactory(LessonFactory)
    school = factory.SelfAttribute("lesson.school")
    subject = factory.SelfAttribute("lesson.subject")
    date = factory.SelfAttribute("lesson.date")
    student = factory.SubFactory(UserFactory)
    value = 5
    weight = 1
    created_by = factory.SelfAttribute("lesson.teacher")


class RemarkFactory(factory.django.DjangoModelFactory[Remark]):
    class Meta:
        model = Remark

    lesson = factory.SubFactory(LessonFactory)
    school = factory.SelfAttribute("lesson.school")
    subject = factory.SelfAttribute("lesson.subject")
    date = factory.SelfAttribute("lesson.date")
    student = factory.SubFactory(UserFactory)
    kind = Remark.Kind.REMARK
    text = "Не выполнил домашнее задание"
    created_by = factory.SelfAttribute("lesson.teacher")


class AttendanceFactory(factory.django.DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    lesson = factory.SubFactory(LessonFactory)
    school = factory.SelfAttribute("lesson.school")
    subject = factory.SelfAttribute("lesson.subject")
    date = factory.SelfAttribute("lesson.date")
    student = factory.SubFactory(UserFactory)
    status = Attendance.Status.ABSENT
    updated_by = factory.SelfAttribute("lesson.teacher")


class HomeworkFactory(factory.django.DjangoModelFactory[Homework]):
    class Meta:
        model = Homework

    lesson = factory.SubFactory(LessonFactory)
    school = factory.SelfAttribute("lesson.school")
    class_group = factory.SelfAttribute("lesson.class_group")
    subgroup = factory.SelfAttribute("lesson.subgroup")
    subject = factory.SelfAttribute("lesson.subject")
    text = factory.Sequence(lambda n: f"Exercises {n}, page {n + 10}")
    due_on = factory.LazyAttribute(lambda o: o.lesson.date + dt.timedelta(days=7))
    created_by = factory.SelfAttribute("lesson.teacher")


def api_key(user: User, device: str = "") -> str:
    """A new API token's key for the user, as signing in gives it."""
    from parta.accounts.services import api_token_issue

    return api_token_issue(user=user, device=device)[1]
