"""The Redis cache backend with one client per pool: the same cache as Django's, fewer objects built."""

import pytest
import redis

from parta.core.cache import RedisCache


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


def test_a_server_that_is_down_fails_each_call_as_djangos_does() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0", {})
    with pytest.raises(redis.ConnectionError):
        cache.get("k")
    with pytest.raises(redis.ConnectionError):
        cache.get("k")
