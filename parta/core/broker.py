"""The Redis broker transport, with a worker that survives Redis going away (settings.py selects it).

kombu 5.7's Redis channel reads the reply of its pending BRPOP before it closes. When Redis has
died that read raises, so the channel is left open with its unacknowledged messages. Celery then
detaches the transport from the connection (``Connection.collect``) and closes the channel a second
time; restoring the messages now needs the detached connection's address and raises
``AttributeError: 'NoneType' object has no attribute 'hostname'``, which is not a connection error,
so the worker exits instead of reconnecting (and a beat embedded in it with ``-B`` dies too).

Here the failed read no longer stops the close: the channel closes while its transport is still
attached, so the restore either succeeds or fails with a connection error, which Celery expects.
Messages that cannot be restored then stay in Redis's unacked set (if Redis kept them), to be
redelivered after the visibility timeout; the outbox sweeper delivers their events sooner anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from queue import Empty

from kombu.transport import redis


class Channel(redis.Channel):
    # The stubs leave out the channel's private BRPOP state.
    _in_poll: object
    _brpop_read: Callable[[], object]
    connection_errors: tuple[type[Exception], ...]

    def close(self) -> None:
        if self._in_poll:
            # The pending BRPOP is answered or dead; either way the channel closes now.
            with suppress(Empty, *self.connection_errors):
                self._brpop_read()
        super().close()


class Transport(redis.Transport):
    Channel = Channel
