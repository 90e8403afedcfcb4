"""Ratings (who may rate, the bounds, changing them), the author's dashboard, an author's profile
and the top lists, through the pages and the API, with their query budgets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from parta.library.models import Kind, Material, Rating, UsageDay, Use, Visibility
from parta.library.services.ratings import rating_set
from parta.library.services.usage import popularity_refresh, uses_count
from parta.library.tests.test_moderation import api, page
from parta.testing.library import published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def city_material(world: World, title: str = "Дроби", **data: Any) -> Material:
    return published(text_material(world.a.subject_teacher, title=title, **data), world.methodologist)


# --- ratings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stars", [0, 6, -1, "4", True, None, 2.5])
def test_stars_are_one_to_five(world: World, stars: Any) -> None:
    material = city_material(world)
    with pytest.raises(ValidationError) as refused:
        rating_set(world.b.subject_teacher, material.pk, stars=stars)
    assert refused.value.message_dict == {"stars": ["Give from 1 to 5 stars."]}
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["author", "a.student", "a.parent", "outsider"])
def test_only_other_teachers_rate(world: World, who: str) -> None:
    material = city_material(world)
    user = {
        "author": world.a.subject_teacher,
        "a.student": world.a.student,
        "a.parent": world.a.parent,
        "outsider": world.outsider,
    }[who]
    with pytest.raises(Http404):
        rating_set(user, material.pk, stars=5)
    answer = api(user).post(f"/api/v1/materials/{material.pk}/rating", {"stars": 5}, format="json")
    assert answer.status_code == 404


def test_a_material_one_may_not_open_is_not_rated(world: World) -> None:
    draft = text_material(world.a.subject_teacher)
    with pytest.raises(Http404):
        rating_set(world.b.subject_teacher, draft.pk, stars=5)


def test_a_teacher_rates_changes_and_the_figures_follow(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    material = city_material(world)
    client = api(world.b.subject_teacher)
    url = f"/api/v1/materials/{material.pk}/rating"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"stars": 5}, format="json", HTTP_IDEMPOTENCY_KEY="rate-1")
    assert first.json() == {"material_id": material.pk, "stars": 5}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"stars": 5}, format="json")
        changed = client.post(url, {"stars": 2}, format="json")
        api(world.a.class_teacher).post(url, {"stars": 4}, format="json")
    assert changed.json()["stars"] == 2
    assert Rating.objects.filter(material=material).count() == 2
    material.refresh_from_db()
    assert (material.rating_count, material.rating_sum, material.rating) == (2, 6, 3.0)
    assert client.post(url, {"stars": 9}, format="json").status_code == 400


def test_the_widget_rates_with_htmx_and_without(world: World) -> None:
    material = city_material(world)
    client = page(world.b.subject_teacher)
    url = f"/library/materials/{material.pk}/rating/"
    swapped = client.post(url, {"stars": "4"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert 'aria-pressed="true"' in swapped.text and f'id="rating-{material.pk}"' in swapped.text
    refused = client.post(url, {"stars": "7"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "Give from 1 to 5 stars." in refused.text
    plain = client.post(url, {"stars": "3", "next": "/library/top/"})
    assert plain.status_code == 302 and plain["Location"] == "/library/top/"
    assert Rating.objects.get(material=material).stars == 3
    assert page(world.a.subject_teacher).post(url, {"stars": "5"}).status_code == 404


def test_the_material_page_include_draws_the_widget(world: World) -> None:
    material = city_material(world)
    request = RequestFactory().get("/")
    for user, buttons in ((world.b.subject_teacher, True), (world.a.subject_teacher, False)):
        request.user = user
        html = Template('{% include "library/_material_extra.html" %}').render(
            Context({"material": material, "request": request})
        )
        assert ('name="stars"' in html) is buttons
        assert "Not rated yet" in html


# --- the dashboard -------------------------------------------------------------------------


def test_the_author_sees_their_figures_and_chart(world: World, django_assert_max_num_queries: Any) -> None:
    teacher = world.a.subject_teacher
    material = city_material(world)
    text_material(teacher, title="Черновик")
    for kind, n in ((Use.Kind.VIEW, 4), (Use.Kind.LESSON, 2), (Use.Kind.DOWNLOAD, 1)):
        Use.objects.bulk_create([Use(material=material, kind=kind) for _ in range(n)])
    Rating.objects.create(material=material, user=world.b.subject_teacher, stars=4)
    uses_count()
    client = page(teacher)
    with django_assert_max_num_queries(9):
        response = client.get("/library/dashboard/")
    assert response.status_code == 200
    board = response.context["board"]
    totals = board.totals
    assert (totals.materials, totals.published, totals.views, totals.lesson_uses, totals.downloads) == (
        2,
        1,
        4,
        2,
        1,
    )
    assert totals.rating == 4.0
    assert len(board.days) == 90 and board.days[-1].day == timezone.localdate()
    assert (board.days[-1].views, board.days[-1].uses) == (4, 2)
    chart = json.loads(
        response.text.split('id="library-chart-data" type="application/json">')[1].split("<")[0]
    )
    assert chart["views"][-1] == 4 and chart["uses"][-1] == 2 and len(chart["labels"]) == 90
    assert board.materials[0].title == "Дроби"
    # More materials and days cost no more queries.
    for n in range(5):
        extra = city_material(world, title=f"Ещё {n}")
        UsageDay.objects.create(material=extra, day=timezone.localdate(), views=n)
    with django_assert_max_num_queries(9):
        assert client.get("/library/dashboard/").status_code == 200


def test_students_and_families_have_no_dashboard(world: World) -> None:
    for user in (world.a.student, world.a.parent, world.outsider):
        assert page(user).get("/library/dashboard/").status_code == 404


# --- an author's profile -------------------------------------------------------------------


def test_an_authors_profile_shows_what_the_reader_may_open(world: World) -> None:
    teacher = world.a.subject_teacher
    city = city_material(world, title="Для города")
    published(text_material(teacher, title="Для школы"), world.methodologist, Visibility.SCHOOL)
    text_material(teacher, title="Черновик")
    colleague = page(world.a.class_teacher).get(f"/library/authors/{teacher.pk}/")
    assert colleague.status_code == 200
    assert [m.title for m in colleague.context["profile"].materials] == ["Для города", "Для школы"]
    other_school = api(world.b.subject_teacher).get(f"/api/v1/library/authors/{teacher.pk}").json()
    assert [m["id"] for m in other_school["materials"]] == [city.pk]
    assert other_school["totals"]["published"] == 1
    assert other_school["short_name"] == teacher.short_name
    # Nobody learns who is an author from someone with nothing to show.
    assert (
        page(world.b.subject_teacher).get(f"/library/authors/{world.a.class_teacher.pk}/").status_code == 404
    )
    assert api(world.outsider).get(f"/api/v1/library/authors/{world.outsider.pk}").status_code == 404
    assert Client().get(f"/library/authors/{teacher.pk}/").status_code == 404  # nothing public


# --- the top lists -------------------------------------------------------------------------


def test_the_top_lists_rank_by_popularity_with_filters(
    world: World, django_assert_max_num_queries: Any
) -> None:
    algebra = world.a.lesson.subject
    first = city_material(world, title="Первое", subject_ids=[algebra.pk])
    second = published(text_material(world.b.subject_teacher, title="Второе"), world.methodologist)
    hidden = published(text_material(world.a.class_teacher, title="Школьное"), world.methodologist, "school")
    for material, lessons in ((first, 1), (second, 3), (hidden, 9)):
        UsageDay.objects.create(material=material, day=timezone.localdate(), lesson_uses=lessons)
        Material.objects.filter(pk=material.pk).update(lesson_uses=lessons)
    popularity_refresh()
    client = page(world.b.class_teacher)
    # One of them what was given at the reader's school, kept for its staff after this first read.
    with django_assert_max_num_queries(10):
        response = client.get("/library/top/")
    lists = response.context["lists"]
    # School b's teacher does not see school a's school-only material.
    assert [m.title for m in lists.materials] == ["Второе", "Первое"]
    assert [a.id for a in lists.authors] == [world.b.subject_teacher.pk, world.a.subject_teacher.pk]
    assert lists.authors[0].uses == 3
    assert [
        m.title for m in client.get(f"/library/top/?subject={algebra.pk}").context["lists"].materials
    ] == ["Первое"]
    assert client.get("/library/top/?type=video").context["lists"].materials == []
    body = api(world.a.subject_teacher).get(f"/api/v1/library/top?type={Kind.TEXT}").json()
    assert [m["title"] for m in body["materials"]] == ["Школьное", "Второе", "Первое"]
    assert body["materials"][0]["popularity"] == 45.0
    assert body["authors"][0] == {
        "id": world.a.class_teacher.pk,
        "short_name": world.a.class_teacher.short_name,
        "materials": 1,
        "uses": 9,
        "rating": None,
        "popularity": 45.0,
    }
    assert api(world.a.subject_teacher).get("/api/v1/library/top?subject=x").status_code == 400
    for n in range(5):
        city_material(world, title=f"Ещё {n}")
    with django_assert_max_num_queries(10):
        assert client.get("/library/top/").status_code == 200
