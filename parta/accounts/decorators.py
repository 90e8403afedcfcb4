"""Views of the web app that an API client may also read with its token."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from rest_framework.exceptions import AuthenticationFailed

from parta.accounts.authentication import KEYWORD, bearer_credential, person_token

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def session_or_token(view: V) -> V:
    """A page's file (a homework file, a report card PDF) for the signed-in browser, or for an API
    client sending ``Authorization: Bearer <token>`` of a person: the same view, the same access
    rules. A bad token (a machine's credential included) answers 401, not the login page."""
    with_session = login_required(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            credential = bearer_credential(request.META.get("HTTP_AUTHORIZATION", "").encode("latin-1"))
            if credential is None:
                return with_session(request, *args, **kwargs)
            request.user, _token = person_token(credential)
        except AuthenticationFailed as error:
            response = HttpResponse(str(error.detail), status=401, content_type="text/plain; charset=utf-8")
            response["WWW-Authenticate"] = KEYWORD
            return response
        return view(request, *args, **kwargs)

    return cast(V, wrapped)
