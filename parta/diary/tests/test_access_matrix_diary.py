"""The diary's pages and API for the sibling in 9Б, over the two schools of the ``world``: the
wrong teacher of the same school (the subject teacher does not teach 9Б), the student's brother
or sister, and another school's admin, teacher and parent get 404; the anonymous API caller 401."""

from __future__ import annotations

from operator import attrgetter

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from parta.journal.models import AbsenceNotice
from parta.testing.world import MONDAY, World

pytestmark = pytest.mark.django_db

OWNERS = ["a.sibling", "a.parent", "a.class_teacher", "a.admin"]
STRANGERS = [
    "a.subject_teacher",
    "a.student",
    "a.classmate",
    "a.classmate_parent",
    "b.admin",
    "b.class_teacher",
    "b.parent",
    "outsider",
]
# The classmate's diary in 7А: both of 7А's teachers and the admin read it; the other family of
# the same class group (a.parent, a.student, a.sibling) is a stranger to it.
CLASSMATE_OWNERS = ["a.classmate", "a.classmate_parent", "a.class_teacher", "a.subject_teacher", "a.admin"]
CLASSMATE_STRANGERS = [
    "a.parent",
    "a.student",
    "a.sibling",
    "b.admin",
    "b.parent",
    "outsider",
    "methodologist",
]
RANGE = {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}


def page_urls(student_id: int) -> list[str]:
    return [
        f"/diary/{student_id}/?week={MONDAY}",
        f"/diary/{student_id}/marks/",
        f"/diary/{student_id}/marks/algebra/",
        f"/diary/{student_id}/attendance/",
        f"/diary/{student_id}/report-card/",
        f"/diary/{student_id}/report-card.pdf",
    ]


def api_urls(student_id: int) -> list[str]:
    return [
        f"/api/v1/students/{student_id}/diary",
        f"/api/v1/students/{student_id}/marks",
        f"/api/v1/students/{student_id}/attendance",
    ]


@pytest.mark.parametrize("who", [*OWNERS, *STRANGERS])
def test_the_pages_of_the_sibling(world: World, who: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(attrgetter(who)(world))
    expect = 200 if who in OWNERS else 404
    for url in page_urls(world.a.sibling.pk):
        assert client.get(url).status_code == expect, url


@pytest.mark.parametrize("who", [*OWNERS, *STRANGERS])
def test_the_api_of_the_sibling(world: World, who: str) -> None:
    client = APIClient()
    client.force_authenticate(attrgetter(who)(world))
    expect = 200 if who in OWNERS else 404
    for url in api_urls(world.a.sibling.pk):
        response = client.get(url, RANGE)
        assert response.status_code == expect, (url, response.status_code)


# Transactional, as tests/test_cached_reads.py: the world's writes commit, so the reads are cached.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", [*CLASSMATE_OWNERS, *CLASSMATE_STRANGERS])
def test_the_classmates_diary_after_its_own_family_has_read_it(world: World, who: str) -> None:
    # The classmate's parent reads first, so the diary's entries are in the read cache: a
    # stranger must be refused before any cached answer is used.
    family = Client()
    family.force_login(world.a.classmate_parent)
    family_api = APIClient()
    family_api.force_authenticate(world.a.classmate_parent)
    for url in page_urls(world.a.classmate.pk):
        assert family.get(url).status_code == 200, url
    for url in api_urls(world.a.classmate.pk):
        assert family_api.get(url, RANGE).status_code == 200, url
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(attrgetter(who)(world))
    api = APIClient()
    api.force_authenticate(attrgetter(who)(world))
    expect = 200 if who in CLASSMATE_OWNERS else 404
    for url in page_urls(world.a.classmate.pk):
        assert client.get(url).status_code == expect, url
    for url in api_urls(world.a.classmate.pk):
        response = api.get(url, RANGE)
        assert response.status_code == expect, (url, response.status_code)
        if expect == 404:
            assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize(
    "who",
    [
        "a.subject_teacher",
        "a.class_teacher",
        "a.student",
        "a.classmate_parent",
        "b.admin",
        "b.parent",
        "outsider",
    ],
)
def test_only_the_parent_withdraws_a_notice(world: World, who: str) -> None:
    today = timezone.localdate()
    notice = AbsenceNotice.objects.create(
        school=world.a.school,
        student=world.a.sibling,
        reported_by=world.a.parent,
        starts_on=today,
        ends_on=today,
        reason="x",
    )
    url = f"/diary/{world.a.sibling.pk}/absence-notices/{notice.pk}/withdraw/"
    client = Client()
    client.force_login(attrgetter(who)(world))
    assert client.post(url).status_code == 404
    notice.refresh_from_db()
    assert notice.withdrawn_at is None
    client.force_login(world.a.parent)
    assert client.post(url).status_code in {200, 302}
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None


def test_the_diary_api_is_401_without_credentials(world: World) -> None:
    for url in api_urls(world.a.sibling.pk):
        assert APIClient().get(url, RANGE).status_code == 401, url
