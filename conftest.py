from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils import translation

from parta.core import versions
from parta.testing.world import World, build_world

# The test run only: production keeps Django's default (PBKDF2), slow on purpose. Tests hash the
# passwords of every enrolment, password change and sign-in, and none of those hashes guards anything.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: schemathesis over the API's schema per role (run with -m fuzz)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The fuzz leg takes minutes: it runs when asked for by name (-m fuzz, CI's own section).
    if "fuzz" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="schemathesis runs with -m fuzz")
    for item in items:
        if item.get_closest_marker("fuzz"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher() -> Iterator[None]:
    # Session-wide and autouse, so it is in force before any other fixture hashes a password
    # (the factories' shared hash and the demo generator's are made once per process).
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(scope="session", autouse=True)
def eager_tasks() -> Iterator[None]:
    # Celery tasks run in-process in tests even when REDIS_URL names a broker (CI's PostgreSQL leg);
    # the worker tests (-m worker) start a real worker of their own.
    from parta.celery import app

    app.conf.task_always_eager = True
    yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest, tmp_path_factory: Any
) -> None:
    # A worker test's Celery worker is another process: on SQLite the test database must then be
    # a file it can open, not the default in-memory one.
    database = django_settings.DATABASES["default"]
    worker_tests = any(item.get_closest_marker("worker") for item in request.session.items)
    if worker_tests and database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test_parta.sqlite3")


@pytest.fixture(autouse=True)
def fresh_version_tests() -> None:
    # A version's test is kept in the process once read (it never changes in a database), but the
    # tests' databases give the same ids to other versions, test after test.
    from parta.assessment.selectors import version_test

    version_test.cache_clear()


@pytest.fixture(autouse=True)
def english_by_default(settings: Any) -> Iterator[None]:
    # Tests assert the English source strings; tests of the Russian default ask for it themselves
    # (settings.LANGUAGE_CODE = "ru"). Per test, because a request leaves its language active.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="session", autouse=True)
def read_cache() -> Iterator[None]:
    # Cached reads on in every test (the local-memory cache is one process's, as the tests are), so
    # any read a test makes after its writes commit goes through the invalidation.
    with override_settings(PARTA_READ_CACHE=True):
        yield


def uses_database(request: pytest.FixtureRequest) -> bool:
    """The test has the database, opened by now."""
    if request.node.get_closest_marker("django_db"):
        return True  # pytest-django's own autouse fixture has opened it
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            return True
    return False


@pytest.fixture(autouse=True)
def empty_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    # The cache counts sign-in attempts (the API's throttle, the login page's limit); one test's
    # attempts must not count against the next, which would otherwise see a 429 for no reason.
    # It also holds cached reads and version tokens, and the connection the keys a rolled-back
    # test transaction left pending. A test without the database has none of these, and cannot
    # open a connection to Redis: a new one first reads the tokens recorded in the database
    # (parta/core/cache.py).
    if not uses_database(request):
        yield
        return
    cache.clear()
    versions.forget_pending()
    yield
    cache.clear()
    versions.forget_pending()


@pytest.fixture
def world(db: None) -> World:
    return build_world()
