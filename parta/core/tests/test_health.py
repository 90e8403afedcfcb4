"""GET /healthz: 200 when the database and Redis answer, 503 naming what failed; no sign-in, no secrets."""

from __future__ import annotations

import pytest
from django.test import Client

from parta.core import health

pytestmark = pytest.mark.django_db


def test_healthy_without_signing_in(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    # The cache and the broker are checked too when the run has Redis (CI's PostgreSQL leg).
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert set(body["checks"].values()) == {"ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_is_not_throttled(client: Client) -> None:
    assert {client.get("/healthz").status_code for _ in range(60)} == {200}


def test_a_dead_redis_is_named_and_answers_503(client: Client, settings) -> None:
    # A port nobody listens on: the checks of the cache and the broker fail fast.
    dead = "redis://127.0.0.1:9/0"
    settings.REDIS_URL = dead
    settings.CACHES = {"default": {"BACKEND": "parta.core.cache.RedisCache", "LOCATION": dead}}
    settings.CELERY_BROKER_URL = dead
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "error", "broker": "error"},
    }
    assert "127.0.0.1" not in response.content.decode()


def test_a_failed_database_is_named(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_database", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["database"] == "error"
    assert "refused" not in response.content.decode()
