"""A request id for every request: taken from ``X-Request-ID`` (set by the proxy or the client)
when it is a sensible token, made up otherwise; answered in ``X-Request-ID`` and written on every
log line of the request (``RequestIdFilter``), so a user's report or a 500 leads to its log lines."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# What a proxy's id looks like (nginx's $request_id, a UUID); anything else could forge log lines.
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_current: ContextVar[str] = ContextVar("request_id", default="-")


def current() -> str:
    """The id of the request being served ("-" outside a request)."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        request_id = given if _VALID.fullmatch(given) else uuid.uuid4().hex
        # Not reset on the way out: Django logs a 4xx or 5xx ("django.request") after the last
        # middleware returned, and that line must name the request too. The next request sets its own.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every log record a ``request_id`` for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current()
        return True
