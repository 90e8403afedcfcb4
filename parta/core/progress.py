"""How far a long task is, in per cent, for a page that polls it.

Kept in the cache while the task runs: the task's own transaction hides its writes from the page
until it commits. A cache that is down loses only the bar (it stays at 0 until the task ends); the
task's row says when it has finished, and a finished task is at 100.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)
PROGRESS_SECONDS = 3600


def progress_read(key: str) -> int:
    try:
        value = cache.get(key)
    except Exception:
        value = None
    return int(value) if isinstance(value, int) else 0


def progress_write(key: str, done: int, total: int) -> None:
    """``done`` of ``total``, shown as at most 99 % until the task's row says it has finished."""
    try:
        cache.set(key, min(99, done * 100 // max(total, 1)), PROGRESS_SECONDS)
    except Exception:
        log.warning("could not write the progress %s", key)
