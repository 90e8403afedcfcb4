"""What the journal's generators share: one school's data, its courses of lessons, and writing
rows in bulk (``journal`` makes attendance, marks and period marks; ``classwork`` homework and
teachers' remarks; ``city_tests`` the benchmark city's homework with tests)."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from parta.demo.generator import bulk
from parta.journal.models import ControlForm
from parta.schools.models import AcademicYear, School, StudyPeriod, SubgroupMembership
from parta.timetable.models import Lesson

# Lessons are read this far past today: homework set before today is due at one of them.
HORIZON = dt.timedelta(days=45)


@dataclass
class Course:
    """One stream of lessons: a subject taught to the class group or one of its subgroups."""

    subject: int
    code: str
    subgroup: int | None
    members: list[int]
    # (pk, date, teacher, topic) of scheduled lessons up to the horizon, in order.
    lessons: list[tuple[int, dt.date, int, int | None]] = field(default_factory=list)

    def due(self, index: int) -> tuple[dt.date, int | None]:
        """When homework set at lesson ``index`` is due, and at which lesson: the course's next
        lesson on a later day, or a week later when there is none."""
        date = self.lessons[index][1]
        following = bisect.bisect_right(self.lessons, date, lo=index, key=lambda lesson: lesson[1])
        if following < len(self.lessons):
            return self.lessons[following][1], self.lessons[following][0]
        return date + dt.timedelta(days=7), None


def grouped(pairs: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """The second of each pair listed under the first, in the order given (an empty list for
    a key never given)."""
    members: dict[int, list[int]] = defaultdict(list)
    for key, student in pairs:
        members[key].append(student)
    return members


def subgroup_members(school: School) -> dict[int, list[int]]:
    """The students of each of the school's subgroups, by id."""
    return grouped(
        SubgroupMembership.objects.filter(school=school)
        .order_by("student_id")
        .values_list("subgroup_id", "student_id")
    )


def courses_of(
    group_id: int, codes: dict[int, str], students: list[int], members: dict[int, list[int]], until: dt.date
) -> list[Course]:
    """The class group's courses with their scheduled lessons before ``until``, in a stable order
    (by subject code, the whole class's before a subgroup's)."""
    courses: dict[tuple[int, int | None], Course] = {}
    for pk, date, subject, subgroup, teacher, topic in (
        Lesson.objects.filter(class_group_id=group_id, status=Lesson.Status.SCHEDULED, date__lt=until)
        .order_by("date", "number", "pk")
        .values_list("pk", "date", "subject_id", "subgroup_id", "teacher_id", "topic_id")
    ):
        course = courses.get((subject, subgroup))
        if course is None:
            course = courses[(subject, subgroup)] = Course(
                subject, codes[subject], subgroup, members[subgroup] if subgroup else students
            )
        course.lessons.append((pk, date, teacher, topic))
    return sorted(courses.values(), key=lambda c: (c.code, c.subgroup is not None, c.lessons[0][0]))


@dataclass
class SchoolData:
    school: School
    year: AcademicYear
    today: dt.date
    rng: random.Random
    forms: dict[str, ControlForm]
    codes: dict[int, str]
    topics: dict[int, str]
    ability: dict[int, float]
    guardian: dict[int, int]
    periods: list[StudyPeriod]
    counts: dict[str, int]
    # "Now" as the database stores it, for the rows' created/updated columns.
    now: Any = None


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Plain rows straight into the model's table: model instances cost more than the insert itself.
    On PostgreSQL through COPY (see ``bulk.copy_rows``)."""
    if rows:
        bulk.copy_rows(model, names, rows)


def db_day(value: dt.date | None) -> Any:
    return connection.ops.adapt_datefield_value(value)


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
