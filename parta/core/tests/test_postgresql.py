"""The health check of a kept PostgreSQL connection asks the server only when it has said
something; statements whose plans their values decide are never prepared."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from parta.core.sql import planned_with_values

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connections only")
    connection.ensure_connection()


def test_a_well_connection_is_usable_without_a_round_trip(postgresql: None, monkeypatch: Any) -> None:
    def no_query(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the health check asked the server")

    monkeypatch.setattr(type(connection.connection), "cursor", no_query)
    assert connection.is_usable()


def test_a_connection_the_server_ended_is_not_usable(postgresql: None) -> None:
    pid = connection.connection.info.backend_pid
    killer = connection.copy()
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits for its end
    finally:
        killer.close()
    assert not connection.is_usable()
    connection.close()


def test_a_closed_connection_is_not_usable(postgresql: None) -> None:
    connection.connection.close()
    assert not connection.is_usable()
    connection.close()


def test_a_connection_left_in_an_aborted_transaction_is_asked_and_not_usable(postgresql: None) -> None:
    raw = connection.connection
    raw.execute("BEGIN")
    with pytest.raises(Exception):  # noqa: B017 - psycopg's DataError, division by zero
        raw.execute("SELECT 1 / 0")
    assert not connection.is_usable()  # the socket is quiet, but SELECT 1 fails in this state
    raw.execute("ROLLBACK")
    connection.close()


def prepared(marker: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if marker in row[0]]


def test_a_statement_planned_with_its_values_is_never_prepared(postgresql: None) -> None:
    if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        pytest.skip("statements are prepared only with PARTA_DB_PREPARED")
    statement = "SELECT %s::int AS {}"
    with connection.cursor() as cursor:
        with planned_with_values():
            for value in range(5):
                cursor.execute(statement.format("planned_each_time"), [value])
        for value in range(5):
            cursor.execute(statement.format("prepared_once"), [value])
    assert not prepared("planned_each_time")
    # Outside, a statement run again is prepared (the server then may plan it once for all values).
    assert prepared("prepared_once")
