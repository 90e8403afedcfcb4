"""The deterministic generator of schools: the demo school, and N schools of a city for the benchmark.

The same seed gives the same people, classes, assignments, timetable and lessons (given the
same "today", which decides the study year). Big tables are written with bulk inserts and
every generated user shares one password hash, because hashing per user would take minutes.

The benchmark's city (``manage.py bench_city``) then gets its library (``library_city``, its tests
with questions from ``question_bank``) and, school by school, homework with those tests and the
students' attempts at them (``city_tests``, ``city_attempts``); the demo school gets its library
(``library``) and tests (``school_tests``) through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from parta.accounts.models import User
from parta.assessment.prep_load import prep_tests_load
from parta.clinic.demo import clinic_demo
from parta.curriculum.services import bundled_framework_files, framework_import_files
from parta.demo import names
from parta.demo.generator.catalogue import subjects_ensure
from parta.demo.generator.library import library_generate
from parta.demo.generator.school import DEMO_PASSWORD, GeneratedSchool, demo_password_hash, generate_school
from parta.demo.generator.school_tests import school_tests_generate
from parta.demo.generator.workers import each_school
from parta.meals.demo import meals_demo
from parta.passage.demo import passage_demo
from parta.schools.models import City, CityRole, District

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SEED",
    "GeneratedCity",
    "GeneratedSchool",
    "framework_load",
    "generate_city",
    "generate_demo",
    "generate_school",
]

DEMO_SEED = 1537
# Three classes in each grade up to the 9th, two in the senior grades: about 31 classes,
# 780 students and 60 teachers, a typical Moscow school.
DEMO_GROUPS = {**dict.fromkeys(range(1, 10), 3), 10: 2, 11: 2}
MOSCOW_DISTRICTS = (
    "Центральный административный округ",
    "Северный административный округ",
    "Северо-Восточный административный округ",
    "Восточный административный округ",
    "Юго-Восточный административный округ",
    "Южный административный округ",
    "Юго-Западный административный округ",
    "Западный административный округ",
    "Северо-Западный административный округ",
    "Зеленоградский административный округ",
    "Новомосковский административный округ",
    "Троицкий административный округ",
)


@dataclass
class GeneratedCity:
    city: City
    schools: list[GeneratedSchool] = field(default_factory=list)
    framework_errors: list[str] = field(default_factory=list)
    # The demo accounts by role (methodologist, root and the demo school's) when asked for.
    demo: dict[str, User] = field(default_factory=dict)


def framework_load() -> list[str]:
    """Import the bundled topic framework file by file, so one broken file does not keep the others out.

    Returns the problems found (each prefixed with its file); an empty list when all went in.
    """
    errors: list[str] = []
    for path in bundled_framework_files():
        # Each error already names its file (framework_import_files prefixes it).
        errors += framework_import_files([path]).errors
    return errors


@dataclass(frozen=True)
class _SchoolJob:
    """One school of ``generate_city``: a picklable callable, so a worker process can run it."""

    city: City
    districts: Sequence[District]
    seed: int
    grades: Sequence[int]
    groups_per_grade: int | Mapping[int, int] | None
    students_per_group: int
    today: dt.date | None
    password_hash: str
    demo_accounts: bool
    with_lessons: bool
    with_plans: bool
    with_journal: bool

    def __call__(self, task: tuple[int, int]) -> tuple[int, GeneratedSchool]:
        index, number = task
        return index, generate_school(
            city=self.city,
            district=self.districts[index % len(self.districts)],
            number=number,
            seed=self.seed,
            grades=self.grades,
            groups_per_grade=self.groups_per_grade,
            students_per_group=self.students_per_group,
            today=self.today,
            password_hash=self.password_hash,
            demo_accounts=self.demo_accounts and index == 0,
            with_lessons=self.with_lessons,
            with_plans=self.with_plans,
            with_journal=self.with_journal,
        )


def generate_city(
    *,
    schools: int,
    seed: int,
    city_name: str = "Москва",
    grades: Sequence[int] = range(1, 12),
    groups_per_grade: int | Mapping[int, int] | None = None,
    students_per_group: int = 25,
    today: dt.date | None = None,
    load_framework: bool = True,
    with_lessons: bool = True,
    with_plans: bool = True,
    with_journal: bool = True,
    demo_accounts: bool = False,
    on_school: Callable[[int, GeneratedSchool], None] | None = None,
    jobs: int = 1,
) -> GeneratedCity:
    """A city with its districts and ``schools`` schools, each generated by ``generate_school``.

    Every school is written in its own transaction, so a benchmark run can watch progress and a
    failure keeps the schools made before it: ``on_school(done, school)`` is called after each
    (``done`` counts from 0). On PostgreSQL ``jobs`` > 1 makes the schools in that many worker
    processes: the same people, classes and lessons, with keys numbered in another order.
    """
    rng = random.Random(seed)
    subjects_ensure()
    errors = framework_load() if load_framework else []
    with transaction.atomic():
        city = City.objects.create(name=city_name)
        districts = District.objects.bulk_create(District(city=city, name=name) for name in MOSCOW_DISTRICTS)
    result = GeneratedCity(city=city, framework_errors=errors)
    password_hash = demo_password_hash()
    numbers = rng.sample(range(1, 2900), schools) if schools <= 2800 else list(range(1, schools + 1))
    job = _SchoolJob(
        city=city,
        districts=districts,
        seed=seed,
        grades=grades,
        groups_per_grade=groups_per_grade,
        students_per_group=students_per_group,
        today=today,
        password_hash=password_hash,
        demo_accounts=demo_accounts,
        with_lessons=with_lessons,
        with_plans=with_plans,
        with_journal=with_journal,
    )
    made: list[tuple[int, GeneratedSchool]] = []
    # Schools are independent (each has its own random stream and draws its keys from the
    # sequences), so worker processes make them side by side.
    for done, item in enumerate(each_school(job, list(enumerate(numbers)), jobs=jobs)):
        made.append(item)
        if on_school is not None:
            on_school(done, item[1])
    result.schools = [school for _index, school in sorted(made, key=lambda item: item[0])]
    if demo_accounts:
        result.demo = dict(result.schools[0].demo) if result.schools else {}
        person = names.person(rng, "f")
        methodologist = User.objects.create(
            username="methodologist",
            first_name=person.first_name,
            last_name=person.last_name,
            middle_name=person.middle_name,
            password=password_hash,
        )
        CityRole.objects.create(city=city, user=methodologist, role=CityRole.Role.METHODOLOGIST)
        root = User.objects.create(username="root", password=password_hash, is_staff=True, is_superuser=True)
        result.demo.update(methodologist=methodologist, root=root)
    return result


def generate_demo(*, seed: int = DEMO_SEED, today: dt.date | None = None) -> GeneratedCity:
    """The demo: Moscow with one school, the demo accounts (password ``parta-demo``) and the
    school's library (``library``), whose counts join the school's."""
    result = generate_city(
        schools=1, seed=seed, today=today, groups_per_grade=DEMO_GROUPS, demo_accounts=True
    )
    school = result.schools[0]
    with transaction.atomic():
        school.counts.update(
            library_generate(
                city=result.city,
                school=school.school,
                methodologist=result.demo["methodologist"],
                teacher=result.demo.get("teacher"),
                today=today or timezone.localdate(),
                seed=seed,
            )
        )
        # The city's exam-preparation tests, written for the project, published by the methodologist.
        prep = prep_tests_load(author=result.demo["methodologist"])
        school.counts["exam preparation tests"] = len(prep.created) + len(prep.updated)
        if "student" in result.demo:
            school.counts.update(
                school_tests_generate(
                    school=school.school,
                    student=result.demo["student"],
                    methodologist=result.demo["methodologist"],
                    today=today or timezone.localdate(),
                    seed=seed,
                )
            )
        # The school's machines: cards and turnstiles with a month of passages, the cafeteria with
        # its accounts and sales, a clinic's sick notes (each app's own demo, through its services).
        day = today or timezone.localdate()
        for machines_demo in (passage_demo, meals_demo, clinic_demo):
            school.counts.update(machines_demo(school=school.school, today=day, seed=seed))
    return result
