"""Downloading a material's file: its author any version, others the version they see, everyone
else 404; a sandboxed attachment, counted as a download."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from parta.library.models import Material, Use, Visibility
from parta.library.services.authoring import MaterialData, material_create, material_save
from parta.testing.library import png_file, published
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def _pdf(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n" + text.encode())


def _notes(world: World) -> Material:
    """Version 1 published for the school, version 2 a draft."""
    teacher = world.a.subject_teacher
    material = material_create(teacher, kind="file", data=MaterialData(title="Конспект"), file=_pdf("first"))
    published(material, world.methodologist, Visibility.SCHOOL)
    material_save(teacher, material.pk, data=MaterialData(title="Конспект"), file=_pdf("second"))
    return material


def _get(user: Any, material: Material, query: str = "") -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("library-download", args=[material.pk]) + query)


def test_the_author_downloads_any_version_others_the_published_one(world: World) -> None:
    material = _notes(world)
    author = world.a.subject_teacher
    assert b"".join(_get(author, material).streaming_content).endswith(b"second")
    assert b"".join(_get(author, material, "?version=1").streaming_content).endswith(b"first")
    colleague = world.a.class_teacher
    assert b"".join(_get(colleague, material).streaming_content).endswith(b"first")
    assert _get(colleague, material, "?version=1").status_code == 200
    assert _get(colleague, material, "?version=2").status_code == 404
    assert _get(colleague, material, "?version=x").status_code == 404
    assert Use.objects.filter(material=material, kind=Use.Kind.DOWNLOAD).count() == 4


def test_it_is_a_sandboxed_attachment(world: World) -> None:
    response = _get(world.a.subject_teacher, _notes(world))
    assert response["Content-Disposition"] == 'attachment; filename="notes.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["b.subject_teacher", "b.parent", "b.student", "outsider"])
def test_others_get_404(world: World, who: str) -> None:
    material = _notes(world)
    assert _get(attrgetter(who)(world), material).status_code == 404
    assert not Use.objects.filter(kind=Use.Kind.DOWNLOAD).exists()


def test_a_private_draft_is_its_authors_only(world: World) -> None:
    teacher = world.a.subject_teacher
    material = material_create(teacher, kind="file", data=MaterialData(title="Черновик"), file=_pdf("x"))
    for who in (world.a.class_teacher, world.a.parent, world.a.student, None):
        assert _get(who, material).status_code == 404


def test_the_api_sends_the_file_the_same_way(world: World) -> None:
    material = _notes(world)
    client = APIClient()
    client.force_authenticate(world.a.class_teacher)
    url = reverse("api-library-file", args=[material.pk])
    response = client.get(url)
    assert response.status_code == 200 and response.getvalue().endswith(b"first")
    assert client.get(url + "?version=2").status_code == 404
    assert client.get(url + "?version=0").status_code == 400
    client.force_authenticate(world.b.subject_teacher)
    assert client.get(url).status_code == 404


def test_a_cover_and_a_file_shown_in_the_page_are_not_counted_as_downloads(world: World) -> None:
    teacher = world.a.subject_teacher
    material = material_create(
        teacher, kind="image", data=MaterialData(title="Схема"), file=png_file(), cover=png_file("cover.png")
    )
    cover = _get(teacher, material, "?version=1&cover=1")
    assert cover.status_code == 200 and 'filename="cover.png"' in cover["Content-Disposition"]
    assert _get(teacher, material, "?version=1&shown=1").status_code == 200
    assert not Use.objects.filter(kind=Use.Kind.DOWNLOAD).exists()
    assert _get(teacher, material, "?version=1").status_code == 200
    assert Use.objects.filter(kind=Use.Kind.DOWNLOAD).count() == 1
    no_cover = material_create(teacher, kind="file", data=MaterialData(title="Без обложки"), file=_pdf("x"))
    assert _get(teacher, no_cover, "?cover=1").status_code == 404
