"""The read replica's router and opt-in (``parta.core.replicas``), with a ``replica`` alias that is a
MIRROR of the test database, as the settings make it in a test run: which reads go there and which
never do. Against a real standby (its lag, a standby that falls behind or stops):
tests/test_bench_replica.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from parta.accounts.models import User
from parta.core import replicas
from parta.core.replicas import REPLICA, Router
from parta.testing import factories as f
from parta.testing.world import MONDAY, World, build_world
from parta.timetable.models import Lesson
from tests.test_settings import evaluated

ROUTERS = ["parta.core.replicas.Router"]
ON_POSTGRESQL = django_settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"] == "parta.core.postgresql"


@pytest.fixture(scope="module", autouse=True)
def mirror(django_db_setup: None) -> Iterator[None]:
    """A ``replica`` alias for the test database, as the settings make it in a test run — from the
    start of this module, before each test declares its databases."""
    if not ON_POSTGRESQL:
        yield
        return
    connections.settings[REPLICA] = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "TEST": {**connections[DEFAULT_DB_ALIAS].settings_dict["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    }
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica(settings: Any, monkeypatch: pytest.MonkeyPatch) -> BaseDatabaseWrapper:
    """The router on, and a process that has not measured the replica yet nor written."""
    settings.DATABASE_ROUTERS = ROUTERS
    monkeypatch.setattr(replicas, "_health", replicas._Health())
    forget_writes()
    return connections[REPLICA]


def with_replica(**marker: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def marked(test: Callable[..., None]) -> Callable[..., None]:
        test = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA], **marker)(test)
        skipped: Callable[..., None] = pytest.mark.skipif(
            not ON_POSTGRESQL, reason="a read replica is a PostgreSQL standby"
        )(test)
        return skipped

    return marked


def where() -> str:
    """The alias a read of the router's goes to, offloaded."""
    return replicas.offload(lambda: router.db_for_read(User))


def forget_writes() -> None:
    request_started.send(sender=None)


# --- the router --------------------------------------------------------------------------------


def test_without_a_replica_nothing_is_routed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)
    assert where() == DEFAULT_DB_ALIAS


def test_writes_and_migrations_are_the_primarys_and_rows_of_both_relate() -> None:
    routing = Router()
    assert routing.db_for_write(User) == DEFAULT_DB_ALIAS
    assert routing.allow_migrate(DEFAULT_DB_ALIAS, "accounts")
    assert not routing.allow_migrate(REPLICA, "accounts")
    on_replica, on_primary, elsewhere = User(), User(), User()
    on_replica._state.db, on_primary._state.db, elsewhere._state.db = REPLICA, DEFAULT_DB_ALIAS, "other"
    assert routing.allow_relation(on_replica, on_primary)
    assert routing.allow_relation(on_replica, elsewhere) is None


@with_replica(transaction=True)
def test_an_offloaded_read_goes_to_the_replica_and_nothing_else_does(replica: BaseDatabaseWrapper) -> None:
    f.UserFactory.create()
    forget_writes()
    assert where() == REPLICA  # measured: caught up
    with CaptureQueriesContext(replica) as on_replica:
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS
        assert replicas.offload(lambda: list(User.objects.values_list("pk", flat=True)))
    assert len(on_replica.captured_queries) == 1
    assert replicas._health.usable and replicas._health.lag_seconds == 0


@with_replica(transaction=True)
def test_reads_stay_on_the_primary_inside_a_transaction_and_after_the_request_wrote(
    replica: BaseDatabaseWrapper,
) -> None:
    with transaction.atomic():
        assert where() == DEFAULT_DB_ALIAS
    # Opened inside the offloaded read: its reads go with the transaction.
    assert replicas.offload(lambda: _in_a_transaction(lambda: router.db_for_read(User))) == DEFAULT_DB_ALIAS
    assert where() == REPLICA
    f.UserFactory.create()
    assert where() == DEFAULT_DB_ALIAS
    forget_writes()  # the next request
    assert where() == REPLICA


def _in_a_transaction(read: Any) -> Any:
    with transaction.atomic():
        return read()


@with_replica()
def test_in_the_tests_own_transaction_everything_reads_the_primary(replica: BaseDatabaseWrapper) -> None:
    assert where() == DEFAULT_DB_ALIAS


@with_replica(transaction=True)
def test_a_read_that_fails_on_the_replica_is_made_again_on_the_primary(replica: BaseDatabaseWrapper) -> None:
    tried: list[str] = []

    def read() -> str:
        tried.append(router.db_for_read(User))
        if len(tried) == 1:
            raise OperationalError("canceling statement due to conflict with recovery")
        return "made"

    assert replicas.offload(read) == "made"
    assert tried == [REPLICA, DEFAULT_DB_ALIAS]
    assert where() == DEFAULT_DB_ALIAS  # left alone for RETRY_SECONDS


@with_replica(transaction=True)
def test_an_unreachable_replica_leaves_every_read_on_the_primary(
    replica: BaseDatabaseWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _feed_world()
    monkeypatch.setitem(connections.settings[REPLICA], "PORT", "1")  # nothing listens there
    del connections[REPLICA]
    response = Client().get(f"/calendar/{world.a.student.calendar_token}.ics")
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.content
    assert not replicas._health.usable and replicas._health.lag_seconds is None
    assert where() == DEFAULT_DB_ALIAS
    del connections[REPLICA]


# --- what the apps offload -------------------------------------------------------------------


def _feed_world() -> World:
    world = build_world()
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(9, 30)))
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        date=today, starts_at=start, ends_at=start + dt.timedelta(minutes=45)
    )
    return world


def _tables(context: CaptureQueriesContext) -> str:
    return " ".join(query["sql"] for query in context.captured_queries)


@with_replica(transaction=True)
def test_a_calendar_feeds_miss_reads_its_lessons_on_the_replica_and_a_hit_reads_none(
    replica: BaseDatabaseWrapper,
) -> None:
    world = _feed_world()
    url = f"/calendar/{world.a.parent.calendar_token}.ics"
    primary = connections[DEFAULT_DB_ALIAS]
    forget_writes()
    assert where() == REPLICA  # measured: caught up
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
        first = Client().get(url)
    assert first.status_code == 200 and first.content.count(b"BEGIN:VEVENT") == 1
    # On the primary what the entry is keyed by: the person, their roles, and the classes and
    # schools of what the feed shows (their tokens); the children and the lessons on the replica.
    assert "schools_enrolment" in _tables(on_primary)
    assert "accounts_user" in _tables(on_replica)
    assert '"timetable_lesson"."starts_at"' in _tables(on_replica)
    assert '"timetable_lesson"."starts_at"' not in _tables(on_primary)
    with CaptureQueriesContext(replica) as on_replica:
        assert Client().get(url).content == first.content
    assert not on_replica.captured_queries


@with_replica(transaction=True)
def test_the_diarys_miss_and_the_journals_writes_read_the_primary(replica: BaseDatabaseWrapper) -> None:
    world = build_world()
    api = APIClient()
    with CaptureQueriesContext(replica) as on_replica:
        api.force_authenticate(world.a.parent)
        week = {"from": MONDAY.isoformat(), "to": (MONDAY + dt.timedelta(days=6)).isoformat()}
        assert api.get(f"/api/v1/students/{world.a.student.pk}/diary", week).status_code == 200
        api.force_authenticate(world.a.subject_teacher)
        mark = {"lesson": world.a.lesson.pk, "student": world.a.student.pk, "value": "5"}
        assert api.post("/api/v1/marks", mark, format="json").status_code == 201
    assert not on_replica.captured_queries


# --- settings ----------------------------------------------------------------------------------

PRIMARY_URL = "postgres://parta@db.example:5432/parta"


def test_a_replica_is_configured_as_the_primary_is_and_mirrors_it_in_tests(tmp_path: Path) -> None:
    found = evaluated(
        {
            "PARTA_DEBUG": "1",
            "DATABASE_URL": PRIMARY_URL,
            "PARTA_REPLICA_DATABASE_URL": "postgres://parta@replica.example:5432/parta",
        },
        tmp_path,
        "DATABASES",
        "DATABASE_ROUTERS",
        "PARTA_REPLICA_MAX_LAG_SECONDS",
    )
    primary, standby = found["DATABASES"]["default"], found["DATABASES"]["replica"]
    assert standby["HOST"] == "replica.example"
    assert standby["TEST"] == {"MIRROR": "default"}
    assert {key: value for key, value in standby.items() if key not in {"HOST", "TEST"}} == {
        key: value for key, value in primary.items() if key != "HOST"
    }
    assert found["DATABASE_ROUTERS"] == ROUTERS
    assert found["PARTA_REPLICA_MAX_LAG_SECONDS"] == 5


def test_without_a_replica_there_is_no_router(tmp_path: Path) -> None:
    found = evaluated(
        {"PARTA_DEBUG": "1", "DATABASE_URL": PRIMARY_URL}, tmp_path, "DATABASES", "DATABASE_ROUTERS"
    )
    assert list(found["DATABASES"]) == ["default"]
    assert found["DATABASE_ROUTERS"] is None


def test_a_replica_of_sqlite_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="standby of DATABASE_URL's PostgreSQL"):
        evaluated({"PARTA_DEBUG": "1", "PARTA_REPLICA_DATABASE_URL": PRIMARY_URL}, tmp_path, "DATABASES")
