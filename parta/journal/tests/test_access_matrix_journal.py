"""The journal's pages and API over the two schools of the ``world``: the wrong teacher of the
same school (the subject teacher does not teach 9Б), the parent, and another school's admin,
teacher and parent get 404; the anonymous API caller 401; the rightful teacher 200."""

from __future__ import annotations

from operator import attrgetter

import pytest
from django.test import Client
from rest_framework.test import APIClient

from parta.journal.models import AbsenceNotice
from parta.testing.world import World

pytestmark = pytest.mark.django_db

# 9Б (other_group) is taught by a.class_teacher only: a.subject_teacher is the wrong teacher there.
OWNERS = ["a.admin", "a.class_teacher"]
STRANGERS = [
    "a.subject_teacher",
    "a.parent",
    "a.sibling",
    "a.classmate",
    "a.classmate_parent",
    "b.admin",
    "b.class_teacher",
    "b.parent",
    "outsider",
]


def api_urls(world: World) -> list[str]:
    lesson = world.a.other_lesson
    sibling = world.a.sibling.pk
    return [
        f"/api/v1/journal/assignments/{lesson.assignment_id}",
        f"/api/v1/lessons/{lesson.pk}/journal",
        f"/api/v1/lessons/{lesson.pk}/students/{sibling}/history",
    ]


def page_urls(world: World) -> list[str]:
    lesson = world.a.other_lesson
    sibling = world.a.sibling.pk
    return [
        f"/journal/{lesson.assignment_id}/",
        f"/journal/{lesson.assignment_id}/export.csv",
        f"/journal/{lesson.assignment_id}/export.xlsx",
        f"/journal/lessons/{lesson.pk}/",
        f"/journal/lessons/{lesson.pk}/students/{sibling}/",
    ]


@pytest.fixture
def notice(world: World) -> AbsenceNotice:
    return AbsenceNotice.objects.create(
        school=world.a.school,
        student=world.a.sibling,
        reported_by=world.a.parent,
        starts_on=world.a.other_lesson.date,
        ends_on=world.a.other_lesson.date,
        reason="x",
    )


def api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)  # type: ignore[arg-type]
    return client


def page(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize("who", [*OWNERS, *STRANGERS])
def test_the_api_of_9b_answers_its_teachers_and_404_to_the_rest(
    world: World, notice: AbsenceNotice, who: str
) -> None:
    client = api(attrgetter(who)(world))
    expect = 200 if who in OWNERS else 404
    for url in api_urls(world):
        response = client.get(url)
        assert response.status_code == expect, (url, response.status_code)
    # Absence notices: the family and the class teacher; the wrong teacher and strangers 404.
    readers = {"a.admin", "a.class_teacher", "a.parent", "a.sibling"}
    response = client.get(f"/api/v1/students/{world.a.sibling.pk}/absence-notices")
    assert response.status_code == (200 if who in readers else 404), response.status_code


@pytest.mark.parametrize("who", [*OWNERS, *STRANGERS])
def test_the_pages_of_9b_answer_its_teachers_and_404_to_the_rest(world: World, who: str) -> None:
    client = page(attrgetter(who)(world))
    expect = 200 if who in OWNERS else 404
    for url in page_urls(world):
        assert client.get(url).status_code == expect, url
    history = f"/school/{world.a.school.pk}/journal-history/"
    assert client.get(history).status_code == (200 if who == "a.admin" else 404)


def test_every_journal_api_endpoint_is_401_without_credentials(world: World, notice: AbsenceNotice) -> None:
    client = APIClient()
    lesson, student = world.a.lesson.pk, world.a.student.pk
    for method, url in [
        ("get", "/api/v1/journal/assignments"),
        ("get", f"/api/v1/journal/assignments/{world.a.assignment.pk}"),
        ("get", f"/api/v1/lessons/{lesson}/journal"),
        ("post", "/api/v1/marks"),
        ("patch", "/api/v1/marks/1"),
        ("put", f"/api/v1/lessons/{lesson}/attendance/{student}"),
        ("put", f"/api/v1/lessons/{lesson}/topic"),
        ("put", "/api/v1/period-marks"),
        ("get", f"/api/v1/lessons/{lesson}/students/{student}/history"),
        ("get", f"/api/v1/students/{student}/absence-notices"),
        ("post", f"/api/v1/absence-notices/{notice.pk}/withdraw"),
    ]:
        assert getattr(client, method)(url).status_code == 401, url
