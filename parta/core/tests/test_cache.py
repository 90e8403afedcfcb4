"""The Redis cache backend with one client per pool: the same cache as Django's, fewer objects built."""

from pathlib import Path

import pytest
import redis
from django.db import DatabaseError

from parta.core import versions
from parta.core.cache import RedisCache, TokensNotRenewed
from parta.core.models import UnrenewedToken
from parta.testing.redis_server import RedisServer, RoundTrips

# A new connection first renews the version tokens recorded in the database (none here).
pytestmark = pytest.mark.django_db


def test_one_client_serves_every_operation_of_its_pool() -> None:
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "parta-test-cache"})
    try:
        cache.set("k", {"a": 1})
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert cache.get("k") == {"a": 1}
    assert cache.get_many(["k", "missing"]) == {"k": {"a": 1}}
    assert cache.add("k", 2) is False
    cache.set_many({"x": 1, "y": 2})
    assert cache.get_many(["x", "y"]) == {"x": 1, "y": 2}
    cache.delete_many(["k", "x", "y"])
    assert cache.get("k") is None
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert isinstance(client, redis.Redis)


def test_set_many_without_expiry_is_one_mset_and_with_expiry_expires() -> None:
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "parta-test-cache"})
    try:
        cache.delete_many(["t1", "t2", "e1"])
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    client = cache._cache.get_client(write=True)
    client.config_resetstat()
    cache.set_many({"t1": "a", "t2": {"b": 2}}, timeout=None)
    stats = client.info("commandstats")
    assert stats["cmdstat_mset"]["calls"] == 1
    assert "cmdstat_multi" not in stats
    assert cache.get_many(["t1", "t2"]) == {"t1": "a", "t2": {"b": 2}}
    assert client.ttl(cache.make_key("t1")) == -1  # kept until renewed
    cache.set_many({"e1": 1}, timeout=60)
    assert 0 < client.ttl(cache.make_key("e1")) <= 60
    cache.delete_many(["t1", "t2", "e1"])


def test_a_server_that_is_down_fails_each_call_as_djangos_does() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0", {})
    with pytest.raises(redis.ConnectionError):
        cache.get("k")
    with pytest.raises(redis.ConnectionError):
        cache.get("k")


def test_a_new_connection_first_renews_the_recorded_tokens_through_itself(tmp_path: Path) -> None:
    server = RedisServer(tmp_path)
    server.start()
    try:
        cache = RedisCache(server.url, {"KEY_PREFIX": "p"})
        cache.set(versions.student(1), "old", timeout=None)
        assert versions._record([versions.student(1)])
        assert cache.get(versions.student(1)) == "old"  # this connection was made before

        server.client().client_kill_filter(_type="normal", skipme=True)
        token = cache.get(versions.student(1))  # on a new connection
        assert isinstance(token, str)
        assert token != "old"
        assert not UnrenewedToken.objects.exists()
    finally:
        server.stop()


def test_a_connection_that_cannot_read_the_recorded_tokens_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the database is unreachable")

    server = RedisServer(tmp_path)
    server.start()
    try:
        cache = RedisCache(server.url, {})
        monkeypatch.setattr(versions, "renew_recorded", refused)
        with pytest.raises(TokensNotRenewed):
            cache.get("k")
        monkeypatch.undo()
        assert cache.get("k") is None
    finally:
        server.stop()


def test_tokens_are_added_where_missing_and_read_back_in_one_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "parta-test-cache"})
    try:
        cache.delete_many(["t1", "t2"])
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    cache.set("t1", "kept", timeout=None)
    client = cache._cache.get_client(write=True)
    trips = RoundTrips(client, monkeypatch)
    assert cache.get_or_add_many({"t1": "new", "t2": "new"}) == {"t1": "kept", "t2": "new"}
    assert trips.count == 1
    monkeypatch.undo()
    assert client.ttl(cache.make_key("t2")) == -1  # kept until renewed, as every token
    assert cache.get_many(["t1", "t2"]) == {"t1": "kept", "t2": "new"}
    cache.delete_many(["t1", "t2"])
