"""Tests given as homework in the benchmark city, and the students' attempts at them.

Made after the city's library, whose published tests they give (``library_city``: 15 % of the
materials, each carrying one of its subject's tests from ``question_bank``), school by school, each in
its own transaction (in worker processes like the schools, ``workers``). Rows are written in bulk,
class group by class group (``insert_rows``: COPY on PostgreSQL, with keys drawn first by
``reserve_ids``), as the homework, library and assessment services would have left them.

From grade 2 (first graders get no homework), each class group gets about two homework a month
with a test over the weeks before today, each set at a past lesson of a course whose subject and
grade have published tests the school may use (the city's, everyone's, its own). The teacher
picks a test, the more viewed ones more often, never one the class already had: a ``Homework``
due at the course's next lesson, its ``HomeworkMaterial`` and the library's ``Assignment`` (origin
``homework:<id>``). About 85 % of the students take it (``city_attempts``: attempts, answers,
gradings, statements and the students' work). The library's ``Use`` rows are not written: the
city's usage counters are written directly (``library_city``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Avg, Q
from django.utils import timezone

from parta.assessment import definition
from parta.assessment.services import homework_deadline
from parta.demo.generator.bulk import reserve_ids
from parta.demo.generator.city_attempts import Given, Taken, Test, attempts_at, attempts_insert
from parta.demo.generator.classwork import HOMEWORK_FIELDS
from parta.demo.generator.courses import (
    HORIZON,
    Course,
    aware,
    courses_of,
    db_day,
    grouped,
    insert_rows,
    subgroup_members,
)
from parta.demo.generator.journal import NO_HOMEWORK_GRADES
from parta.demo.generator.library_rows import db_time
from parta.demo.generator.workers import each_school
from parta.homework.models import Homework, HomeworkMaterial
from parta.homework.services import material_origin
from parta.journal.models import Mark
from parta.library.models import (
    Assignment,
    Kind,
    Material,
    MaterialVersion,
    Status,
    Visibility,
    grades_from_bits,
)
from parta.schools.models import City, ClassGroup, Enrolment, School, Subject
from parta.timetable.models import Lesson

# Homework with a test per class group and month (a month partly before today: its share).
TESTS_PER_MONTH = (1, 2, 2, 3)
HOMEWORK_MATERIAL_FIELDS = ("homework", "material")
ASSIGNMENT_FIELDS = ("school", "material", "class_group", "lesson", "origin", "added_by", "added_at")


@dataclass
class _School:
    """What one school's test homework is drawn from, and its counts."""

    school: int
    today: dt.date
    rng: random.Random
    codes: dict[int, str]
    ability: dict[int, float]
    # (subject, grade) → the tests the school may use and their cumulative weights.
    tests: dict[tuple[int, int], tuple[list[Test], list[float]]]
    # A version's test part, read once.
    parts: dict[int, dict[str, Any]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)


def _usable_tests(city_id: int, school_id: int) -> dict[tuple[int, int], tuple[list[Test], list[float]]]:
    """The published tests a teacher of the school may give, by subject and grade; weighted by
    the square root of their views (the popular ones are chosen more, not by everyone)."""
    found: dict[tuple[int, int], list[tuple[Test, float]]] = defaultdict(list)
    rows = (
        Material.objects.filter(
            city_id=city_id, kind=Kind.TEST, status=Status.PUBLISHED, published__isnull=False
        )
        .filter(
            Q(visibility__in=(Visibility.CITY, Visibility.PUBLIC))
            | Q(visibility=Visibility.SCHOOL, school_id=school_id)
        )
        .order_by("pk")
        .values_list("pk", "published_id", "title", "subjects", "grade_bits", "views")
    )
    for pk, version, title, subject, bits, views in rows:
        for grade in grades_from_bits(bits):
            found[(subject, grade)].append((Test(pk, version, title), math.sqrt(1 + views)))
    usable = {}
    for key, tests in found.items():
        weights, total = [], 0.0
        for _test, weight in tests:
            total += weight
            weights.append(total)
        usable[key] = ([test for test, _weight in tests], weights)
    return usable


def _plan(data: _School, grade: int, courses: list[Course]) -> list[tuple[Course, int, Test]]:
    """The homework with a test: (course, the lesson's index in it, the test), by lesson date."""
    rng, today = data.rng, data.today
    past: dict[tuple[int, int], list[tuple[Course, int]]] = defaultdict(list)
    lessons: Counter[tuple[int, int]] = Counter()
    for course in courses:
        if (course.subject, grade) not in data.tests:
            continue
        for index, lesson in enumerate(course.lessons):
            month = (lesson[1].year, lesson[1].month)
            lessons[month] += 1
            if lesson[1] < today:
                past[month].append((course, index))
    plan: list[tuple[Course, int, Test]] = []
    given: set[int] = set()
    for month in sorted(past):
        wanted = rng.choice(TESTS_PER_MONTH) * len(past[month]) / lessons[month]
        count = int(wanted) + (rng.random() < wanted - int(wanted))
        for course, index in rng.sample(past[month], min(count, len(past[month]))):
            tests, weights = data.tests[(course.subject, grade)]
            # A test the class already had is not given again (a few tries at another).
            for test in rng.choices(tests, cum_weights=weights, k=3):
                if test.material not in given:
                    given.add(test.material)
                    plan.append((course, index, test))
                    break
    return sorted(plan, key=lambda item: item[0].lessons[item[1]][0])


def _load_parts(data: _School, versions: set[int]) -> None:
    missing = versions - data.parts.keys()
    for pk, content in MaterialVersion.objects.filter(pk__in=missing).values_list("pk", "content"):
        part = (content or {}).get(definition.KEY)
        data.parts[pk] = part if isinstance(part, dict) else {}


def _group_generate(
    data: _School, group_id: int, grade: int, students: list[int], members: dict[int, list[int]]
) -> None:
    courses = courses_of(group_id, data.codes, students, members, data.today + HORIZON)
    plan = _plan(data, grade, courses)
    _load_parts(data, {test.version for _course, _index, test in plan})
    plan = [item for item in plan if data.parts[item[2].version]]
    if not plan:
        return
    due_lessons = [course.due(index)[1] for course, index, _test in plan]
    starts = dict(
        Lesson.objects.filter(pk__in=[pk for pk in due_lessons if pk]).values_list("pk", "starts_at")
    )
    rng, school = data.rng, data.school
    homework_rows, materials, assignments = [], [], []
    attempts: list[Taken] = []
    for pk, (course, index, test) in zip(reserve_ids(Homework, len(plan)), plan, strict=True):
        lesson, date, teacher, _topic = course.lessons[index]
        due_on, due_lesson = course.due(index)
        part = data.parts[test.version]
        due = Homework(due_on=due_on, due_lesson=Lesson(starts_at=starts[due_lesson]) if due_lesson else None)
        given = Given(pk, test, part, teacher, date, due_on, homework_deadline(due))
        set_at = db_time(aware(date, 14, rng.randrange(60)))
        homework_rows.append(
            (
                pk,
                school,
                lesson,
                group_id,
                course.subgroup,
                course.subject,
                f"Пройдите тест «{test.title}» в Парте.",
                db_day(due_on),
                due_lesson,
                part.get("time_limit_minutes") or rng.choice((15, 20, 25)),
                False,
                teacher,
                set_at,
                set_at,
            )
        )
        materials.append((pk, test.material))
        assignments.append((school, test.material, group_id, lesson, material_origin(pk), teacher, set_at))
        attempts += attempts_at(given, course.members, data.ability, data.today, rng)
    insert_rows(Homework, ("id", *HOMEWORK_FIELDS), homework_rows)
    insert_rows(HomeworkMaterial, HOMEWORK_MATERIAL_FIELDS, materials)
    insert_rows(Assignment, ASSIGNMENT_FIELDS, assignments)
    data.counts["homework with tests"] += len(homework_rows)
    data.counts.update(attempts_insert(school, attempts, rng))


@dataclass(frozen=True)
class _SchoolJob:
    """One school's tests: picklable, for a worker process."""

    city_id: int
    seed: int
    today: dt.date

    def __call__(self, school_id: int) -> dict[str, int]:
        with transaction.atomic():
            school = School.objects.get(pk=school_id)
            ability = {
                student: min(1.0, max(0.0, (float(mean) - 2.85) / 2.2))
                for student, mean in Mark.objects.filter(school=school, value__isnull=False)
                .values("student_id")
                .annotate(mean=Avg("value"))
                .order_by("student_id")
                .values_list("student_id", "mean")
            }
            data = _School(
                school=school_id,
                today=self.today,
                rng=random.Random(f"{self.seed}:tests:{school.name}"),
                codes=dict(Subject.objects.values_list("pk", "code")),
                ability=ability,
                tests=_usable_tests(self.city_id, school_id),
            )
            by_group = grouped(
                Enrolment.objects.filter(school=school)
                .order_by("student_id")
                .values_list("class_group_id", "student_id")
            )
            members = subgroup_members(school)
            for group, grade in (
                ClassGroup.objects.filter(school=school)
                .order_by("grade", "letter", "pk")
                .values_list("pk", "grade")
            ):
                if grade not in NO_HOMEWORK_GRADES:
                    _group_generate(data, group, grade, by_group[group], members)
            return dict(data.counts)


def city_tests_generate(
    *, city: City, seed: int, today: dt.date | None = None, jobs: int = 1
) -> dict[str, int]:
    """Homework with the library's tests and the students' attempts in every school of ``city``
    (see the module's docstring), ``jobs`` schools at a time; returns the rows written, counted."""
    job = _SchoolJob(city.pk, seed, today or timezone.localdate())
    schools = list(School.objects.filter(city=city).order_by("pk").values_list("pk", flat=True))
    totals: Counter[str] = Counter()
    for counts in each_school(job, schools, jobs=jobs):
        totals.update(counts)
    return dict(totals)
