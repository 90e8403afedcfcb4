"""Teachers' applications are answered without the user's session (``parta.library.files``)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.translation import gettext as _

# Where the applications' addresses start (views.files, "library-app"); a constant, because a
# request may be resolved against another URLconf (tests') that does not have it.
APPS_PREFIX = "/library/apps/"


class AppRequestsWithoutCookies:
    """Before any other middleware reads them, the cookies of a request for an application are
    dropped (the session, the CSRF token, the language), so the answer is the same with or without
    them; and an answer there never sets a cookie. On the separate applications' host name
    (``PARTA_LIBRARY_APPS_ORIGIN``) nothing but applications is served: no page of the site ever
    runs on that origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.apps_host = urlsplit(settings.PARTA_LIBRARY_APPS_ORIGIN).netloc.lower()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(APPS_PREFIX):
            if self.apps_host and request.get_host().lower() == self.apps_host:
                # Plain: the site's 404 page needs the user, which is not read here.
                return HttpResponseNotFound(_("Not found."), content_type="text/plain; charset=utf-8")
            return self.get_response(request)
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        response = self.get_response(request)
        response.cookies.clear()
        return response
