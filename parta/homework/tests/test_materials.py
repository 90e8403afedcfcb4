"""Library materials given with homework: the form offers the lesson's and its topic's, the API
takes ids and answers {id, title, kind, url}, the class opens them; 400 for a material the
teacher may not open."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.homework import services
from parta.homework.models import Homework, HomeworkMaterial
from parta.homework.tests.conftest import next_algebra
from parta.homework.tests.test_api import api
from parta.library.access import access_material
from parta.library.models import Assignment, Material, Use
from parta.library.services.assignments import material_attach_to_lesson
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic
from parta.testing.library import published, text_material
from parta.testing.world import MONDAY, World

pytestmark = pytest.mark.django_db


def city_material(world: World, title: str, **data: Any) -> Material:
    return published(text_material(world.b.subject_teacher, title=title, **data), world.methodologist)


def given_to_class(homework: Homework) -> set[int]:
    return set(
        Assignment.objects.filter(
            origin=f"homework:{homework.pk}", class_group_id=homework.class_group_id
        ).values_list("material_id", flat=True)
    )


def set_with(world: World, *materials: Material) -> Homework:
    next_algebra(world)
    return services.homework_set(
        world.a.subject_teacher,
        lesson_id=world.a.lesson.pk,
        text="§ 5",
        materials=[m.pk for m in materials],
    )


def test_homework_gives_its_materials_to_the_class_and_takes_them_back(world: World) -> None:
    one, two, three = (city_material(world, t) for t in ("Один", "Два", "Три"))
    homework = set_with(world, one, two)
    assert given_to_class(homework) == {one.pk, two.pk}
    assert Use.objects.filter(kind=Use.Kind.HOMEWORK).count() == 2

    services.homework_update(
        world.a.subject_teacher, homework.pk, text="§ 6", due_on=None, materials=[two.pk, three.pk]
    )
    assert set(HomeworkMaterial.objects.values_list("material_id", flat=True)) == {two.pk, three.pk}
    assert given_to_class(homework) == {two.pk, three.pk}
    # None keeps them.
    services.homework_update(world.a.subject_teacher, homework.pk, text="§ 7", due_on=None)
    assert given_to_class(homework) == {two.pk, three.pk}

    services.homework_delete(world.a.subject_teacher, homework.pk)
    assert not Assignment.objects.exists()


def test_the_class_opens_a_private_material_given_with_homework_and_no_one_else(world: World) -> None:
    mine = text_material(world.a.subject_teacher, title="Мой черновик")
    set_with(world, mine)
    a = world.a
    for reader in (a.student, a.parent, a.classmate, a.classmate_parent, a.class_teacher):
        assert access_material(reader, mine.pk) == mine
    for stranger in (a.sibling, world.b.student, world.b.parent, world.b.subject_teacher, world.outsider):
        with pytest.raises(Http404):
            access_material(stranger, mine.pk)


def test_a_material_the_teacher_may_not_open_is_a_field_error_and_nothing_is_set(world: World) -> None:
    others_draft = text_material(world.b.subject_teacher, title="Чужой черновик")
    next_algebra(world)
    with pytest.raises(ValidationError) as error:
        services.homework_set(
            world.a.subject_teacher, lesson_id=world.a.lesson.pk, text="§ 5", materials=[others_draft.pk]
        )
    assert "materials" in error.value.message_dict
    assert not Homework.objects.exists()
    assert not Assignment.objects.exists()


def test_the_api_takes_ids_and_answers_the_materials(world: World) -> None:
    material = city_material(world, "Одночлены")
    next_algebra(world)
    client = api(world.a.subject_teacher)
    response = client.post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework",
        {"text": "§ 5", "materials": [material.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    [given] = response.json()["materials"]
    assert (given["id"], given["title"], given["kind"]) == (material.pk, "Одночлены", "text")
    assert given["url"].endswith(reverse("library-material", args=[material.pk]))
    homework_id = response.json()["id"]

    other = city_material(world, "Многочлены")
    response = client.patch(f"/api/v1/homework/{homework_id}", {"materials": [other.pk]}, format="json")
    assert [m["id"] for m in response.json()["materials"]] == [other.pk]
    response = client.patch(f"/api/v1/homework/{homework_id}", {"text": "§ 6"}, format="json")
    assert [m["id"] for m in response.json()["materials"]] == [other.pk]

    draft = text_material(world.b.subject_teacher, title="Чужой черновик")
    response = client.patch(f"/api/v1/homework/{homework_id}", {"materials": [draft.pk]}, format="json")
    assert response.status_code == 400
    assert "materials" in response.json()["errors"]
    response = client.post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework",
        {"text": "§ 7", "materials": [draft.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert Homework.objects.count() == 1

    student = api(world.a.student)
    url = f"/api/v1/students/{world.a.student.pk}/homework?from={MONDAY}&to={MONDAY + dt.timedelta(days=6)}"
    [item] = student.get(url).json()["results"]
    assert [m["title"] for m in item["materials"]] == ["Многочлены"]


def test_the_lesson_pages_form_offers_the_lessons_materials_then_the_topics(world: World) -> None:
    a = world.a
    topic = framework_topic(a.lesson.subject, 7, "alg7-1")
    a.lesson.topic = topic
    a.lesson.save(update_fields=["topic"])
    popular = city_material(world, "Популярное", subject_ids=[a.lesson.subject_id], grades=[7])
    Material.objects.filter(pk=popular.pk).update(popularity=99)
    on_topic = city_material(world, "По теме", topic_ids=[topic.pk])
    at_lesson = city_material(world, "На уроке")
    material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=at_lesson.pk)
    next_algebra(world)
    client = Client()
    client.force_login(a.subject_teacher)

    page = client.get(reverse("journal-lesson", args=[a.lesson.pk])).content.decode()
    form = page[page.index('class="form homework-form"') :]
    assert form.index("На уроке") < form.index("По теме") < form.index("Популярное")
    assert 'name="materials"' in form

    response = client.post(
        reverse("homework-lesson", args=[a.lesson.pk]),
        {
            "text": "§ 5",
            "materials": [at_lesson.pk, on_topic.pk],
            "next": reverse("journal-lesson", args=[a.lesson.pk]),
        },
    )
    assert response.status_code == 302
    homework = Homework.objects.get()
    assert given_to_class(homework) == {at_lesson.pk, on_topic.pk}

    edit = client.get(reverse("homework-edit", args=[homework.pk])).content.decode()
    checked = set(re.findall(r'name="materials" value="(\d+)"[^>]*checked', edit))
    assert checked == {str(at_lesson.pk), str(on_topic.pk)}
    response = client.post(
        reverse("homework-edit", args=[homework.pk]), {"text": "§ 5", "materials": [on_topic.pk]}
    )
    assert response.status_code == 302
    assert given_to_class(homework) == {on_topic.pk}


def test_a_material_posted_that_the_teacher_may_not_open_is_a_form_error(world: World) -> None:
    draft = text_material(world.b.subject_teacher, title="Чужой черновик")
    next_algebra(world)
    client = Client()
    client.force_login(world.a.subject_teacher)
    response = client.post(
        reverse("homework-lesson", args=[world.a.lesson.pk]), {"text": "§ 5", "materials": [draft.pk]}
    )
    assert response.status_code == 400
    assert not Homework.objects.exists()


def test_students_and_parents_see_the_materials_on_the_homework_list(world: World) -> None:
    material = city_material(world, "Одночлены")
    today = timezone.localdate()
    lesson = f.LessonFactory.create(assignment=world.a.assignment, date=today, number=1)
    services.homework_set(
        world.a.subject_teacher,
        lesson_id=lesson.pk,
        text="§ 5",
        due_on=today + dt.timedelta(days=1),
        materials=[material.pk],
    )
    for reader in (world.a.student, world.a.parent):
        client = Client()
        client.force_login(reader)
        page = client.get(reverse("homework-list"), {"student": world.a.student.pk}).content.decode()
        assert "Одночлены" in page
        assert reverse("library-material", args=[material.pk]) in page
