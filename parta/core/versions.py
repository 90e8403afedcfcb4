"""Cached reads with exact invalidation: version tokens instead of deletes.

A cached read (a student's diary for some days, a teacher's class register) is stored with the version
tokens of everything it was made from — the student, their class group, their school, and
``EVERYTHING`` (the city-wide names of subjects, topics and people). A write changes the tokens it
concerns (``touch``, called by ``parta.core.freshness`` for every model write); the next read
compares the stored tokens with the current ones and makes the read again on any difference.

Why this is exact:
- Tokens are read *before* the data (``cached``), so an entry never claims tokens newer than the
  data it holds. A read that races a write stores, at worst, an entry under a token that is
  already old, which nobody will accept.
- Inside a transaction the keys wait and get new tokens once it commits (``on_commit``), before
  the writer's response goes out: the very next request reads the new data. Until then the
  writer's own connection does not use the cache (it would not see its uncommitted writes).
- A token that is missing (never written, or evicted) is created before the first read that
  needs it, so no entry is ever stored against "no token".

The cache is the Django cache; across processes it must be a shared one (Redis), so the read
cache is on only when ``PARTA_READ_CACHE`` is (by default: when REDIS_URL is set). When the cache
server fails, reads are made from the database and writes still succeed. A write whose tokens
could not be renewed records their keys in the database (``UnrenewedToken``) and tries once more;
every new connection to the cache server renews the recorded keys before it is used
(``parta.core.cache``), and so does the beat — a cache server that comes back, even with its old
tokens from disk, never answers with them (docs/decisions/0006-cache-failures.md). Entries expire
after ``ENTRY_SECONDS`` in any case.
"""

from __future__ import annotations

import functools
import logging
import operator
import secrets
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from parta.core.models import UnrenewedToken

log = logging.getLogger(__name__)

EVERYTHING = "v:all"
# A cached read lives at most this long whatever happens (bounds memory, and what a lost token
# write during a cache server failure could cost).
ENTRY_SECONDS = 3600
_PENDING = "_parta_pending_versions"
# Entries this long or longer are kept compressed (zlib's fastest level): a diary week's JSON or a
# calendar feed shrinks several times, for about a tenth of a millisecond to pack and less to
# unpack — the read cache's memory is what a city's Redis is sized by (docs/performance.md).
PACK_FROM = 1024
# Recorded keys renewed per query and cache round trip.
RENEW_BATCH = 500


def student(pk: int) -> str:
    """A student's own records: marks, attendance, what they ticked as done, enrolment, subgroups."""
    return f"v:st:{pk}"


def class_group(pk: int) -> str:
    """A class group's lessons (and its subgroups'), the work set it and its list of students."""
    return f"v:cg:{pk}"


def class_marks(pk: int) -> str:
    """The marks, attendance and period marks of a class group's students (the register's cells)."""
    return f"v:cm:{pk}"


def teacher(pk: int) -> str:
    """The lessons a person teaches, or handed to a substitute (their lessons as a teacher)."""
    return f"v:te:{pk}"


def school(pk: int) -> str:
    """A school's calendar (periods, holidays), rooms, bells, control forms, grading schemes."""
    return f"v:sc:{pk}"


SetTokens = Callable[[dict[str, str]], object]


def _set_in_cache(tokens: dict[str, str]) -> None:
    cache.set_many(tokens, timeout=None)


def _renew(recordings: Sequence[tuple[str, str]], set_tokens: SetTokens) -> None:
    """New tokens for these recorded keys (key, attempt), then their rows deleted — these
    recordings only: a key recorded again meanwhile (another attempt) stays for the next renewal."""
    set_tokens({key: secrets.token_hex(8) for key, _attempt in recordings})
    renewed = functools.reduce(operator.or_, (Q(key=key, attempt=attempt) for key, attempt in recordings))
    with transaction.atomic():  # inside a caller's transaction, a failure spoils only this savepoint
        UnrenewedToken.objects.filter(renewed).delete()


def renew_recorded(set_tokens: SetTokens = _set_in_cache) -> int:
    """Renew every recorded key (``set_tokens`` writes the new tokens); how many were renewed.

    Called by every new cache connection before its first command, through that connection
    (``parta.core.cache``); with nothing recorded it costs one indexed query."""
    renewed, after = 0, 0
    while True:
        rows = list(
            UnrenewedToken.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "key", "attempt")[:RENEW_BATCH]
        )
        if not rows:
            return renewed
        _renew([(key, attempt) for _pk, key, attempt in rows], set_tokens)
        renewed, after = renewed + len(rows), rows[-1][0]


def _record(keys: Iterable[str]) -> list[tuple[str, str]]:
    """Record keys whose tokens could not be renewed; the recordings (key, attempt), or none if the
    database refused them too."""
    now = timezone.now()
    recordings = [UnrenewedToken(key=key, attempt=secrets.token_hex(8), recorded_at=now) for key in keys]
    try:
        UnrenewedToken.objects.bulk_create(
            recordings, update_conflicts=True, unique_fields=["key"], update_fields=["attempt", "recorded_at"]
        )
    except Exception:
        log.critical(
            "could not renew version tokens nor record them: cached reads of %s may be stale for up to %s s",
            sorted(r.key for r in recordings),
            ENTRY_SECONDS,
            exc_info=True,
        )
        return []
    return [(r.key, r.attempt) for r in recordings]


def _new_tokens(keys: Iterable[str]) -> None:
    tokens = {key: secrets.token_hex(8) for key in keys}
    try:
        _set_in_cache(tokens)
        return
    except Exception:
        log.warning("could not renew version tokens; recording them", exc_info=True)
    recordings = _record(tokens)
    if not recordings:
        return
    # The cache server may already be back, and another process may have connected (and renewed
    # what was recorded then) before these rows were written: try once more at once.
    try:
        _renew(recordings, _set_in_cache)
    except Exception:
        log.warning("%d version tokens wait for the next cache connection or the beat", len(recordings))


def _flush(using: str) -> None:
    connection = transaction.get_connection(using)
    keys: set[str] = getattr(connection, _PENDING, set())
    setattr(connection, _PENDING, set())
    if keys:
        _new_tokens(keys)


def touch(keys: Iterable[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """New tokens for these keys: now outside a transaction, else once it commits."""
    keys = set(keys)
    if not keys:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _new_tokens(keys)
        return
    pending: set[str] = getattr(connection, _PENDING, set())
    pending |= keys
    setattr(connection, _PENDING, pending)
    # One callback per call: a rolled-back savepoint drops its callbacks, not the pending keys.
    transaction.on_commit(lambda: _flush(using), using=using)


def _writing(using: str) -> bool:
    """This connection holds uncommitted writes that touched tokens (pending keys in a transaction)."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        # Keys left by a transaction that rolled back: nothing was written, drop them.
        setattr(connection, _PENDING, set())
        return False
    return bool(getattr(connection, _PENDING, None))


def current(keys: Iterable[str]) -> dict[str, str]:
    """The current token of every key, creating the missing ones."""
    keys = list(dict.fromkeys(keys))
    found: dict[str, str] = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        found.update(_created(missing))
    return found


def _created(keys: Sequence[str]) -> dict[str, str]:
    """New tokens for keys that had none, unless another process made one first: what each holds.
    The Redis backend (``parta.core.cache``) does it in one round trip."""
    new = {key: secrets.token_hex(8) for key in keys}
    at_once = getattr(cache, "get_or_add_many", None)
    if at_once is not None:
        held: dict[str, str] = at_once(new)
        return held
    for key, token in new.items():
        cache.add(key, token, timeout=None)
    found: dict[str, str] = cache.get_many(keys)
    return found


@dataclass(frozen=True)
class Reading:
    """What a cached read is stored under and made from: ``key`` names all it varies by besides the
    tokens (whose it is, the reader's scope); ``depends_on`` are the tokens known up front and
    ``also_depends_on`` finds more in the database (see ``cached``)."""

    key: str
    depends_on: tuple[str, ...]
    also_depends_on: Callable[[], Iterable[str]] | None = None

    def narrowed(self, *parts: object) -> Reading:
        """The same reading of a part of it (a date range, say): the parts are added to the key."""
        return replace(self, key=":".join([self.key, *map(str, parts)]))


def enabled() -> bool:
    return bool(getattr(settings, "PARTA_READ_CACHE", False))


def cached(
    key: str,
    *,
    depends_on: Iterable[str],
    also_depends_on: Callable[[], Iterable[str]] | None = None,
    make: Callable[[], bytes],
    using: str = DEFAULT_DB_ALIAS,
    seconds: int = ENTRY_SECONDS,
) -> bytes:
    """``make()``'s bytes, from the cache while no token they depend on has changed (and at most
    ``seconds``, for reads that may lag behind writes no token follows).

    ``depends_on`` are known up front; ``also_depends_on`` finds more from the database (a
    student's class groups) and runs after the first tokens are read, so a change to what it reads
    (an enrolment) shows in those first tokens."""
    if not enabled() or _writing(using):
        return make()
    try:
        # The entry and the tokens known up front in one round trip; a token read once in this
        # call is not read again (each was read before the data is made).
        known = list(dict.fromkeys(depends_on))
        read: dict[str, Any] = cache.get_many([key, *known])
        entry: Any = read.pop(key, None)
        if entry is not None:
            tokens, body, *packed = entry
            rest = [token for token in tokens if token not in read and token not in known]
            if rest:
                read.update(cache.get_many(rest))
            if {token: read[token] for token in tokens if token in read} == tokens:
                return zlib.decompress(body) if packed and packed[0] else bytes(body)
        needed = known + ([] if also_depends_on is None else list(also_depends_on()))
        tokens = {token: read[token] for token in needed if token in read}
        unread = [token for token in dict.fromkeys(needed) if token not in read]
        if unread:
            tokens.update(current(unread))
    except Exception:
        log.exception("read cache unavailable; reading from the database")
        return make()
    body = make()
    try:
        packed = len(body) >= PACK_FROM
        stored = zlib.compress(body, 1) if packed else body
        cache.set(key, (tokens, stored, packed), timeout=min(seconds, ENTRY_SECONDS))
    except Exception:
        log.exception("could not store a cached read")
    return body


def cached_reading(reading: Reading, make: Callable[[], bytes]) -> bytes:
    """:func:`cached` for a reading whose answer is in the active language (names, sentences):
    the language is added to its key."""
    return cached(
        f"{reading.key}:{get_language()}",
        depends_on=reading.depends_on,
        also_depends_on=reading.also_depends_on,
        make=make,
    )


def forget_pending(using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop this connection's pending keys (tests: their transactions are rolled back, never committed)."""
    setattr(transaction.get_connection(using), _PENDING, set())
