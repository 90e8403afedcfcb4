"""What the journal's generators share: one school's data, its courses of lessons, and writing
rows in bulk (``journal`` makes attendance, marks and period marks; ``classwork`` homework and
teachers' remarks)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from parta.demo.generator import bulk
from parta.journal.models import ControlForm
from parta.schools.models import AcademicYear, School, StudyPeriod


@dataclass
class Course:
    """One stream of lessons: a subject taught to the class group or one of its subgroups."""

    subject: int
    code: str
    subgroup: int | None
    members: list[int]
    # (pk, date, teacher, topic) of scheduled lessons up to the horizon, in order.
    lessons: list[tuple[int, dt.date, int, int | None]] = field(default_factory=list)


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
