"""A part of a material's content that another app defines (``parta.library.content``): checked
when a version is saved, summarised for readers who may not see it whole, compared, linked."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from parta.core.errors import FieldErrors
from parta.library import content
from parta.library.models import Kind, Material
from parta.library.selectors.authoring import content_lines
from parta.library.services.authoring import MaterialData, material_create
from parta.testing.factories import api_key
from parta.testing.library import published
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def _check(raw: Any, errors: FieldErrors, actor: Any) -> Any:
    if not isinstance(raw, dict) or "secret" not in raw:
        errors.add("content", "The riddle needs its secret.")
    return (
        {"riddle": str(raw.get("riddle", "")), "secret": str(raw.get("secret", ""))}
        if isinstance(raw, dict)
        else {}
    )


PART = content.ContentPart(
    key="riddle",
    kinds=frozenset({Kind.FICTION}),
    check=_check,
    summary=lambda riddle: {"riddle": riddle["riddle"]},
    lines=lambda riddle: [f"{riddle['riddle']} → {riddle['secret']}"],
    links=lambda user, material: [("Guess", f"/guess/{material.pk}/")] if user.is_authenticated else [],
)


@pytest.fixture
def riddle_part() -> Iterator[None]:
    content.register_part(PART)
    yield
    del content._parts[PART.key]


@pytest.fixture
def riddle(world: World, riddle_part: None) -> Material:
    material = material_create(
        world.a.subject_teacher,
        kind="fiction",
        data=MaterialData(
            title="Загадка", content={"riddle": {"riddle": "Зимой и летом одним цветом", "secret": "ёлка"}}
        ),
    )
    return published(material, world.methodologist)


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def test_a_part_is_checked_when_a_version_is_saved(world: World, riddle_part: None) -> None:
    response = _api(world.a.subject_teacher).post(
        "/api/v1/materials",
        {"kind": "fiction", "title": "Загадка", "content": {"riddle": {"riddle": "?"}}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["content"] == ["The riddle needs its secret."]
    assert not Material.objects.exists()


def test_readers_who_may_not_see_a_part_whole_get_its_summary(world: World, riddle: Material) -> None:
    url = f"/api/v1/materials/{riddle.pk}"
    assert _api(world.a.student).get(url).json()["content"]["riddle"] == {
        "riddle": "Зимой и летом одним цветом"
    }
    whole = {"riddle": "Зимой и летом одним цветом", "secret": "ёлка"}
    assert _api(world.b.subject_teacher).get(url).json()["content"]["riddle"] == whole
    assert _api(world.a.subject_teacher).get(url).json()["content"]["riddle"] == whole
    # The export a student downloads holds the summary too.
    page = Client()
    page.force_login(world.a.student)
    package: Any = page.get(reverse("library-export", args=[riddle.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["content"]["riddle"] == {"riddle": "Зимой и летом одним цветом"}


def test_a_part_is_compared_and_linked_from_the_page(world: World, riddle: Material) -> None:
    assert riddle.latest is not None
    assert content_lines(riddle.latest.content, {}) == ["Зимой и летом одним цветом → ёлка"]
    page = Client()
    page.force_login(world.a.student)
    assert (
        f'href="/guess/{riddle.pk}/"'
        in page.get(reverse("library-material", args=[riddle.pk])).content.decode()
    )


def test_changing_the_title_on_the_edit_page_keeps_the_part(world: World, riddle_part: None) -> None:
    """The edit page of a kind that is not composed writes its text and address, and keeps the
    parts other apps put in the content as the page was opened with them."""
    author = world.a.subject_teacher
    material = material_create(
        author,
        kind="fiction",
        data=MaterialData(
            title="Загадка", content={"body": "Отгадайте.", "riddle": {"riddle": "?", "secret": "!"}}
        ),
    )
    page = Client()
    page.force_login(author)
    form = page.get(reverse("library-edit", args=[material.pk])).context["form"]
    data = {name: value for name in form.fields if (value := form[name].value()) not in (None, [])}
    assert json.loads(data["content"])["riddle"] == {"riddle": "?", "secret": "!"}
    response = page.post(reverse("library-edit", args=[material.pk]), {**data, "title": "Загадка о ёлке"})
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.latest is not None and material.latest.number == 2
    assert material.latest.title == "Загадка о ёлке"
    assert material.latest.content == {"body": "Отгадайте.", "riddle": {"riddle": "?", "secret": "!"}}
