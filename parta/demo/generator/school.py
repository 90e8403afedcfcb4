"""One generated school: the plan is made as plain data first (classes, teachers, families),
then written with bulk inserts, then the timetable is built through the timetable services."""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from parta.accounts.models import Guardianship, User
from parta.curriculum.services import thematic_plans_build_default
from parta.demo import names
from parta.demo.generator import calendar, disruptions, journal, messages
from parta.demo.generator.catalogue import CURRICULUM, POSITIONS, is_split, subjects_ensure
from parta.demo.generator.people import StudentSpec, families_make
from parta.demo.generator.staffing import ClassSpec, TeacherSpec, class_teachers, staff
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
    Subgroup,
    SubgroupMembership,
    TeachingAssignment,
)
from parta.timetable import services as timetable
from parta.timetable.models import Lesson

DEMO_PASSWORD = "parta-demo"  # noqa: S105 — the published password of the demo accounts
LETTERS = "АБВГДЕЖИКЛ"
BATCH_SIZE = 2000
STREETS = (
    "ул. Профсоюзная",
    "Ленинский проспект",
    "ул. Академика Королёва",
    "Каширское шоссе",
    "ул. Верхняя Масловка",
    "Мичуринский проспект",
    "ул. Генерала Белова",
    "Волгоградский проспект",
    "ул. Новаторов",
    "Рязанский проспект",
)
# Teachers of these departments are more often men than in a Russian school overall.
_MOSTLY_MEN = {"pe": 0.6, "obzr": 0.8, "informatics": 0.5, "technology": 0.5, "physics": 0.4}


@functools.cache
def demo_password_hash() -> str:
    """The demo password hashed once per process: hashing is slow on purpose, and every
    generated user gets the same string."""
    return make_password(DEMO_PASSWORD)


@dataclass
class GeneratedSchool:
    school: School
    year: AcademicYear
    counts: dict[str, int] = field(default_factory=dict)
    # The demo accounts by role (admin, teacher, student, parent) when they were asked for.
    demo: dict[str, User] = field(default_factory=dict)


def _rooms(
    school: School, primary: Building | None, senior: Building | None, classes: list[ClassSpec]
) -> list[Room]:
    """Classrooms and special rooms enough for the classes of each building."""
    rooms: list[Room] = []

    def add(building: Building, name: str, kind: str, capacity: int) -> None:
        rooms.append(Room(school=school, building=building, name=name, kind=kind, capacity=capacity))

    def numbered(building: Building, count: int, kind: str, capacity: int, first: int) -> None:
        for i in range(count):
            floor, place = divmod(first + i, 12)
            add(building, f"{floor + 1}{place + 1:02d}", kind, capacity)

    n_primary = sum(1 for c in classes if c.is_primary)
    n_senior = len(classes) - n_primary
    if primary is not None:
        numbered(primary, n_primary + 1, Room.Kind.CLASSROOM, 30, 0)
        numbered(primary, max(1, math.ceil(n_primary / 3)), Room.Kind.LANGUAGE, 15, 24)
        add(primary, "Спортивный зал", Room.Kind.GYM, 60)
        add(primary, "Актовый зал", Room.Kind.HALL, 150)
    if senior is not None:
        numbered(senior, n_senior + 3, Room.Kind.CLASSROOM, 30, 0)
        numbered(senior, max(2, math.ceil(n_senior / 3)), Room.Kind.LANGUAGE, 15, 36)
        for lab in ("Лаборатория физики", "Лаборатория химии", "Лаборатория биологии"):
            add(senior, lab, Room.Kind.LAB, 30)
        for i in (1, 2):
            add(senior, f"Компьютерный класс {i}", Room.Kind.COMPUTER, 15)
            add(senior, f"Мастерская {i}", Room.Kind.WORKSHOP, 15)
        for i in range(1, 2 + (n_senior > 6)):
            add(senior, f"Спортивный зал {i}", Room.Kind.GYM, 60)
        add(senior, "Актовый зал", Room.Kind.HALL, 250)
    return Room.objects.bulk_create(rooms)


def _classes(
    rng: random.Random, grades: Sequence[int], groups_per_grade: int | Mapping[int, int] | None
) -> list[ClassSpec]:
    classes: list[ClassSpec] = []
    for grade in sorted(set(grades)):
        if groups_per_grade is None:
            count = rng.choice((2, 3))
        elif isinstance(groups_per_grade, int):
            count = groups_per_grade
        else:
            count = groups_per_grade.get(grade, 0)
        base = len(classes)
        classes.extend(ClassSpec(base + i, grade, LETTERS[i]) for i in range(count))
    return classes


def _user(username: str, person: names.Person, password_hash: str) -> User:
    return User(
        username=username,
        first_name=person.first_name,
        last_name=person.last_name,
        middle_name=person.middle_name,
        password=password_hash,
    )


def _teacher_person(rng: random.Random, teacher: TeacherSpec) -> names.Person:
    men = _MOSTLY_MEN.get(teacher.department, 0.05 if teacher.department == "primary" else 0.2)
    return names.person(rng, "m" if rng.random() < men else "f")


@transaction.atomic
def generate_school(
    *,
    city: City,
    district: District,
    number: int,
    seed: int,
    grades: Sequence[int] = range(1, 12),
    groups_per_grade: int | Mapping[int, int] | None = None,
    students_per_group: int = 25,
    today: dt.date | None = None,
    password_hash: str | None = None,
    demo_accounts: bool = False,
    with_lessons: bool = True,
    with_plans: bool = True,
    with_journal: bool = True,
    substitutions_per_week: int = 3,
    cancellations_per_week: int = 1,
) -> GeneratedSchool:
    """A whole school, the same for the same ``seed`` and ``number``.

    ``groups_per_grade`` is a count for every grade, a count per grade, or None for two or three
    drawn per grade. ``number`` makes the school's name ("Школа № 1537") and usernames unique in
    the city. With ``demo_accounts`` the admin, a teacher, a student and a parent get the demo
    usernames. Lessons (and their topics, substitutions and cancellations) are made for the
    whole study year that ``today`` (the city's today by default) falls in. With ``with_journal``
    the lessons before ``today`` get marks, attendance, homework and closed periods, and the
    school a few conversations (see ``journal`` and ``messages``).
    """
    rng = random.Random(seed * 100_003 + number)
    password_hash = password_hash or demo_password_hash()
    today = today or timezone.localdate()
    subjects = subjects_ensure()

    # --- the plan, as plain data ---
    classes = _classes(rng, grades, groups_per_grade)
    if not classes:
        raise ValueError("A school needs at least one class group.")
    teachers = staff(classes)
    leaders = class_teachers(classes, teachers)
    senior = [c for c in classes if not c.is_primary]
    demo_class = (senior or classes)[0].index
    demo_teacher = leaders[demo_class]
    other_grade = next((c.index for c in classes if c.grade != classes[demo_class].grade), None)
    first_pair = (demo_class, other_grade) if demo_accounts and other_grade is not None else None
    if demo_accounts and first_pair is None:
        raise ValueError("The demo accounts need class groups in at least two grades.")
    sizes = [
        max(1, students_per_group + (rng.randint(-3, 3) if students_per_group >= 10 else 0)) for _ in classes
    ]
    students, families = families_make(rng, classes, sizes, first_pair=first_pair)
    admins = [names.person(rng, "f"), names.person(rng)]
    teacher_people = [_teacher_person(rng, teacher) for teacher in teachers]

    # --- the school, its buildings, rooms and calendar ---
    street = rng.choice(STREETS)
    school = School.objects.create(
        city=city, district=district, name=f"ГБОУ «Школа № {number}»", short_name=f"Школа № {number}"
    )
    has_primary = any(c.is_primary for c in classes)
    primary_building = (
        Building.objects.create(
            school=school, name="Корпус 1 (начальная школа)", address=f"{street}, д. {rng.randint(2, 60)}"
        )
        if has_primary
        else None
    )
    senior_building = (
        Building.objects.create(
            school=school,
            name="Корпус 2 (основная и старшая школа)",
            address=f"{street}, д. {rng.randint(61, 120)}",
        )
        if senior
        else None
    )
    rooms = _rooms(school, primary_building, senior_building, classes)
    year = calendar.calendar_create(school, calendar.year_start(today))

    # --- people ---
    prefix = str(number)
    users = [_user(f"a{prefix}-{i + 1}", p, password_hash) for i, p in enumerate(admins)]
    users += [_user(f"t{prefix}-{i + 1:03d}", p, password_hash) for i, p in enumerate(teacher_people)]
    users += [_user(f"s{prefix}-{i + 1:04d}", s.person, password_hash) for i, s in enumerate(students)]
    guardian_people = [
        (f_index, person, relation) for f_index, f in enumerate(families) for person, relation in f.guardians
    ]
    users += [_user(f"p{prefix}-{i + 1:04d}", g[1], password_hash) for i, g in enumerate(guardian_people)]
    admin_users = users[: len(admins)]
    teacher_users = users[len(admins) : len(admins) + len(teachers)]
    student_users = users[len(admins) + len(teachers) : len(admins) + len(teachers) + len(students)]
    guardian_users = users[len(admins) + len(teachers) + len(students) :]
    demo: dict[str, User] = {}
    if demo_accounts:
        first_guardian = next(i for i, g in enumerate(guardian_people) if g[0] == 0)
        demo = {
            "admin": admin_users[1],
            "teacher": teacher_users[demo_teacher],
            "student": student_users[families[0].children[0]],
            "parent": guardian_users[first_guardian],
        }
        for username, user in demo.items():
            user.username = username
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)

    StaffMembership.objects.bulk_create(
        [
            StaffMembership(
                school=school, user=admin_users[0], role=StaffMembership.Role.ADMIN, position="директор"
            ),
            StaffMembership(
                school=school,
                user=admin_users[1],
                role=StaffMembership.Role.ADMIN,
                position="заместитель директора по учебной работе",
            ),
        ]
        + [
            StaffMembership(
                school=school, user=user, role=StaffMembership.Role.TEACHER, position=POSITIONS[t.department]
            )
            for user, t in zip(teacher_users, teachers, strict=True)
        ]
    )

    # --- class groups, subgroups, enrolment ---
    classrooms = {
        building: [r for r in rooms if r.building_id == building.pk and r.kind == Room.Kind.CLASSROOM]
        for building in (primary_building, senior_building)
        if building is not None
    }
    groups: list[ClassGroup] = []
    for c in classes:
        building = primary_building if c.is_primary else senior_building
        assert building is not None
        home = classrooms[building][sum(1 for g in groups if g.building_id == building.pk)]
        groups.append(
            ClassGroup(
                school=school,
                year=year,
                grade=c.grade,
                letter=c.letter,
                building=building,
                home_room=home,
                class_teacher=teacher_users[leaders[c.index]],
            )
        )
    ClassGroup.objects.bulk_create(groups)
    subgroups: dict[tuple[int, str, int], Subgroup] = {}
    for c in classes:
        for code in CURRICULUM[c.grade]:
            if is_split(code, c.grade):
                for n in (1, 2):
                    subgroups[(c.index, code, n)] = Subgroup(
                        school=school, class_group=groups[c.index], subject=subjects[code], number=n
                    )
    Subgroup.objects.bulk_create(subgroups.values())
    Enrolment.objects.bulk_create(
        (
            Enrolment(school=school, year=year, class_group=groups[s.class_index], student=user)
            for s, user in zip(students, student_users, strict=True)
        ),
        batch_size=BATCH_SIZE,
    )
    SubgroupMembership.objects.bulk_create(
        _subgroup_memberships(school, classes, students, student_users, subgroups), batch_size=BATCH_SIZE
    )
    Guardianship.objects.bulk_create(
        (
            Guardianship(guardian=guardian, student=student_users[child], relation=relation)
            for (f_index, _person, relation), guardian in zip(guardian_people, guardian_users, strict=True)
            for child in families[f_index].children
        ),
        batch_size=BATCH_SIZE,
    )
    TeachingAssignment.objects.bulk_create(
        TeachingAssignment(
            school=school,
            year=year,
            teacher=user,
            class_group=groups[bundle.class_index],
            subgroup=subgroups[(bundle.class_index, code, bundle.subgroup)] if bundle.subgroup else None,
            subject=subjects[code],
            hours_per_week=hours,
        )
        for user, teacher in zip(teacher_users, teachers, strict=True)
        for bundle in teacher.bundles
        for code, hours in bundle.lessons
    )

    result = GeneratedSchool(school=school, year=year, demo=demo)
    result.counts = {
        "class groups": len(groups),
        "subgroups": len(subgroups),
        "students": len(students),
        "guardians": len(guardian_users),
        "teachers": len(teachers),
        "administrators": len(admin_users),
        "rooms": len(rooms),
        "teaching assignments": TeachingAssignment.objects.filter(year=year).count(),
    }
    _timetable(
        result,
        rng=rng,
        admin=admin_users[1],
        with_lessons=with_lessons,
        with_plans=with_plans,
        substitutions_per_week=substitutions_per_week,
        cancellations_per_week=cancellations_per_week,
    )
    if with_lessons and with_journal:
        history = random.Random(rng.randrange(1 << 30))
        result.counts.update(
            journal.journal_generate(school=school, year=year, today=today, rng=history, admin=admin_users[1])
        )
        result.counts.update(
            messages.conversations_generate(school=school, year=year, today=today, rng=history, demo=demo)
        )
    return result


def _subgroup_memberships(
    school: School,
    classes: list[ClassSpec],
    students: Sequence[StudentSpec],
    users: Sequence[User],
    subgroups: Mapping[tuple[int, str, int], Subgroup],
) -> list[SubgroupMembership]:
    """Halves of the class list for languages and informatics; technology splits girls and boys
    where both are in the class, as most schools still do."""
    by_class: dict[int, list[int]] = {c.index: [] for c in classes}
    for i, s in enumerate(students):
        by_class[s.class_index].append(i)
    rows = []
    for (class_index, code, number), subgroup in subgroups.items():
        members = sorted(
            by_class[class_index],
            key=lambda i: (students[i].person.last_name, students[i].person.first_name, i),
        )
        half = (len(members) + 1) // 2
        if code == "technology" and len({students[i].person.gender for i in members}) == 2:
            chosen = [i for i in members if (students[i].person.gender == "m") == (number == 1)]
        else:
            chosen = members[:half] if number == 1 else members[half:]
        rows += [SubgroupMembership(school=school, subgroup=subgroup, student=users[i]) for i in chosen]
    return rows


def _timetable(
    result: GeneratedSchool,
    *,
    rng: random.Random,
    admin: User,
    with_lessons: bool,
    with_plans: bool,
    substitutions_per_week: int,
    cancellations_per_week: int,
) -> None:
    year = result.year
    result.counts["template slots"] = timetable.template_build(year=year, seed=rng.randrange(1 << 30))
    if with_plans:
        thematic_plans_build_default(
            TeachingAssignment.objects.filter(year=year).select_related("class_group").order_by("pk")
        )
    if not with_lessons:
        return
    result.counts["lessons"] = timetable.timetable_publish(year=year, since=year.starts_on).created
    subs, cancels = disruptions.disruptions_make(
        year=year,
        admin=admin,
        rng=rng,
        substitutions_per_week=substitutions_per_week,
        cancellations_per_week=cancellations_per_week,
    )
    result.counts["substitutions"] = subs
    result.counts["cancellations"] = cancels
    if with_plans:
        timetable.lessons_assign_topics_for_year(year=year)
        result.counts["lessons with a topic"] = Lesson.objects.filter(year=year, topic__isnull=False).count()
