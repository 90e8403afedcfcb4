"""Django's Redis cache, keeping one client per connection pool, whose every new connection
renews the version tokens that writes could not renew while the server was unreachable.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache operation, and building
one (its table of response callbacks) costs about twice a GET's round trip on loopback; a cached
diary makes two such operations. A client is safe to share between threads and holds nothing but
its pool, which is Django's own per pool index, so one client per pool does the same work.

A connection is new when the process starts, and again after the server restarted or dropped it:
exactly when tokens recorded by a write that could not reach the server (``parta.core.versions``)
must be renewed before anything is read. The renewal goes through the new connection itself
(the pool would hand out another new one, and recurse); with nothing recorded it costs one
indexed query per connection, not per request (connections are pooled per process and thread).
If it fails the connection is dropped: the command fails as if the server were down, and the
read is made from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import Any, cast

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

from parta.core import versions


class TokensNotRenewed(redis.RedisError):
    """The recorded version tokens could not be renewed (the database refused): the connection is
    not used. Not a ConnectionError, so redis-py does not retry the connect with back-off."""


class _SharedClients(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # django-stubs leave out the private helpers that Django's own get_client uses.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def set_many(self, data: Mapping[Any, Any], timeout: int | dt.timedelta | None) -> None:
        if timeout is not None:
            super().set_many(data, timeout)
            return
        # Without expiry one MSET is the whole write (every write of marks renews version tokens
        # so): Django's pipeline would wrap it in MULTI and EXEC, half again its cost.
        serializer = self._serializer  # type: ignore[attr-defined]
        self.get_client(None, write=True).mset({key: serializer.dumps(value) for key, value in data.items()})

    def get_or_add_many(self, data: Mapping[Any, Any]) -> dict[Any, Any]:
        serializer = self._serializer  # type: ignore[attr-defined]
        pipeline = self.get_client(None, write=True).pipeline(transaction=False)
        for key, value in data.items():
            pipeline.set(key, serializer.dumps(value), nx=True)
        pipeline.mget(list(data))
        held = pipeline.execute()[-1]
        return {
            key: serializer.loads(value) for key, value in zip(data, held, strict=True) if value is not None
        }


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClients
        self._options: dict[str, Any] = {**params.get("OPTIONS", {}), "redis_connect_func": self._connected}

    def get_or_add_many(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """What each key holds, ``data``'s value (kept without expiry) stored first where it holds
        nothing: ``add`` then ``get_many`` for many keys in one round trip instead of one per key
        and one more (a read finding its version tokens gone, after a restart, makes them so)."""
        keys = {self.make_and_validate_key(key): key for key in data}
        client = cast(_SharedClients, self._cache)
        held = client.get_or_add_many({made: data[key] for made, key in keys.items()})
        return {keys[made]: value for made, value in held.items()}

    def _connected(self, connection: redis.Connection) -> None:
        connection.on_connect()  # type: ignore[no-untyped-call]  # what redis-py does when no redis_connect_func is given
        try:
            versions.renew_recorded(partial(self._set_through, connection))
        except redis.RedisError:
            raise  # redis-py drops the connection
        except Exception as error:
            raise TokensNotRenewed("could not renew the recorded version tokens") from error

    def _set_through(self, connection: redis.Connection, tokens: dict[str, str]) -> None:
        """``set_many(tokens, timeout=None)`` through this connection, keys and values as the cache
        writes them."""
        serializer = self._cache._serializer  # type: ignore[attr-defined]
        pairs = [(self.make_and_validate_key(key), serializer.dumps(token)) for key, token in tokens.items()]
        connection.send_command("MSET", *(part for pair in pairs for part in pair))  # type: ignore[no-untyped-call]
        connection.read_response()
