"""The catalogue page /library/: open without signing in (public materials, cacheable), each
reader's own view when signed in, filters in a plain GET form, and the menu's way to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parta.library.models import Material, Visibility
from parta.schools.models import Subject
from parta.testing.library import published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(world: World) -> dict[str, Material]:
    teacher, methodologist = world.a.subject_teacher, world.methodologist
    algebra = Subject.objects.get(code="algebra")
    return {
        "public": published(
            text_material(teacher, title="Линейные уравнения", subject_ids=[algebra.pk], grades=[7]),
            methodologist,
            Visibility.PUBLIC,
        ),
        "school": published(
            text_material(teacher, title="Причастия", grades=[8]), methodologist, Visibility.SCHOOL
        ),
        "draft": text_material(teacher, title="Черновик"),
    }


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anyone_finds_public_materials_without_signing_in(world: World, shelf: dict[str, Material]) -> None:
    response = Client().get("/library/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Линейные уравнения" in page
    assert "Причастия" not in page and "Черновик" not in page
    assert f'href="/library/materials/{shelf["public"].pk}/"' in page
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response["Vary"]


def test_a_teacher_sees_their_schools_and_their_own(world: World, shelf: dict[str, Material]) -> None:
    response = signed_in(world.a.subject_teacher).get("/library/")
    page = response.content.decode()
    assert all(title in page for title in ("Линейные уравнения", "Причастия", "Черновик"))
    assert response["Cache-Control"] == "private, no-cache"
    other = signed_in(world.b.class_teacher).get("/library/").content.decode()
    assert "Линейные уравнения" in other and "Причастия" not in other and "Черновик" not in other


def test_search_and_facets_filter_through_the_get_form(world: World, shelf: dict[str, Material]) -> None:
    client = signed_in(world.a.class_teacher)
    page = client.get("/library/", {"q": "уравнениями"}).content.decode()
    assert "Линейные уравнения" in page and "Причастия" not in page
    page = client.get("/library/", {"grade": "8"}).content.decode()
    assert "Причастия" in page and "Линейные уравнения" not in page
    # The grade facet still offers grade 7 (a facet counts under the other filters only), checked 8.
    assert 'name="grade" value="7"' in page
    assert 'name="grade" value="8" checked' in page
    page = client.get("/library/", {"subject": "algebra", "verified": "", "language": ""}).content.decode()
    assert "Линейные уравнения" in page and "Причастия" not in page
    assert 'name="subject" value="algebra" checked' in page


def test_a_filter_not_understood_is_left_out_and_said_so(world: World, shelf: dict[str, Material]) -> None:
    response = Client().get("/library/", {"grade": "99", "q": "уравнения"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="notice notice-warning"' in page
    assert "Линейные уравнения" in page


def test_an_htmx_request_gets_the_same_page_to_pick_from(world: World, shelf: dict[str, Material]) -> None:
    response = Client().get("/library/", {"q": "линейн"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="catalogue"' in response.content.decode()


def test_pages_of_results(world: World) -> None:
    teacher = world.a.subject_teacher
    for number in range(25):
        text_material(teacher, title=f"Материал {number}")
    client = signed_in(teacher)
    first = client.get("/library/").content.decode()
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/library/", {"page": "2"}).content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize(
    "person", ["a.admin", "a.class_teacher", "a.parent", "a.student", "methodologist", "outsider"]
)
def test_every_signed_in_role_has_the_library_in_its_menu(world: World, person: str) -> None:
    user: Any = world
    for part in person.split("."):
        user = getattr(user, part)
    page = signed_in(user).get("/library/").content.decode()
    assert '<li><a href="/library/" aria-current="page">' in page


def test_the_login_page_leads_to_the_open_library(db: Any) -> None:
    assert 'href="/library/"' in Client().get("/login/").content.decode()
