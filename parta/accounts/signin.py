"""How a refused sign-in answers: django-axes counts the failures (settings.AXES_*) and calls
:func:`lockout_response` for a request it refused, on the login page and the API alike."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import ngettext

TOO_MANY_ATTEMPTS = 429


def retry_after(request: HttpRequest) -> int:
    """Seconds until a refused client may try again: the cool-off, counted from its last failure."""
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_response(request: HttpRequest, original: HttpResponse | None, credentials: Any) -> HttpResponse:
    """429 with Retry-After. A page (the login form, which has put its own error on the form:
    ``parta.web.forms.LoginForm``) keeps its body; the API answers its error shape."""
    if original is not None and original.get("Content-Type", "").startswith("text/html"):
        response = original
        response.status_code = TOO_MANY_ATTEMPTS
        response.reason_phrase = "Too Many Requests"
    else:
        seconds = retry_after(request)
        detail = ngettext(
            "Too many failed sign-ins, try again in %(seconds)d second.",
            "Too many failed sign-ins, try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
        response = JsonResponse({"detail": detail, "code": "throttled"}, status=TOO_MANY_ATTEMPTS)
    response["Retry-After"] = str(retry_after(request))
    return response
