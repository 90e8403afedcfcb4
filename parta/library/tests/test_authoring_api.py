"""Authoring API: create (JSON, multipart, idempotent), a version per save, versions, restore,
submit, the author's list; 400 with field messages, 404 for what is not the user's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from parta.accounts.models import User
from parta.library.models import Material, Status, Visibility
from parta.testing.factories import api_key
from parta.testing.library import text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def api(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


TEXT = {"kind": "text", "title": "Дроби", "content": {"body": "Дробь — часть целого."}, "grades": [5]}


def test_create_saves_a_private_draft_and_a_retry_with_the_key_creates_nothing(world: World) -> None:
    client = api(world.a.subject_teacher)
    first = client.post("/api/v1/materials", TEXT, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201
    body: Any = first.json()
    assert (body["kind"], body["status"], body["visibility"]) == ("text", "draft", "private")
    assert body["version"]["number"] == 1 and body["version"]["content"] == {"body": "Дробь — часть целого."}
    again = client.post("/api/v1/materials", TEXT, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.json() == body and again["Idempotent-Replayed"] == "true"
    assert Material.objects.count() == 1


def test_create_with_a_file_in_multipart(world: World) -> None:
    client = api(world.a.subject_teacher)
    upload = SimpleUploadedFile("memo.pdf", b"%PDF-1.4 memo")
    response = client.post(
        "/api/v1/materials",
        {"kind": "file", "title": "Памятка", "grades": ["7", "8"], "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    version = response.json()["version"]
    assert version["file"]["name"].endswith(".pdf") and version["file"]["size"] == 13
    assert version["grades"] == [7, 8]
    scenario = client.post(
        "/api/v1/materials",
        {
            "kind": "scenario",
            "title": "Урок",
            "content": json.dumps({"blocks": [{"type": "text", "text": "Начало"}]}),
        },
        format="multipart",
    )
    assert (
        scenario.status_code == 201 and scenario.json()["version"]["content"]["blocks"][0]["text"] == "Начало"
    )


def test_bad_input_is_400_with_field_messages(world: World) -> None:
    client = api(world.a.subject_teacher)
    response = client.post("/api/v1/materials", {"kind": "image", "title": "", "grades": [12]}, format="json")
    assert response.status_code == 400
    assert {"title", "grades", "file"} <= set(response.json()["errors"])
    assert not Material.objects.exists()


def test_students_and_parents_may_not_create(world: World) -> None:
    for person in (world.a.student, world.a.parent):
        assert api(person).post("/api/v1/materials", TEXT, format="json").status_code == 404


def test_put_is_a_new_version_and_versions_list_read_and_restore(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher, title="Первое")
    client = api(teacher)
    saved = client.put(
        f"/api/v1/materials/{material.pk}",
        {"title": "Второе", "content": {"body": "Новый текст"}, "note": "правка"},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["latest_version"] == 2
    listing: Any = client.get(f"/api/v1/materials/{material.pk}/versions").json()
    assert [(v["number"], v["note"], v["is_latest"]) for v in listing] == [
        (2, "правка", True),
        (1, "", False),
    ]
    one: Any = client.get(f"/api/v1/materials/{material.pk}/versions/1").json()
    assert one["title"] == "Первое" and one["content"]["body"].startswith("Уравнение")
    restored: Any = client.post(f"/api/v1/materials/{material.pk}/versions/1/restore").json()
    assert restored["latest_version"] == 3 and restored["version"]["title"] == "Первое"
    assert client.get(f"/api/v1/materials/{material.pk}/versions/9").status_code == 404


def test_another_teacher_gets_404_everywhere(world: World) -> None:
    material = text_material(world.a.subject_teacher)
    client = api(world.b.subject_teacher)
    base = f"/api/v1/materials/{material.pk}"
    assert client.put(base, {"title": "x", "content": {"body": "x"}}, format="json").status_code == 404
    assert client.get(f"{base}/versions").status_code == 404
    assert client.get(f"{base}/versions/1").status_code == 404
    assert client.post(f"{base}/versions/1/restore").status_code == 404
    assert client.post(f"{base}/submit", {"visibility": "city"}, format="json").status_code == 404
    assert api(world.a.class_teacher).get(f"{base}/versions").status_code == 404


def test_submit_and_mine(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher)
    text_material(world.a.class_teacher, title="Чужое")
    client = api(teacher)
    bad = client.post(f"/api/v1/materials/{material.pk}/submit", {"visibility": "private"}, format="json")
    assert bad.status_code == 400 and "visibility" in bad.json()["errors"]
    done: Any = client.post(
        f"/api/v1/materials/{material.pk}/submit", {"visibility": "school"}, format="json"
    ).json()
    assert (done["status"], done["requested_visibility"]) == (Status.SUBMITTED, Visibility.SCHOOL)
    again = client.post(f"/api/v1/materials/{material.pk}/submit", {"visibility": "school"}, format="json")
    assert again.status_code == 400 and "status" in again.json()["errors"]
    mine: Any = client.get("/api/v1/materials/mine").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == material.pk


def test_a_retried_restore_or_submit_with_its_key_answers_as_the_first_time(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher)
    client = api(teacher)
    restore = f"/api/v1/materials/{material.pk}/versions/1/restore"
    first = client.post(restore, HTTP_IDEMPOTENCY_KEY="restore-1")
    again = client.post(restore, HTTP_IDEMPOTENCY_KEY="restore-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert material.versions.count() == 2
    submit = f"/api/v1/materials/{material.pk}/submit"
    first = client.post(submit, {"visibility": "city"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    again = client.post(submit, {"visibility": "city"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
