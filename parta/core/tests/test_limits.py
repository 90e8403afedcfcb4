"""A body larger than its limit is a 413 by its Content-Length, before anything reads it."""

from __future__ import annotations

import json

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from parta.core.limits import BodySizeLimitMiddleware

MB = 1024 * 1024


def read_everything(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the body was read")


def passes(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@pytest.fixture(autouse=True)
def limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * MB
    settings.PARTA_MAX_REQUEST_BYTES = 101 * MB


def request_of(path: str, content_type: str, length: int) -> HttpRequest:
    request = RequestFactory().generic("POST", path, b"{}", content_type=content_type)
    request.META["CONTENT_LENGTH"] = str(length)
    return request


def test_json_past_the_body_limit_is_a_json_413():
    request = request_of("/api/v1/marks", "application/json", 3 * MB)
    response = BodySizeLimitMiddleware(read_everything)(request)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "2.0" in json.loads(response.content)["detail"]


def test_an_upload_past_the_request_limit_is_a_413_on_a_page_too():
    request = request_of("/homework/1/edit/", "multipart/form-data; boundary=x", 102 * MB)
    response = BodySizeLimitMiddleware(read_everything)(request)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("content_type", "length"),
    [("application/json", 2 * MB), ("multipart/form-data; boundary=x", 100 * MB), ("application/json", 0)],
)
def test_bodies_within_their_limit_pass(content_type, length):
    request = request_of("/api/v1/marks", content_type, length)
    assert BodySizeLimitMiddleware(passes)(request).status_code == 200


def test_a_bad_content_length_is_read_as_empty_and_passes():
    request = request_of("/api/v1/marks", "application/json", 0)
    request.META["CONTENT_LENGTH"] = "lots"
    assert BodySizeLimitMiddleware(passes)(request).status_code == 200
