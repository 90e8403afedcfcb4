"""Middleware of the web app."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
