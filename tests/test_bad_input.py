"""Bad input across the API: a 400 with field messages and nothing changed, never a 500 and never
a request half applied (issue 17, item 5)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from parta.homework.models import Homework
from parta.journal.models import AbsenceNotice, Mark
from parta.messaging.models import NotificationPreference
from parta.testing.factories import api_key
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db

PREFERENCES = "/api/v1/notifications/preferences"


def client_for(user=None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


# --- deeply nested JSON --------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 100_000, "[" * 1000 + "]" * 1000])
def test_deeply_nested_json_is_a_400_even_before_signing_in(body):
    response = client_for().post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_deeply_nested_json_changes_nothing(world):
    choice = '[{"kind": "message", "email": false, "push": true}]'
    body = '{"kinds": ' + choice + ', "nested": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client_for(world.a.parent).put(PREFERENCES, data=body, content_type="application/json")
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


# --- dates near the calendar's ends --------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"from": "9999-12-01", "to": "9999-12-31"}, "from"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"from": "2026-09-07", "to": "9999-12-31"}, "to"),
    ],
)
@pytest.mark.parametrize("what", ["diary", "attendance", "homework", "timetable"])
def test_dates_no_school_can_mean_are_a_400_on_the_field(world, dates, field, what):
    student = world.a.student
    url = (
        f"/api/v1/people/{student.pk}/timetable"
        if what == "timetable"
        else f"/api/v1/students/{student.pk}/{what}"
    )
    response = client_for(world.a.parent).get(url, dates)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_a_mark_owed_until_year_9999_is_a_400_and_writes_nothing(world):
    response = client_for(world.a.subject_teacher).post(
        "/api/v1/marks",
        {
            "lesson": world.a.lesson.pk,
            "student": world.a.student.pk,
            "value": None,
            "owed_until": "9999-12-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "owed_until" in response.json()["errors"]
    assert not Mark.objects.exists()


def test_an_absence_notice_to_year_9999_is_a_400_and_writes_nothing(world):
    response = client_for(world.a.parent).post(
        f"/api/v1/students/{world.a.student.pk}/absence-notices",
        {"starts_on": MONDAY.isoformat(), "ends_on": "9999-12-31", "reason": "ill"},
        format="json",
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()["errors"]
    assert not AbsenceNotice.objects.exists()


# --- lists: limit and offset ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [("offset=null", "offset"), ("offset=-1", "offset"), (f"offset={2**63}", "offset"), ("limit=x", "limit")],
)
@pytest.mark.parametrize("url", ["/api/v1/notifications", "/api/v1/conversations", "/api/v1/subjects"])
def test_a_bad_limit_or_offset_is_a_400_not_the_first_page(world, query, field, url):
    response = client_for(world.a.parent).get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_a_limit_past_the_ceiling_is_the_ceiling(world):
    response = client_for(world.a.parent).get("/api/v1/notifications?limit=100000")
    assert response.status_code == 200


# --- the preferences: validated whole before anything is written ---------------------------


def test_preferences_with_an_unknown_field_change_nothing(world):
    response = client_for(world.a.parent).put(
        f"{PREFERENCES}?offset=null",
        data=json.dumps({"offset": None, "kinds": [{"kind": "message", "email": False, "push": True}]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"offset": ["Unknown field."]}
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("kinds", ["foo", '[{"kind": "mark", "email": false, "push": true}]'])
def test_multipart_preferences_with_a_bare_kinds_key_change_nothing(world, kinds):
    response = client_for(world.a.parent).put(PREFERENCES, {"kinds": kinds}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["kinds"]
    assert not NotificationPreference.objects.exists()


def test_multipart_preferences_with_indexed_kinds_are_read(world):
    response = client_for(world.a.parent).put(
        PREFERENCES,
        {
            "kinds[0]kind": "mark",
            "kinds[0]email": "false",
            "kinds[0]push": "true",
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    mark = next(k for k in response.json()["kinds"] if k["kind"] == "mark")
    assert mark["push"] is True


# --- homework links in multipart -----------------------------------------------------------


def test_multipart_homework_with_bare_links_is_a_400_and_writes_nothing(world):
    response = client_for(world.a.subject_teacher).post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework",
        {
            "text": "Read",
            "due_on": (MONDAY + dt.timedelta(days=2)).isoformat(),
            "links": "https://example.org",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["links"]
    assert not Homework.objects.exists()


def test_multipart_homework_with_indexed_links_keeps_them(world):
    response = client_for(world.a.subject_teacher).post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework",
        {
            "text": "Read",
            "due_on": (MONDAY + dt.timedelta(days=2)).isoformat(),
            "links[0]url": "https://example.org/a",
            "links[0]title": "A",
            "links[1]url": "https://example.org/b",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["links"] == [
        {"url": "https://example.org/a", "title": "A"},
        {"url": "https://example.org/b", "title": ""},
    ]


# --- body size -----------------------------------------------------------------------------


def test_a_json_body_past_the_limit_is_a_413_before_it_is_parsed(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "a" * 2000, "password": "x"})
    response = client_for().post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"]


def test_an_upload_past_the_request_limit_is_a_413_and_writes_nothing(world, settings):
    settings.PARTA_MAX_REQUEST_BYTES = 1000
    response = client_for(world.a.subject_teacher).post(
        f"/api/v1/lessons/{world.a.lesson.pk}/homework",
        {"text": "Read", "files": [SimpleUploadedFile("a.pdf", b"%PDF-1.4" + b"0" * 2000)]},
        format="multipart",
    )
    assert response.status_code == 413
    assert not Homework.objects.exists()
