"""The library's pages, one module per use-case, each with its own ``urlpatterns``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def not_yet(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """A page whose use-case is being built: its URL name exists so that others may link to it."""
    raise Http404
