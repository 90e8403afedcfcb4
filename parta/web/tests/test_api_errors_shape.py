"""Every API answer is JSON in the one error shape, whatever failed, and names its request."""

from __future__ import annotations

import logging

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from rest_framework.test import APIClient

from parta.schools.api import MeApi
from parta.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/marks/abc", "/api/v1/no-such-thing", "/api/v1/schools/1x"])
def test_a_path_no_pattern_matches_is_a_json_404(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_pages_keep_their_html_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_is_json_with_the_request_id(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(MeApi, "get", broken)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.a.parent)
    response = api.get("/api/v1/me", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred.", "code": "error", "request_id": "req-42"}
    assert response["X-Request-ID"] == "req-42"


def test_every_answer_names_its_request(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    made_up = client.get("/healthz")["X-Request-ID"]
    assert len(made_up) == 32
    assert client.get("/healthz")["X-Request-ID"] != made_up
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-1")["X-Request-ID"] == "abc-1"
    # Anything that is not a plain token could forge log lines: a new id instead.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="x\ny")["X-Request-ID"] != "x\ny"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/api/v1/marks/abc", HTTP_X_REQUEST_ID="abc-2")
    assert [record.request_id for record in caplog.records] == ["abc-2"]  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_database_dropped_the_connection_is_served(world: World, settings) -> None:
    """PostgreSQL restarted (here: this connection killed from another one): the next request checks
    its kept connection, finds it dead and opens a new one instead of answering 500."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connections only")
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.a.parent)
    assert api.get("/api/v1/me").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    killer = connection.copy()
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits for its end
    finally:
        killer.close()
    # What Django's handler does as each request starts; its test client leaves it out.
    close_old_connections()
    assert api.get("/api/v1/me").status_code == 200


def test_every_refusal_has_a_machine_readable_code(world: World) -> None:
    api = APIClient()
    assert api.get("/api/v1/me").json()["code"] == "not_authenticated"
    api.force_authenticate(world.a.parent)
    body = api.post("/api/v1/marks", {}, format="json").json()
    assert body["code"] in {"required", "invalid"} and "errors" in body
