"""Homework API: the student's list and tick, the teacher's writes and who has done it; 404 for
anyone else, 400 with field messages for bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from parta.homework.models import Homework, HomeworkCompletion
from parta.homework.tests.conftest import next_algebra
from parta.homework.tests.test_views import actor
from parta.outbox.models import OutboxEvent
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def test_the_student_lists_and_ticks_homework(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson, due_on=MONDAY + dt.timedelta(days=2))
    client = api(world.a.student)
    url = f"/api/v1/students/{world.a.student.pk}/homework?from={MONDAY}&to={MONDAY + dt.timedelta(days=6)}"
    body: Any = client.get(url).json()
    assert body["count"] == 1
    [item] = body["results"]
    assert (item["id"], item["done"], item["subject"]["code"]) == (homework.pk, False, "algebra")
    assert client.post(f"/api/v1/homework/{homework.pk}/done").json()["done"] is True
    assert client.post(f"/api/v1/homework/{homework.pk}/done").status_code == 200
    assert HomeworkCompletion.objects.count() == 1
    assert client.get(url + "&status=done").json()["count"] == 1
    assert client.get(url + "&status=todo").json()["count"] == 0
    assert client.delete(f"/api/v1/homework/{homework.pk}/done").status_code == 204
    assert client.delete(f"/api/v1/homework/{homework.pk}/done").status_code == 204
    assert not HomeworkCompletion.objects.exists()


def test_bad_filters_are_400(world):
    client = api(world.a.student)
    base = f"/api/v1/students/{world.a.student.pk}/homework"
    assert client.get(base + "?from=2026-09-10&to=2026-09-01").status_code == 400
    assert client.get(base + "?status=maybe").status_code == 400
    assert client.get(base + "?from=2026-01-01&to=2027-09-01").status_code == 400


def test_the_teacher_sets_changes_and_deletes_homework(world):
    following = next_algebra(world)
    client = api(world.a.subject_teacher)
    response = client.post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework",
        {"text": "Read", "links": [{"url": "https://example.org", "title": "Ex"}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["due_on"], body["class_size"], body["links"]) == (
        following.date.isoformat(),
        2,  # the student and the classmate
        [{"url": "https://example.org", "title": "Ex"}],
    )
    homework_id = body["id"]
    patched = client.patch(f"/api/v1/homework/{homework_id}", {"text": "Read more"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["text"], patched.json()["links"][0]["url"]) == ("Read more", "https://example.org")
    upload = client.patch(
        f"/api/v1/homework/{homework_id}",
        {"files": [SimpleUploadedFile("a.pdf", b"%PDF-1.4")]},
        format="multipart",
    )
    assert upload.status_code == 200, upload.content
    assert [file["name"] for file in upload.json()["files"]] == ["a.pdf"]
    assert [e.payload["change"] for e in OutboxEvent.objects.order_by("pk")] == [
        "created",
        "changed",
        "changed",
    ]
    assert client.delete(f"/api/v1/homework/{homework_id}").status_code == 204
    assert not Homework.objects.exists()


def test_bad_input_is_400_with_field_messages_and_writes_nothing(world):
    client = api(world.a.subject_teacher)
    response = client.post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework",
        {"text": " ", "links": [{"url": "nope"}]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"text", "links", "due_on"} <= errors.keys()
    assert not Homework.objects.exists()


def test_the_teacher_sees_who_has_done_it(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    api(world.a.student).post(f"/api/v1/homework/{homework.pk}/done")
    body = api(world.a.subject_teacher).get(f"/api/v1/homework/{homework.pk}/completion").json()
    assert body["done_count"] == 1
    done = {row["id"]: row["done"] for row in body["students"]}
    assert done == {world.a.student.pk: True, world.a.classmate.pk: False}


ALL = [
    "a.admin", "a.class_teacher", "a.subject_teacher", "a.parent", "a.student", "a.sibling",
    "b.admin", "b.class_teacher", "b.subject_teacher", "b.parent", "b.student", "b.sibling",
    "outsider", "methodologist",
]  # fmt: skip


def status_of(response) -> int:
    return int(response.status_code)


@pytest.mark.parametrize("who", ALL)
def test_the_404_matrix(world, who):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    user = actor(world, who)
    client = api(user)
    readers = {"a.admin", "a.class_teacher", "a.subject_teacher", "a.parent", "a.student"}
    staff = {"a.admin", "a.class_teacher", "a.subject_teacher"}
    writer = {"a.subject_teacher"}
    expect = lambda allowed, ok=200: ok if who in allowed else 404  # noqa: E731
    assert status_of(client.get(f"/api/v1/students/{world.a.student.pk}/homework")) == expect(readers)
    assert status_of(client.get(f"/api/v1/homework/{homework.pk}/completion")) == expect(staff)
    assert status_of(client.post(f"/api/v1/homework/{homework.pk}/done")) == expect({"a.student"})
    assert status_of(client.delete(f"/api/v1/homework/{homework.pk}/done")) == expect({"a.student"}, 204)
    created = client.post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework", {"text": "x", "due_on": str(MONDAY)}, format="json"
    )
    assert status_of(created) == expect(writer, 201)
    patched = client.patch(f"/api/v1/homework/{homework.pk}", {"text": "changed"}, format="json")
    assert status_of(patched) == expect(writer)
    assert status_of(client.delete(f"/api/v1/homework/{homework.pk}")) == expect(writer, 204)
    if who not in writer:
        homework.refresh_from_db()
        assert homework.text != "changed"


def test_anonymous_requests_are_401(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    client = APIClient()
    assert client.get(f"/api/v1/students/{world.a.student.pk}/homework").status_code == 401
    assert client.post(f"/api/v1/homework/{homework.pk}/done").status_code == 401
    assert client.get(f"/api/v1/homework/{homework.pk}/completion").status_code == 401
