"""The read cache's tokens: a read is reused until a token it depends on changes, and a write
changes tokens only once it commits."""

from __future__ import annotations

import logging

import pytest
import redis
from django.core.cache import cache
from django.db import DatabaseError, transaction

from parta.core import versions
from parta.core.cache import RedisCache
from parta.core.models import UnrenewedToken
from parta.core.tasks import renew_version_tokens_task
from parta.testing.redis_server import RoundTrips


class Reads:
    """Counts how often the cached read was really made."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> bytes:
        self.made += 1
        return f"read {self.made}".encode()


def read(reads: Reads, *deps: str) -> bytes:
    return versions.cached("entry", depends_on=deps, make=reads)


@pytest.mark.django_db(transaction=True)
def test_a_read_is_reused_until_a_token_it_depends_on_changes() -> None:
    reads = Reads()
    assert read(reads, versions.student(1), versions.EVERYTHING) == b"read 1"
    assert read(reads, versions.student(1), versions.EVERYTHING) == b"read 1"
    versions.touch([versions.student(2)])  # someone else's
    assert read(reads, versions.student(1), versions.EVERYTHING) == b"read 1"
    versions.touch([versions.student(1)])
    assert read(reads, versions.student(1), versions.EVERYTHING) == b"read 2"
    versions.touch([versions.EVERYTHING])
    assert read(reads, versions.student(1), versions.EVERYTHING) == b"read 3"


@pytest.mark.django_db(transaction=True)
def test_tokens_found_later_are_read_before_the_data() -> None:
    order: list[str] = []

    def more() -> list[str]:
        order.append("more")
        return [versions.class_group(7)]

    def make() -> bytes:
        order.append("make")
        return b"x"

    versions.cached("entry", depends_on=[versions.student(1)], also_depends_on=more, make=make)
    assert order == ["more", "make"]
    versions.touch([versions.class_group(7)])
    versions.cached("entry", depends_on=[versions.student(1)], also_depends_on=more, make=make)
    assert order == ["more", "make", "more", "make"]


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_transaction_changes_tokens_when_it_commits() -> None:
    reads = Reads()
    read(reads, versions.student(1))
    with transaction.atomic():
        versions.touch([versions.student(1)])
        # Another process would still be served the committed state; the writer itself reads
        # around the cache, which cannot hold its uncommitted writes.
        assert cache.get(versions.student(1)) is not None
        before = cache.get(versions.student(1))
        assert read(reads, versions.student(1)) == b"read 2"
        assert cache.get(versions.student(1)) == before
    assert cache.get(versions.student(1)) != before
    assert read(reads, versions.student(1)) == b"read 3"
    assert read(reads, versions.student(1)) == b"read 3"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_changes_nothing_and_leaves_the_cache_in_use() -> None:
    reads = Reads()
    read(reads, versions.student(1))
    token = cache.get(versions.student(1))
    with pytest.raises(RuntimeError), transaction.atomic():
        versions.touch([versions.student(1)])
        raise RuntimeError
    assert cache.get(versions.student(1)) == token
    assert read(reads, versions.student(1)) == b"read 1"


@pytest.mark.django_db(transaction=True)
def test_a_lost_token_is_a_new_token() -> None:
    reads = Reads()
    read(reads, versions.student(1))
    cache.delete(versions.student(1))  # evicted, or the cache server restarted empty
    assert read(reads, versions.student(1)) == b"read 2"


@pytest.mark.django_db(transaction=True)
def test_without_the_read_cache_every_read_is_made(settings: object) -> None:
    settings.PARTA_READ_CACHE = False  # type: ignore[attr-defined]
    reads = Reads()
    read(reads, versions.student(1))
    read(reads, versions.student(1))
    assert reads.made == 2


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_server_down_reads_come_from_the_database_and_writes_go_through(
    settings: object,
) -> None:
    # Port 1: nothing listens, every cache call fails at once.
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "parta.core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    reads = Reads()
    assert read(reads, versions.student(1)) == b"read 1"
    assert read(reads, versions.student(1)) == b"read 2"
    versions.touch([versions.student(1)])
    with transaction.atomic():
        versions.touch([versions.student(1)])


class Unreachable:
    """The cache server for token writes: unreachable for the first ``failures`` of them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def __call__(self, tokens: dict[str, str]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the cache server is unreachable")
        cache.set_many(tokens, timeout=None)


def recorded() -> set[str]:
    return set(UnrenewedToken.objects.values_list("key", flat=True))


@pytest.mark.django_db(transaction=True)
def test_tokens_a_write_could_not_renew_are_recorded_and_renewed_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = Reads()
    read(reads, versions.student(1), versions.student(2))
    monkeypatch.setattr(versions, "_set_in_cache", Unreachable(failures=2))  # the retry fails too
    with transaction.atomic():
        versions.touch([versions.student(1)])
    assert recorded() == {versions.student(1)}
    assert read(reads, versions.student(1), versions.student(2)) == b"read 1"  # what a restart would serve

    assert renew_version_tokens_task() == 1  # the beat (or a new cache connection)
    assert recorded() == set()
    assert read(reads, versions.student(1), versions.student(2)) == b"read 2"
    assert versions.renew_recorded() == 0


@pytest.mark.django_db(transaction=True)
def test_a_write_tries_once_more_at_once_after_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = Reads()
    read(reads, versions.student(1))
    monkeypatch.setattr(versions, "_set_in_cache", Unreachable(failures=1))
    versions.touch([versions.student(1)])
    assert recorded() == set()
    assert read(reads, versions.student(1)) == b"read 2"


@pytest.mark.django_db(transaction=True)
def test_a_key_recorded_again_while_it_is_renewed_stays_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(versions, "_set_in_cache", Unreachable(failures=100))
    versions.touch([versions.student(1), versions.student(2)])
    assert recorded() == {versions.student(1), versions.student(2)}

    def set_tokens(tokens: dict[str, str]) -> None:
        # Another process fails to renew student 1 after this renewal read the recordings.
        versions.touch([versions.student(1)])
        cache.set_many(tokens, timeout=None)

    assert versions.renew_recorded(set_tokens) == 2
    assert recorded() == {versions.student(1)}


@pytest.mark.django_db(transaction=True)
def test_with_the_database_refusing_too_the_write_goes_through_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the database is unreachable")

    monkeypatch.setattr(versions, "_set_in_cache", Unreachable(failures=1))
    monkeypatch.setattr(UnrenewedToken.objects, "bulk_create", refused)
    versions.touch([versions.student(1)])
    [record] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "v:st:1" in record.getMessage()


@pytest.mark.django_db(transaction=True)
def test_long_entries_are_kept_compressed_and_read_back_whole() -> None:
    week = b'{"days":[' + b",".join(b'{"lesson":%d,"marks":[]}' % i for i in range(500)) + b"]}"
    made = iter([week, b"short"])
    assert versions.cached("long", depends_on=[versions.student(1)], make=lambda: next(made)) == week
    assert versions.cached("short", depends_on=[versions.student(1)], make=lambda: next(made)) == b"short"
    _tokens, stored, packed = cache.get("long")
    assert packed and len(stored) < len(week) / 5
    assert cache.get("short")[1:] == (b"short", False)
    # Read again from the cache: the same bytes, nothing made.
    assert versions.cached("long", depends_on=[versions.student(1)], make=lambda: b"made") == week


@pytest.mark.django_db(transaction=True)
def test_a_read_asks_the_cache_server_as_few_times_as_it_can(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry comes with the tokens known up front; tokens found missing are made in one go."""
    server = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "parta-test-versions"})
    try:
        server.clear()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setattr(versions, "cache", server)
    round_trips = RoundTrips(server._cache.get_client(write=True), monkeypatch)

    def trips(more: list[str] | None) -> int:
        round_trips.count = 0
        also = (lambda: more) if more is not None else None
        versions.cached(
            "entry", depends_on=[versions.EVERYTHING, versions.student(1)], also_depends_on=also, make=Reads()
        )
        return round_trips.count

    # No token yet: the entry with two tokens, the three read and made, the entry stored.
    assert trips([versions.class_group(7)]) == 4
    assert trips([versions.class_group(7)]) == 2  # a hit: the entry with two tokens, the class's
    versions.touch([versions.student(1)])
    assert trips([versions.class_group(7)]) == 3  # a miss: the entry with its tokens, the class's, stored
    server.delete("entry")
    assert trips(None) == 2  # the entry with its tokens, the entry stored
    assert trips(None) == 1  # a hit: one round trip
    server.clear()
