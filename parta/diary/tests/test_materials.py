"""Library materials in the diary: those given at a lesson and with its homework, on the week and
day pages and in the API, for the student and their family; a cached diary shows a material the
moment it is given."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from parta.homework import services as homework_services
from parta.library.models import Material
from parta.library.services.assignments import material_attach_to_lesson, material_detach_from_lesson
from parta.testing import factories as f
from parta.testing.library import published, text_material
from parta.testing.world import MONDAY, World, build_world

RANGE = {"from": MONDAY.isoformat(), "to": (MONDAY + dt.timedelta(days=6)).isoformat()}


def city_material(world: World, title: str) -> Material:
    return published(text_material(world.b.subject_teacher, title=title), world.methodologist)


def give(world: World) -> tuple[Material, Material]:
    """A material given at school A's Monday lesson, another with homework set at it."""
    a = world.a
    at_lesson = city_material(world, "На уроке")
    with_homework = text_material(a.subject_teacher, title="К домашнему")  # a private draft
    material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=at_lesson.pk)
    f.LessonFactory.create(assignment=a.assignment, date=MONDAY + dt.timedelta(days=2), number=1)
    homework_services.homework_set(
        a.subject_teacher, lesson_id=a.lesson.pk, text="§ 5", materials=[with_homework.pk]
    )
    return at_lesson, with_homework


def diary(user: Any, student: Any) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/students/{student.pk}/diary", RANGE)
    assert response.status_code == 200, response.content
    return response.json()


def lesson_of(body: Any, lesson_id: int) -> Any:
    return next(item for day in body["days"] for item in day["lessons"] if item["id"] == lesson_id)


@pytest.mark.django_db
def test_the_week_and_the_day_show_the_lessons_and_the_homeworks_materials(world: World) -> None:
    at_lesson, with_homework = give(world)
    for reader in (world.a.student, world.a.parent):
        client = Client()
        client.force_login(reader)
        for view in ("week", "day"):
            url = reverse("diary-week", args=[world.a.student.pk]) + f"?date={MONDAY}&view={view}"
            page = client.get(url).content.decode()
            assert "Materials of the lesson" in page
            for material in (at_lesson, with_homework):
                assert material.title in page
                assert reverse("library-material", args=[material.pk]) in page


@pytest.mark.django_db
def test_the_diary_api_gives_each_lesson_its_materials(world: World) -> None:
    at_lesson, with_homework = give(world)
    lesson = lesson_of(diary(world.a.parent, world.a.student), world.a.lesson.pk)
    assert lesson["materials"] == [
        {
            "id": at_lesson.pk,
            "title": "На уроке",
            "kind": "text",
            "url": reverse("library-material", args=[at_lesson.pk]),
        }
    ]
    [homework] = lesson["homework_set"]
    assert [m["id"] for m in homework["materials"]] == [with_homework.pk]


@pytest.mark.django_db
def test_another_classs_diary_shows_none_of_them(world: World) -> None:
    give(world)
    body = diary(world.a.parent, world.a.sibling)
    for day in body["days"]:
        for item in day["lessons"]:
            assert item["materials"] == []


@pytest.mark.django_db(transaction=True)
def test_a_cached_diary_shows_a_material_the_moment_it_is_given_or_taken_back() -> None:
    world = build_world()
    a = world.a
    material = city_material(world, "На уроке")
    assert lesson_of(diary(a.student, a.student), a.lesson.pk)["materials"] == []
    material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=material.pk)
    assert [m["id"] for m in lesson_of(diary(a.student, a.student), a.lesson.pk)["materials"]] == [
        material.pk
    ]
    material_detach_from_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=material.pk)
    assert lesson_of(diary(a.student, a.student), a.lesson.pk)["materials"] == []

    f.LessonFactory.create(assignment=a.assignment, date=MONDAY + dt.timedelta(days=2), number=1)
    homework = homework_services.homework_set(a.subject_teacher, lesson_id=a.lesson.pk, text="§ 5")
    assert lesson_of(diary(a.student, a.student), a.lesson.pk)["homework_set"][0]["materials"] == []
    homework_services.homework_update(
        a.subject_teacher, homework.pk, text="§ 5", due_on=None, materials=[material.pk]
    )
    [set_here] = lesson_of(diary(a.student, a.student), a.lesson.pk)["homework_set"]
    assert [m["id"] for m in set_here["materials"]] == [material.pk]
