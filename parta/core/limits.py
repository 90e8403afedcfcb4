"""Request bodies are refused by their declared size before anything reads them.

Django caps a body only where it reads it as a whole (``request.body``, form fields: 2.5 MB); DRF's
parsers read the stream, and a multipart upload's files count against nothing, so a client could
send gigabytes to be parsed or spooled to disk. Under WSGI a body is never read past its
Content-Length, so that header is the whole of it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def body_limit(request: HttpRequest) -> int:
    """The largest body this request may have: files are sent as multipart, everything else is small."""
    if request.content_type == "multipart/form-data":
        return int(settings.PARTA_MAX_REQUEST_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django reads such a body as empty
        limit = body_limit(request)
        if size <= limit:
            return self.get_response(request)
        message = _("The request is too large: at most %(size)s.") % {"size": filesizeformat(limit)}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
