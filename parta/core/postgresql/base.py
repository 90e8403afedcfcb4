"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is well.

``CONN_HEALTH_CHECKS`` makes Django run ``SELECT 1`` on a kept connection before each request
uses it: a round trip to the server per request, a tenth of what the cheapest API request costs.
A server that ends a connection (a restart, ``pg_terminate_backend``, an idle timeout, a crash of
its process) sends a message or closes the socket, so the socket turns readable, and an idle
connection otherwise has nothing to read. Only then, or when the connection is not idle outside a
transaction, is Django's ``SELECT 1`` asked. A connection lost without a word (the database's
host gone from the network) is found by the request's first query, which marks it closed, so the
next request reconnects.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

from parta.core.sql import values_decide_plans


class ServerBindingCursor(base.ServerBindingCursor):
    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, **kwargs: Any) -> Any:
        if prepare is None and values_decide_plans():
            prepare = False
        return super().execute(query, params, prepare=prepare, **kwargs)  # type: ignore[misc]


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:  # closed: also a failed read or write
            return False
        if self.connection.info.transaction_status == TransactionStatus.IDLE:
            poller = select.poll()  # not select.select: a worker's descriptors may pass FD_SETSIZE
            poller.register(self.connection.fileno(), select.POLLIN)
            if not poller.poll(0):
                return True
        # The server said something, or a transaction was left open or aborted: ask it.
        return bool(super().is_usable())
