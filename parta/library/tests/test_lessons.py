"""Materials at a lesson: the journal's lesson page shows them (its "Materials" section), its
teacher gives one in one POST, the lesson's topic first; anyone else gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from parta.curriculum.models import Topic
from parta.library.models import Assignment, Material, Use, Visibility
from parta.library.selectors.lessons import LessonOffer, offered_materials
from parta.library.services.assignments import material_attach_to_lesson
from parta.testing.curriculum import framework_topic
from parta.testing.library import published, text_material
from parta.testing.world import SchoolWorld, World

pytestmark = pytest.mark.django_db


def lesson_url(lesson_id: int) -> str:
    return reverse("journal-lesson", args=[lesson_id])


def attach_url(lesson_id: int) -> str:
    return reverse("library-lesson-materials", args=[lesson_id])


def remove_url(lesson_id: int, material_id: int) -> str:
    return reverse("library-lesson-material-remove", args=[lesson_id, material_id])


def client_of(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def topic_of(a: SchoolWorld, code: str = "alg7-1") -> Topic:
    return framework_topic(a.lesson.subject, a.group.grade, code)


def city_material(world: World, title: str, **data: Any) -> Material:
    return published(text_material(world.b.subject_teacher, title=title, **data), world.methodologist)


def test_the_lessons_teacher_sees_the_topics_materials_first_and_attaches_one(world: World) -> None:
    a = world.a
    topic = topic_of(a)
    a.lesson.topic = topic
    a.lesson.save(update_fields=["topic"])
    subject_only = city_material(world, "Алгебра вообще", subject_ids=[a.lesson.subject_id], grades=[7])
    Material.objects.filter(pk=subject_only.pk).update(popularity=100)
    on_topic = city_material(world, "Одночлены", topic_ids=[topic.pk])
    city_material(world, "Другой класс", subject_ids=[a.lesson.subject_id], grades=[9])
    client = client_of(a.subject_teacher)

    page = client.get(lesson_url(a.lesson.pk)).content.decode()
    assert "For this lesson" in page
    assert page.index("Одночлены") < page.index("Алгебра вообще")
    assert "Другой класс" not in page

    response = client.post(
        attach_url(a.lesson.pk), {"material": on_topic.pk, "next": lesson_url(a.lesson.pk)}
    )
    assert response.status_code == 302
    assert response["Location"] == lesson_url(a.lesson.pk) + "#lesson-materials"
    given = Assignment.objects.get(material=on_topic)
    assert (given.origin, given.class_group_id, given.lesson_id) == (
        f"lesson:{a.lesson.pk}",
        a.group.pk,
        a.lesson.pk,
    )
    assert Use.objects.filter(material=on_topic, kind=Use.Kind.LESSON).count() == 1
    page = client.get(lesson_url(a.lesson.pk)).content.decode()
    given_part = page[page.index("lesson-materials-given") : page.index("lesson-materials-offered")]
    assert "Одночлены" in given_part
    assert reverse("library-material", args=[on_topic.pk]) in given_part


def test_attach_by_htmx_answers_the_section_and_remove_takes_it_back(world: World) -> None:
    a = world.a
    material = city_material(world, "Одночлены", subject_ids=[a.lesson.subject_id], grades=[7])
    client = client_of(a.subject_teacher)
    response = client.post(attach_url(a.lesson.pk), {"material": material.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card lesson-materials" id="lesson-materials"')
    assert remove_url(a.lesson.pk, material.pk) in body
    # Twice changes nothing.
    client.post(attach_url(a.lesson.pk), {"material": material.pk}, HTTP_HX_REQUEST="true")
    assert Assignment.objects.filter(material=material).count() == 1

    response = client.post(remove_url(a.lesson.pk, material.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Assignment.objects.filter(material=material).exists()
    assert client.post(remove_url(a.lesson.pk, material.pk)).status_code == 404


def test_search_finds_by_title_among_what_the_teacher_may_open(world: World) -> None:
    a = world.a
    city_material(world, "Квадратные уравнения")
    text_material(world.b.subject_teacher, title="Чужой черновик про уравнения")
    client = client_of(a.subject_teacher)
    page = client.get(lesson_url(a.lesson.pk), {"materials_q": "уравнения"}).content.decode()
    assert "Квадратные уравнения" in page
    assert "Чужой черновик" not in page
    # (SQLite compares only Latin letters without case: the catalogue's full-text search will not.)
    partial = client.get(attach_url(a.lesson.pk), {"materials_q": "Квадрат"}, HTTP_HX_REQUEST="true")
    assert "Квадратные уравнения" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    page = client.get(attach_url(a.lesson.pk), {"materials_q": "Квадрат"}).content.decode()
    assert "<html" in page and "Квадратные уравнения" in page


@pytest.mark.parametrize(
    "who", ["class_teacher", "admin", "student", "parent", "other_school_teacher", "outsider"]
)
def test_only_the_lessons_teacher_gives_and_takes_back(world: World, who: str) -> None:
    a = world.a
    material = city_material(world, "Одночлены")
    material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=material.pk)
    other = city_material(world, "Многочлены")
    person = {
        "class_teacher": a.class_teacher,
        "admin": a.admin,
        "student": a.student,
        "parent": a.parent,
        "other_school_teacher": world.b.subject_teacher,
        "outsider": world.outsider,
    }[who]
    client = client_of(person)
    assert client.get(attach_url(a.lesson.pk)).status_code == 404
    assert client.post(attach_url(a.lesson.pk), {"material": other.pk}).status_code == 404
    assert client.post(remove_url(a.lesson.pk, material.pk)).status_code == 404
    assert list(Assignment.objects.values_list("material_id", flat=True)) == [material.pk]


def test_a_material_the_teacher_may_not_open_cannot_be_given(world: World) -> None:
    a = world.a
    draft = text_material(world.b.subject_teacher, title="Чужой черновик")
    client = client_of(a.subject_teacher)
    assert client.post(attach_url(a.lesson.pk), {"material": draft.pk}).status_code == 404
    assert not Assignment.objects.exists()


def test_a_reader_who_does_not_teach_sees_the_given_materials_without_buttons(world: World) -> None:
    a = world.a
    material = city_material(world, "Одночлены")
    client = client_of(a.admin)
    assert "lesson-materials" not in client.get(lesson_url(a.lesson.pk)).content.decode()
    material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=material.pk)
    page = client.get(lesson_url(a.lesson.pk)).content.decode()
    assert "Одночлены" in page
    assert remove_url(a.lesson.pk, material.pk) not in page
    assert attach_url(a.lesson.pk) not in page


def test_the_offer_puts_the_topic_first_then_popularity_and_skips_what_is_given(world: World) -> None:
    a = world.a
    topic = topic_of(a)
    popular = city_material(world, "Популярное", subject_ids=[a.lesson.subject_id])
    Material.objects.filter(pk=popular.pk).update(popularity=50)
    plain = city_material(world, "Обычное", subject_ids=[a.lesson.subject_id], grades=[7])
    on_topic = city_material(world, "По теме", topic_ids=[topic.pk])
    given = city_material(world, "Уже дано", topic_ids=[topic.pk])
    offer = LessonOffer(subject_id=a.lesson.subject_id, grade=7, topic_id=topic.pk)
    titles = [m.title for m in offered_materials(a.subject_teacher, offer, exclude={given.pk})]
    assert titles == ["По теме", "Популярное", "Обычное"]
    assert [m.on_topic for m in offered_materials(a.subject_teacher, offer, exclude={given.pk})] == [
        True,
        False,
        False,
    ]
    # What is chosen already comes first, beyond the limit; then the newest published on the topic.
    chosen = [m.title for m in offered_materials(a.subject_teacher, offer, first=[plain.pk], limit=1)]
    assert chosen == ["Обычное", "Уже дано"]
    assert on_topic.pk not in {
        m.id for m in offered_materials(a.subject_teacher, offer, exclude={on_topic.pk})
    }


def test_the_private_material_of_its_own_author_is_offered_to_them_only(world: World) -> None:
    a = world.a
    mine = text_material(
        a.subject_teacher, title="Мой черновик", subject_ids=[a.lesson.subject_id], grades=[7]
    )
    offer = LessonOffer(subject_id=a.lesson.subject_id, grade=7, topic_id=None)
    assert [m.id for m in offered_materials(a.subject_teacher, offer)] == [mine.pk]
    assert offered_materials(a.class_teacher, offer) == []
    assert mine.visibility == Visibility.PRIVATE


def api_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_gives_and_takes_back_for_the_lessons_teacher(world: World) -> None:
    a = world.a
    topic = topic_of(a)
    a.lesson.topic = topic
    a.lesson.save(update_fields=["topic"])
    plain = city_material(world, "Обычное", subject_ids=[a.lesson.subject_id], grades=[7])
    on_topic = city_material(world, "По теме", topic_ids=[topic.pk])
    client = api_of(a.subject_teacher)
    url = f"/api/v1/lessons/{a.lesson.pk}/materials"
    body = client.get(url).json()
    assert body["given"] == []
    assert [(m["id"], m["on_topic"], m["verified"]) for m in body["offered"]] == [
        (on_topic.pk, True, True),
        (plain.pk, False, True),
    ]
    response = client.post(url, {"material": on_topic.pk}, format="json", HTTP_IDEMPOTENCY_KEY="give-1")
    assert response.status_code == 201
    assert response.json()["url"].endswith(reverse("library-material", args=[on_topic.pk]))
    again = client.post(url, {"material": on_topic.pk}, format="json", HTTP_IDEMPOTENCY_KEY="give-1")
    assert again.json() == response.json()
    body = client.get(url).json()
    assert [m["id"] for m in body["given"]] == [on_topic.pk]
    assert [m["id"] for m in body["offered"]] == [plain.pk]
    assert [m["id"] for m in client.get(url, {"q": "Обыч"}).json()["offered"]] == [plain.pk]

    assert client.post(url, {"material": "x"}, format="json").status_code == 400
    draft = text_material(world.b.subject_teacher, title="Чужой черновик")
    assert client.post(url, {"material": draft.pk}, format="json").status_code == 404
    assert client.delete(f"{url}/{on_topic.pk}").status_code == 204
    assert client.delete(f"{url}/{on_topic.pk}").status_code == 404
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["admin", "class_teacher", "student", "other_school_teacher"])
def test_the_api_answers_404_to_anyone_else(world: World, who: str) -> None:
    a = world.a
    material = city_material(world, "Одночлены")
    material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=material.pk)
    person = {
        "admin": a.admin,
        "class_teacher": a.class_teacher,
        "student": a.student,
        "other_school_teacher": world.b.subject_teacher,
    }[who]
    client = api_of(person)
    url = f"/api/v1/lessons/{a.lesson.pk}/materials"
    assert client.get(url).status_code == 404
    assert client.post(url, {"material": material.pk}, format="json").status_code == 404
    assert client.delete(f"{url}/{material.pk}").status_code == 404
    assert Assignment.objects.count() == 1


def test_the_section_reads_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    a = world.a
    topic = topic_of(a)
    a.lesson.topic = topic
    a.lesson.save(update_fields=["topic"])
    for i in range(15):
        material = city_material(world, f"Материал {i}", topic_ids=[topic.pk])
        if i % 3 == 0:
            material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=material.pk)
    client = client_of(a.subject_teacher)
    # The session, the user, their roles, the lesson, what was given, what to offer, and what was
    # given at the school beyond the city's part (kept for the school's staff after this first read).
    with django_assert_max_num_queries(7):
        response = client.get(attach_url(a.lesson.pk), HTTP_HX_REQUEST="true")
    assert response.content.decode().count('href="/library/materials/') == 15
