"""Reads on a read replica (``PARTA_REPLICA_DATABASE_URL``): the database router and the opt-in.

Every query goes to the primary unless the code hands a read to :func:`offload`, and even then
only when it is safe; the core names no app's read, the apps choose theirs (docs/operator-guide.md,
"Read replica", lists them and why). Without the setting there is no router and ``offload`` just
calls its read.

What an offloaded read sees is exactly what the primary would have shown when it began, never
older: on entry the primary's WAL position is read (``pg_current_wal_insert_lsn()``: every commit
that has returned is before it) and the read goes to the replica only once the replica has
replayed that position (``pg_last_wal_replay_lsn()``), waiting for it at most ``WAIT_SECONDS``;
else it reads the primary. That is what a cached read needs (``parta.core.versions``): its make
runs after its tokens were read, every write touches its tokens after it commits, so whatever a
token it holds says was written is in what the replica shows — a miss made there is never stored
under a token newer than its data, and a person sees what they wrote in an earlier request.

It costs the primary one trivial statement (0.05–0.15 ms a round trip on the benchmark's machine)
and the web process a round trip or two to the replica, so only a heavy read is worth offloading.
At S = 0.01 a calendar feed's miss moved 4 of its 8 statements to the replica, and its time on the
primary went from 5.6 to 2.2 ms, the position included; the unread-notifications poll would spare
0.12 of its 0.18 ms.

And never:
- inside a transaction on the primary (its reads belong with its writes);
- after the request wrote: once the router has sent a write to the primary, the rest of the
  request reads there rather than wait for the write to reach the replica (``request_started``
  forgets it; a raw SQL write through ``connection`` is not seen, and the read then waits for the
  replica to replay it, or reads the primary);
- while the replica is unreachable, is not a standby, or lags more than
  ``PARTA_REPLICA_MAX_LAG_SECONDS``: measured at most every ``CHECK_SECONDS`` per process as the
  primary's position against the replica's (``now() - pg_last_xact_replay_timestamp()`` alone
  reads as a large lag whenever the primary has been idle, so it counts only while the replica is
  behind, and then no more than the time since an earlier check whose position it has passed).
  A replica that did not answer is tried again after ``RETRY_SECONDS``; one that did not catch up
  within the wait, at the next check. A read that fails on the replica is made again on the
  primary.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.models import Model

log = logging.getLogger(__name__)

REPLICA = "replica"
# How often a process measures the replica's lag, and how long it leaves one that did not answer.
CHECK_SECONDS = 2.0
RETRY_SECONDS = 30.0
# How long an offloaded read waits for the replica to replay the primary's position. A standby on
# the benchmark's machine, its primary taking 400 pgbench transactions a second, had replayed it at
# the first look 71 % of the time, within 2 ms 90 %, 7 ms 99 %, 29 ms at most.
WAIT_SECONDS = 0.05

T = TypeVar("T")

_offloaded: ContextVar[bool] = ContextVar("parta_replica_offloaded", default=False)
_wrote: ContextVar[bool] = ContextVar("parta_request_wrote", default=False)


class Router:
    """Reads on the replica inside :func:`offload` (unless the request wrote or a transaction is
    open), everything else on the primary; migrations on the primary only."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if _offloaded.get() and not _wrote.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Rows read on the replica are the primary's rows.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA} or None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _new_request(**kwargs: Any) -> None:
    _wrote.set(False)


request_started.connect(_new_request, dispatch_uid="parta.core.replicas")


@dataclass
class _Health:
    """This process's last word on the replica."""

    usable: bool = False
    # The replica's address names the primary itself (the tests' mirror): nothing to wait for.
    same_server: bool = False
    lag_seconds: float | None = None
    next_check: float = 0.0
    # The primary's position at the last check, and when it was read (time.monotonic).
    position: str | None = None
    position_at: float = 0.0

    def leave_alone(self, seconds: float) -> None:
        self.usable = False
        self.next_check = time.monotonic() + seconds


_health = _Health()
_checking = threading.Lock()


def _measure(now: float) -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text, pg_postmaster_start_time()")
        position, primary_started = cursor.fetchone()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_postmaster_start_time(),"
            " pg_last_wal_replay_lsn() >= %s::pg_lsn, pg_last_wal_replay_lsn() >= %s::pg_lsn,"
            " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float",
            [position, _health.position or position],
        )
        recovering, started, caught_up, passed_last_check, since_replayed = cursor.fetchone()
    _health.same_server = not recovering and started == primary_started
    if not recovering and not _health.same_server:
        log.error("PARTA_REPLICA_DATABASE_URL names a server that is not a standby: it is not read")
        _health.lag_seconds = None
        _health.leave_alone(RETRY_SECONDS)
        return
    lag: float | None = 0.0
    if recovering and not caught_up:
        bounds = [max(0.0, since_replayed)] if since_replayed is not None else []
        if passed_last_check and _health.position is not None:
            bounds.append(now - _health.position_at)
        lag = min(bounds, default=None)
    _health.lag_seconds = lag
    _health.usable = lag is not None and lag <= settings.PARTA_REPLICA_MAX_LAG_SECONDS
    _health.position, _health.position_at = position, now
    _health.next_check = now + CHECK_SECONDS


def _checked() -> _Health:
    """The replica's health, measured again when the last measure is ``CHECK_SECONDS`` old (by one
    thread; the others take the last word meanwhile)."""
    now = time.monotonic()
    if now >= _health.next_check and _checking.acquire(blocking=False):
        try:
            _measure(now)
        except Error:
            log.warning("the read replica did not answer: reads stay on the primary", exc_info=True)
            _failed()
        finally:
            _checking.release()
    return _health


def _failed() -> None:
    _health.lag_seconds = None
    _health.leave_alone(RETRY_SECONDS)
    connections[REPLICA].close()


def _caught_up() -> bool:
    """Whether the replica has replayed the primary's WAL position as of now (waiting for it up to
    ``WAIT_SECONDS``)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        (position,) = cursor.fetchone()
    deadline = time.monotonic() + WAIT_SECONDS
    pause = 0.001
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            if cursor.fetchone()[0]:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(pause, left))
            pause *= 2
    _health.usable = False  # until the next check
    return False


def _may_offload() -> bool:
    if REPLICA not in settings.DATABASES or _wrote.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    health = _checked()
    if not health.usable:
        return False
    if health.same_server:
        return True
    try:
        return _caught_up()
    except Error:
        log.warning("the read replica did not answer: reads stay on the primary", exc_info=True)
        _failed()
        return False


def offload(read: Callable[[], T]) -> T:
    """``read()``, its queries on the replica when that is safe (see above), else on the primary.
    The read must write nothing; one that fails on the replica is made again on the primary."""
    if _offloaded.get() or not _may_offload():
        return read()
    token = _offloaded.set(True)
    try:
        return read()
    except Error:
        log.warning("a read on the replica failed: made again on the primary", exc_info=True)
        _failed()
    finally:
        _offloaded.reset(token)
    return read()
