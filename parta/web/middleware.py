"""Middleware of the web app."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url


class HtmxLoginRedirectMiddleware:
    """An htmx request of a signed-out visitor (or of an expired session) gets a full-page
    redirect to the login page.

    ``login_required`` answers with a redirect to the login page. The browser follows it inside
    the htmx request, and htmx would swap the whole login page into the part of the page it was
    updating (the week of a timetable). Instead the answer becomes "204 No Content" with
    ``HX-Redirect``, on which htmx loads the login page as a page of its own; ``?next=`` is kept,
    so the visitor comes back to the page after signing in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code not in {
            301,
            302,
            303,
            307,
            308,
        }:
            return response
        location = response.get("Location", "")
        if urlsplit(location).path != urlsplit(resolve_url(settings.LOGIN_URL)).path:
            return response
        redirect = HttpResponse(status=204)
        redirect["HX-Redirect"] = location
        return redirect


# Pages a person who must choose a new password may still open: the change itself, signing out,
# the links that set a password, the language switch.
_OPEN_WHILE_CHANGING = frozenset(
    {
        "password_change",
        "logout",
        "login",
        "password-reset",
        "password-reset-done",
        "password-reset-confirm",
        "password-set",
        "set_language",
    }
)


class PasswordChangeRequiredMiddleware:
    """A person whose password someone else chose (a one-time password from the enrolment slip,
    ``User.must_change_password``) sees the password change page before any other page. The API
    and the calendar feeds are left alone: an app reads the flag from ``/api/v1/me``, and the
    check here reads no user for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        match = request.resolver_match
        if (
            match is None
            or match.route.startswith(("api/", "calendar/"))
            or match.url_name in _OPEN_WHILE_CHANGING
        ):
            return None
        if match.app_name == "admin" or not getattr(request.user, "must_change_password", False):
            return None
        target = f"{resolve_url('password_change')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
