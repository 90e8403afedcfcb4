"""The review: the city's queue for its methodologists, publishing and returning through the pages
and the API, what changed since the published version, and the count on the menu."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from parta.library.models import Kind, Material, Review, Status, Visibility
from parta.library.selectors.moderation import queue_count, review_queue
from parta.library.services.authoring import MaterialData, material_create, material_save
from parta.library.services.moderation import material_publish, material_submit
from parta.schools.access import roles_of
from parta.schools.models import City, CityRole
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.library import published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def submitted(owner: Any, title: str = "Дроби", visibility: str = Visibility.CITY, **data: Any) -> Material:
    material = text_material(owner, title=title, **data)
    return material_submit(owner, material.pk, visibility=visibility)


def other_city_methodologist() -> Any:
    user = f.UserFactory.create()
    CityRole.objects.create(
        city=City.objects.create(name="Другой город"), user=user, role=CityRole.Role.METHODOLOGIST
    )
    return user


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_holds_what_waits_in_the_city_oldest_first(world: World) -> None:
    first = submitted(world.a.subject_teacher, "Первый")
    second = submitted(world.b.subject_teacher, "Второй", visibility=Visibility.SCHOOL)
    text_material(world.a.subject_teacher, title="Черновик")  # a draft waits for nobody
    done = published(text_material(world.a.class_teacher, title="Готово"), world.methodologist)
    rows = review_queue(world.methodologist)
    assert [row.id for row in rows] == [first.pk, second.pk]
    assert rows[1].asked == Visibility.SCHOOL and rows[1].school == world.b.school.short_name
    assert not rows[0].new_version and rows[0].version == 1
    # A new version of a published material waits too, flagged, while the published one stays.
    material_save(
        world.a.class_teacher, done.pk, data=MaterialData(title="Готово 2", content={"body": "Новый текст"})
    )
    material_submit(world.a.class_teacher, done.pk, visibility=Visibility.CITY)
    row = review_queue(world.methodologist)[-1]
    assert (row.id, row.title, row.version, row.new_version) == (done.pk, "Готово 2", 2, True)
    assert queue_count(roles_of(world.methodologist)) == 3


def test_the_queue_filters_by_subject_and_type(world: World) -> None:
    algebra = world.a.lesson.subject
    with_subject = submitted(world.a.subject_teacher, "Алгебра", subject_ids=[algebra.pk])
    submitted(world.a.subject_teacher, "Без предмета")
    assert [r.id for r in review_queue(world.methodologist, subject_id=algebra.pk)] == [with_subject.pk]
    assert len(review_queue(world.methodologist, kind=Kind.TEXT)) == 2
    assert review_queue(world.methodologist, kind=Kind.VIDEO) == []
    response = page(world.methodologist).get(f"/library/review/?subject={algebra.pk}&type=text")
    assert response.status_code == 200
    assert "Алгебра" in response.text and "Без предмета" not in response.text


@pytest.mark.parametrize("who", ["a.subject_teacher", "a.admin", "a.student", "a.parent", "outsider"])
def test_only_methodologists_have_a_queue(world: World, who: str) -> None:
    material = submitted(world.a.class_teacher)
    user = world.outsider if who == "outsider" else getattr(world.a, who.split(".")[1])
    assert page(user).get("/library/review/").status_code == 404
    assert page(user).get(f"/library/review/{material.pk}/").status_code == 404
    client = api(user)
    assert client.get("/api/v1/library/review-queue").status_code == 404
    answer = client.post(f"/api/v1/materials/{material.pk}/review", {"decision": "publish"}, format="json")
    assert answer.status_code == 404
    material.refresh_from_db()
    assert material.status == Status.SUBMITTED


def test_another_citys_methodologist_sees_nothing_of_it(world: World) -> None:
    material = submitted(world.a.class_teacher)
    stranger = other_city_methodologist()
    assert review_queue(stranger) == []
    assert page(stranger).get(f"/library/review/{material.pk}/").status_code == 404
    answer = api(stranger).post(
        f"/api/v1/materials/{material.pk}/review", {"decision": "publish"}, format="json"
    )
    assert answer.status_code == 404
    # A draft is nobody's to review, even in the city.
    draft = text_material(world.a.class_teacher)
    assert page(world.methodologist).get(f"/library/review/{draft.pk}/").status_code == 404


# --- deciding on the page --------------------------------------------------------------------


def test_the_methodologist_returns_with_a_comment_and_publishes_on_the_page(world: World) -> None:
    one, two = submitted(world.a.subject_teacher, "Первый"), submitted(world.b.subject_teacher, "Второй")
    client = page(world.methodologist)
    shown = client.get(f"/library/review/{one.pk}/")
    assert shown.status_code == 200
    assert "Уравнение вида ax + b = 0" in shown.text  # the content, compactly
    # Returning needs a comment: the error is at the field and nothing changes.
    refused = client.post(f"/library/review/{one.pk}/", {"decision": "return", "comment": "  "})
    assert refused.status_code == 400
    assert "Tell the author what to change." in refused.text
    one.refresh_from_db()
    assert one.status == Status.SUBMITTED
    answer = client.post(f"/library/review/{one.pk}/", {"decision": "return", "comment": "Добавьте примеры"})
    assert answer.status_code == 302 and answer["Location"] == "/library/review/"
    answer = client.post(f"/library/review/{two.pk}/", {"decision": "publish", "comment": ""})
    assert answer.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.published_id) == (Status.RETURNED, None)
    assert (two.status, two.published_id, two.visibility) == (
        Status.PUBLISHED,
        two.latest_id,
        Visibility.CITY,
    )
    assert list(Review.objects.values_list("material_id", "decision", "comment").order_by("pk")) == [
        (one.pk, "returned", "Добавьте примеры"),
        (two.pk, "published", ""),
    ]
    # The earlier review shows; a decided material takes no second decision.
    again = client.get(f"/library/review/{one.pk}/")
    assert "Добавьте примеры" in again.text and 'value="publish"' not in again.text
    late = client.post(f"/library/review/{two.pk}/", {"decision": "return", "comment": "Поздно"})
    assert late.status_code == 400
    assert "The material is not waiting for review." in late.text


def test_a_new_version_shows_what_changed_field_by_field(world: World) -> None:
    teacher = world.a.subject_teacher
    material = published(text_material(teacher, title="Старое", authors="Иванова"), world.methodologist)
    material_save(
        teacher,
        material.pk,
        data=MaterialData(title="Новое", authors="Иванова", grades=[7], content={"body": "Другой текст"}),
    )
    material_submit(teacher, material.pk, visibility=Visibility.CITY)
    response = page(world.methodologist).get(f"/library/review/{material.pk}/")
    comparison = response.context["under"].comparison
    assert {c.label: (c.old, c.new) for c in comparison.fields if c.changed} == {
        "Title": ("Старое", "Новое"),
        "Grades": ("", "7"),
    }
    assert [(line.op, line.old, line.new) for line in comparison.lines] == [
        ("replace", "Уравнение вида ax + b = 0 называют линейным.", "Другой текст")
    ]
    assert "new version of a published material" in response.text
    # Meanwhile everyone still sees the published version.
    material.refresh_from_db()
    assert material.title == "Старое"


def test_the_review_page_has_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    teacher = world.a.subject_teacher
    parts = [text_material(teacher, title=f"Часть {n}") for n in range(3)]
    for part in parts:
        published(part, world.methodologist)
    scenario = material_create(
        teacher,
        kind=Kind.SCENARIO,
        data=MaterialData(
            title="Сценарий",
            subject_ids=[world.a.lesson.subject_id],
            content={"blocks": [{"type": "material", "material": p.pk} for p in parts]},
        ),
    )
    material_submit(teacher, scenario.pk, visibility=Visibility.CITY)
    client = page(world.methodologist)
    with django_assert_max_num_queries(11):
        response = client.get(f"/library/review/{scenario.pk}/")
    assert all(f"Часть {n}" in response.text for n in range(3))
    # A new version of it: both versions rendered and compared, still a fixed number.
    material_publish(world.methodologist, scenario.pk)
    blocks = [{"type": "text", "text": "Вступление"}] + [
        {"type": "material", "material": p.pk} for p in parts
    ]
    subject_ids = [world.a.lesson.subject_id]
    data = MaterialData(title="Сценарий 2", subject_ids=subject_ids, content={"blocks": blocks})
    material_save(teacher, scenario.pk, data=data)
    material_submit(teacher, scenario.pk, visibility=Visibility.CITY)
    with django_assert_max_num_queries(16):
        response = client.get(f"/library/review/{scenario.pk}/")
    assert "Вступление" in response.context["under"].comparison.lines[0].new
    with django_assert_max_num_queries(10):
        assert client.get("/library/review/").status_code == 200


def test_the_menu_shows_the_methodologist_how_many_wait(world: World) -> None:
    submitted(world.a.subject_teacher, "Первый")
    submitted(world.a.subject_teacher, "Второй")
    response = page(world.methodologist).get("/library/review/")
    assert '<span class="badge" data-testid="review-queue-count">2</span>' in response.text
    assert "review-queue-count" not in page(world.a.subject_teacher).get("/").text


# --- deciding through the API ----------------------------------------------------------------


def test_the_api_lists_the_queue_and_decides(world: World) -> None:
    one, two = submitted(world.a.subject_teacher, "Первый"), submitted(world.a.subject_teacher, "Второй")
    client = api(world.methodologist)
    body = client.get("/api/v1/library/review-queue").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["id"], first["title"], first["requested_visibility"], first["version"]) == (
        one.pk,
        "Первый",
        "city",
        1,
    )
    assert first["author"] == {
        "id": world.a.subject_teacher.pk,
        "short_name": world.a.subject_teacher.short_name,
    }
    assert client.get("/api/v1/library/review-queue?type=nonsense").status_code == 400
    # Returning without a comment is a 400 at the field; a bad decision too.
    refused = client.post(f"/api/v1/materials/{one.pk}/review", {"decision": "return"}, format="json")
    assert refused.status_code == 400 and "comment" in refused.json()["errors"]
    wrong = client.post(f"/api/v1/materials/{one.pk}/review", {"decision": "maybe"}, format="json")
    assert wrong.status_code == 400 and "decision" in wrong.json()["errors"]
    answer = client.post(
        f"/api/v1/materials/{one.pk}/review",
        {"decision": "publish", "comment": "Хорошо"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="review-1",
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "material_id": one.pk,
        "status": "published",
        "visibility": "city",
        "published_version": 1,
    }
    # The same key again answers as the first time and decides nothing twice.
    repeat = client.post(
        f"/api/v1/materials/{one.pk}/review",
        {"decision": "publish", "comment": "Хорошо"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="review-1",
    )
    assert repeat.status_code == 200 and repeat.json() == answer.json()
    assert Review.objects.filter(material=one).count() == 1
    returned = client.post(
        f"/api/v1/materials/{two.pk}/review", {"decision": "return", "comment": "Исправьте"}, format="json"
    )
    assert returned.json()["status"] == "returned" and returned.json()["published_version"] is None
    assert client.get("/api/v1/library/review-queue").json()["count"] == 0
