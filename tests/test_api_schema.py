"""The OpenAPI schema builds without warnings and Swagger UI is served from our own static files."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client


def test_the_schema_builds_and_validates_without_warnings(tmp_path):
    # --fail-on-warn: an endpoint whose parameters or responses drf-spectacular cannot describe fails here.
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text(encoding="utf-8")
    for path in (
        "/api/v1/auth/token:",
        "/api/v1/me:",
        "/api/v1/people/{person_id}/timetable:",
        "/api/v1/topics/{code}:",
        "/api/v1/thematic-plans/{plan_id}:",
    ):
        assert path in schema


@pytest.mark.django_db
def test_the_schema_is_served_as_json_to_anyone():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    timetable = schema["paths"]["/api/v1/people/{person_id}/timetable"]["get"]
    assert {p["name"] for p in timetable["parameters"]} == {"person_id", "from", "to"}
    assert {"200", "400", "401", "404"} <= set(timetable["responses"])
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {"type": "http", "scheme": "bearer"}
    lists = schema["paths"]["/api/v1/schools"]["get"]
    assert {p["name"] for p in lists["parameters"]} == {"limit", "offset"}


@pytest.mark.django_db
def test_swagger_ui_loads_its_assets_from_our_static_files():
    client = Client()
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', page)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith("swagger-ui.css") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()
    # No content delivery network anywhere on the page.
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr", page.replace("http://testserver", ""))


@pytest.mark.django_db
def test_the_create_operations_document_the_idempotency_key_and_its_422():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    attendance = "/api/v1/lessons/{lesson_id}/attendance/{student_id}"
    for path, method in (("/api/v1/marks", "post"), (attendance, "put")):
        operation = schema["paths"][path][method]
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers == ["Idempotency-Key"]
        assert "422" in operation["responses"]
    assert "422" not in schema["paths"]["/api/v1/marks/{mark_id}"]["patch"]["responses"]
