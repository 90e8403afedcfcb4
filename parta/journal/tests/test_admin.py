"""The Django admin shows marks, attendance, period marks and absence notices but changes none of
them: an edit there would write no history, bump no version and notify nobody."""

from __future__ import annotations

import pytest
from django.test import Client

from parta.journal.models import Attendance, Mark
from parta.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(f.UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["mark", "attendance", "periodmark", "absencenotice", "journalchange"])
def test_the_admin_lists_but_cannot_add(superuser_client, model):
    assert superuser_client.get(f"/admin/journal/{model}/").status_code == 200
    assert superuser_client.get(f"/admin/journal/{model}/add/").status_code == 403


def test_a_mark_is_shown_but_not_changed_or_deleted(world, superuser_client):
    mark = f.MarkFactory.create(lesson=world.a.lesson, student=world.a.student, value=3)
    url = f"/admin/journal/mark/{mark.pk}/change/"
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    superuser_client.post(url, {"value": 5, "weight": 1})
    assert superuser_client.post(f"/admin/journal/mark/{mark.pk}/delete/", {"post": "yes"}).status_code == 403
    mark.refresh_from_db()
    assert (mark.value, mark.version) == (3, 1)
    assert Mark.objects.count() == 1


def test_attendance_is_not_changed(world, superuser_client):
    entry = f.AttendanceFactory.create(lesson=world.a.lesson, student=world.a.student)
    superuser_client.post(f"/admin/journal/attendance/{entry.pk}/change/", {"status": "late"})
    entry.refresh_from_db()
    assert entry.status == Attendance.Status.ABSENT
