"""``GET /healthz``: can this web server do its work? For load balancers and supervisors.

It checks the database and, when configured, the Redis cache and the broker, each with a short
timeout, and answers 200 ``{"status": "ok", "checks": {...}}`` or 503 with ``"status": "error"``
and the failed check named ``"error"``. No addresses, versions or messages: anybody may ask. It
needs no sign-in, is not throttled, and costs a query and a round trip or two.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def _broker(url: str) -> None:
    if url.startswith(("redis://", "rediss://")):
        _redis(url)
        return
    with Connection(url, connect_timeout=TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)


def checks() -> dict[str, str]:
    """Each configured check's outcome: "ok" or "error" (the reason goes to the log only)."""
    todo = {"database": _database}
    cache_url = settings.CACHES["default"]["BACKEND"].endswith("RedisCache") and settings.REDIS_URL
    if cache_url:
        todo["cache"] = lambda: _redis(cache_url)
    broker_url = settings.CELERY_BROKER_URL
    if broker_url and not settings.CELERY_TASK_ALWAYS_EAGER:
        todo["broker"] = lambda: _broker(broker_url)
    outcome = {}
    for name, check in todo.items():
        try:
            check()
        except Exception:
            logger.warning("health: the %s check failed", name, exc_info=True)
            outcome[name] = "error"
        else:
            outcome[name] = "ok"
    return outcome


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    outcome = checks()
    healthy = all(value == "ok" for value in outcome.values())
    body = {"status": "ok" if healthy else "error", "checks": outcome}
    return JsonResponse(body, status=200 if healthy else 503)
