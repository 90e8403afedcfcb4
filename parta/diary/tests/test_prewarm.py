"""The night job's diary weeks: hits in the morning, and made again after a write like any other entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from parta.diary import api as diary_api
from parta.diary.prewarm import prewarm_week, students_in_school_on
from parta.diary.tests.helpers import week_of_lessons
from parta.journal import services as journal
from parta.testing.world import MONDAY, World

SUNDAY = MONDAY + dt.timedelta(days=6)


def read_week(user: Any, student: Any) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(
        f"/api/v1/students/{student.pk}/diary", {"from": MONDAY.isoformat(), "to": SUNDAY.isoformat()}
    )
    assert response.status_code == 200
    return response.json()


def marks_of(week: Any) -> list[int]:
    return [mark["value"] for day in week["days"] for lesson in day["lessons"] for mark in lesson["marks"]]


@pytest.mark.django_db(transaction=True)
def test_a_prewarmed_week_is_read_from_the_cache_until_a_mark_changes_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    lessons = week_of_lessons(world.a)
    student, parent = world.a.student, world.a.parent
    assert student.pk in students_in_school_on(MONDAY, [world.a.school.pk])
    made = prewarm_week(MONDAY + dt.timedelta(days=2), school_ids=[world.a.school.pk])
    assert made == len(students_in_school_on(MONDAY, [world.a.school.pk]))

    def not_made(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the pre-warmed week was made again")

    with monkeypatch.context() as patched:
        patched.setattr(diary_api, "diary_range_of", not_made)
        # The student and their guardian share the entry the job made.
        assert marks_of(read_week(student, student)) == []
        assert marks_of(read_week(parent, student)) == []

    teacher = lessons[0].teacher
    journal.mark_create(teacher, lesson_id=lessons[0].pk, student_id=student.pk, value=5)
    assert marks_of(read_week(parent, student)) == [5]


@pytest.mark.django_db(transaction=True)
def test_the_command_shows_its_progress_and_cost(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("diary_prewarm", "--school", str(world.a.school.pk), "--day", MONDAY.isoformat())
    out = capsys.readouterr().out
    total = len(students_in_school_on(MONDAY, [world.a.school.pk]))
    assert f"{total}/{total} students" in out
    assert f"{total} diary weeks in" in out
