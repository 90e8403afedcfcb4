"""``statements.Statement`` runs the ORM's own statement, built once per shape, with the call's values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.test.utils import CaptureQueriesContext

from parta.core import statements
from parta.journal.models import Mark
from parta.testing.factories import LessonFactory, MarkFactory

pytestmark = pytest.mark.django_db

_COLUMNS = ("id", "lesson_id", "date", "value", "subject__code", "created_at")


def _marks(student_id: int, date_from: dt.date, lesson_ids: list[int], *, newest: bool) -> QuerySet[Any, Any]:
    qs = Mark.objects.filter(Q(lesson_id__in=lesson_ids) | Q(comment="never"), student_id=student_id)
    return qs.filter(date__gte=date_from).order_by("-id" if newest else "id").values_list(*_COLUMNS)


@pytest.fixture
def marks() -> list[Mark]:
    first = LessonFactory(date=dt.date(2026, 10, 5))
    second = LessonFactory(date=dt.date(2026, 10, 12), school=first.school)
    student = first.teacher  # any person: the statement does not care whose marks they are
    return [
        MarkFactory.create(lesson=lesson, student=student, value=value)
        for lesson in (first, second)
        for value in (4, 5)
    ]


def test_rows_are_the_querysets_rows_for_every_value_and_shape(marks: list[Mark]) -> None:
    statement = statements.Statement(Mark, _marks)
    student = marks[0].student_id
    lessons = sorted({mark.lesson_id for mark in marks})
    for date_from in (dt.date(2026, 9, 1), dt.date(2026, 10, 10), dt.date(2027, 1, 1)):
        for lesson_ids in ([], lessons[:1], lessons, [*lessons, lessons[0]], [999_999]):
            for newest in (False, True):
                expected = list(_marks(student, date_from, lesson_ids, newest=newest))
                assert statement.rows(student, date_from, lesson_ids, newest=newest) == expected
    # The database's own types, as the ORM converts them (SQLite sends dates and times as text).
    row = statement.rows(student, dt.date(2026, 9, 1), lessons, newest=False)[0]
    assert isinstance(row[2], dt.date)
    assert isinstance(row[5], dt.datetime)


def test_dicts_are_values(marks: list[Mark]) -> None:
    statement = statements.Statement(
        Mark, lambda student_id: Mark.objects.filter(student_id=student_id).order_by("id").values(*_COLUMNS)
    )
    student = marks[0].student_id
    assert statement.dicts(student) == list(
        Mark.objects.filter(student_id=student).order_by("id").values(*_COLUMNS)
    )


def test_dicts_name_the_columns_in_the_order_asked_annotations_included(marks: list[Mark]) -> None:
    def build(student_id: int) -> QuerySet[Any, Any]:
        return (
            Mark.objects.filter(student_id=student_id)
            .annotate(marks=Count("lesson__marks"))
            .order_by("id")
            .values("id", "marks", "lesson_id")
        )

    student = marks[0].student_id
    found = statements.Statement(Mark, build).dicts(student)
    assert found == list(build(student))
    assert {row["marks"] for row in found} == {2}


def test_the_statement_is_built_once_per_shape_and_runs_as_one_query(marks: list[Mark]) -> None:
    built: list[tuple[Any, ...]] = []

    def build(student_id: int, lesson_ids: list[int], *, newest: bool) -> QuerySet[Any, Any]:
        built.append((len(lesson_ids), newest))
        return _marks(student_id, dt.date(2000, 1, 1), lesson_ids, newest=newest)

    statement = statements.Statement(Mark, build)
    student, lesson = marks[0].student_id, marks[0].lesson_id
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            statement.rows(student, [lesson], newest=False)
            statement.rows(student + 1, [lesson + 1], newest=False)
    assert built == [(1, False)]
    assert len(queries) == 6
    statement.rows(student, [lesson, lesson + 1], newest=False)
    statement.rows(student, [lesson], newest=True)
    assert built == [(1, False), (2, False), (1, True)]


def test_an_empty_in_list_reads_nothing_without_a_query(marks: list[Mark]) -> None:
    statement = statements.Statement(
        Mark, lambda lesson_ids: Mark.objects.filter(lesson_id__in=lesson_ids).values_list("id")
    )
    with CaptureQueriesContext(connection) as queries:
        assert statement.rows([]) == []
    assert len(queries) == 0


def test_a_value_used_other_than_as_a_parameter_is_refused_when_the_statement_is_made() -> None:
    sliced = statements.Statement(Mark, lambda count: Mark.objects.values_list("id")[:count])
    with pytest.raises(ValueError, match="not the statement's parameters"):
        sliced.rows(3)
    unused = statements.Statement(Mark, lambda student_id: Mark.objects.values_list("id"))
    with pytest.raises(ValueError, match="not the statement's parameters"):
        unused.rows(3)


def test_values_of_other_types_are_refused() -> None:
    statement = statements.Statement(
        Mark, lambda moment: Mark.objects.filter(created_at__lt=moment).values("id")
    )
    with pytest.raises(TypeError, match="int, a str or a date"):
        statement.rows(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
