"""A write whose version tokens could not be renewed — the cache server was unreachable — never
leaves a cached read to be trusted later: not after the server comes back with its old tokens
from disk, not after a dropped connection (parta/core/versions.py, parta/core/cache.py).

A Redis of the test's own (parta/testing/redis_server.py), durable as production's may be: its
append-only file is written at every command, so a restart brings back every token and entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parta.core.models import UnrenewedToken
from parta.journal.tests.conftest import Journal, build_journal, client_for
from parta.testing.redis_server import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(tmp_path: Path, settings: Any) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, "--appendonly", "yes", "--appendfsync", "always")
    server.start()
    settings.CACHES = {"default": {"BACKEND": "parta.core.cache.RedisCache", "LOCATION": server.url}}
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def journal() -> Journal:
    return build_journal(students=2)


def diary_marks(journal: Journal) -> list[int]:
    monday = journal.lesson.date - dt.timedelta(days=journal.lesson.date.weekday())
    url = f"/api/v1/students/{journal.student.pk}/diary?from={monday}&to={monday + dt.timedelta(days=6)}"
    response = client_for(journal.student).get(url)
    assert response.status_code == 200, response.content
    [lesson] = [
        item for day in response.json()["days"] for item in day["lessons"] if item["id"] == journal.lesson.pk
    ]
    return [mark["value"] for mark in lesson["marks"]]


def write_mark(journal: Journal) -> None:
    response = client_for(journal.teacher).post(
        "/api/v1/marks",
        {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": 5},
        format="json",
    )
    assert response.status_code == 201, response.content


def cached_keys(server: RedisServer) -> int:
    return len(server.client().keys("*diary*"))


def test_a_mark_written_while_redis_was_down_is_in_the_diary_after_it_restarts_from_its_file(
    server: RedisServer, journal: Journal
) -> None:
    assert diary_marks(journal) == []
    assert cached_keys(server) == 1
    server.stop()

    write_mark(journal)  # the tokens cannot be renewed: recorded in the database instead
    assert UnrenewedToken.objects.exists()

    server.start()  # with the old tokens and the cached diary from its append-only file
    assert cached_keys(server) == 1
    assert diary_marks(journal) == [5]
    assert not UnrenewedToken.objects.exists()
    assert diary_marks(journal) == [5]  # and cached again


def test_a_mark_written_while_the_connection_was_dropped_is_in_the_next_diary(
    server: RedisServer, journal: Journal
) -> None:
    """Redis stays up, but this process loses its connection and cannot make a new one (Redis
    refuses more clients than the one the test holds), as in a network partition."""
    assert diary_marks(journal) == []
    admin = server.client()
    admin.config_set("maxclients", 1)
    admin.client_kill_filter(_type="normal", skipme=True)

    write_mark(journal)
    assert UnrenewedToken.objects.exists()

    admin.config_set("maxclients", 100)
    assert diary_marks(journal) == [5]
    assert not UnrenewedToken.objects.exists()
