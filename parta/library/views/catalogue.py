"""The catalogue page: search, facets, sort and pages over the materials the reader may open.

A GET form that works without JavaScript; htmx (when present) swaps the filters and results
without reloading the page. Open without signing in (public materials only, cacheable).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from parta.library.api.catalogue import SearchQuerySerializer, cache_for_reader, search_arguments
from parta.library.models import Kind
from parta.library.selectors.catalogue import material_search
from parta.library.selectors.parts import SORTS

# A sign for each type where there is no cover.
KIND_SIGNS = {
    Kind.SCENARIO: "▦",
    Kind.TEXT: "¶",
    Kind.IMAGE: "◩",
    Kind.VIDEO: "▶",
    Kind.VIDEO_LESSON: "▶",
    Kind.AUDIO: "♪",
    Kind.FILE: "⎙",
    Kind.LINK: "↗",
    Kind.APPLICATION: "◈",
    Kind.SIMULATOR: "◈",
    Kind.LAB: "⚗",
    Kind.TEST: "✓",
    Kind.TEXTBOOK: "▤",
    Kind.AID: "▤",
    Kind.WORKBOOK: "✎",
    Kind.FICTION: "❦",
}


SORT_LABELS = {
    "relevance": _("best match"),
    "popular": _("most used"),
    "new": _("newest"),
}


def _valid_params(query: QueryDict) -> tuple[dict[str, Any], dict[str, Any]]:
    """The valid parameters and the messages of the invalid ones, which are left out (a page
    shows what it can and says what it ignored)."""
    serializer = SearchQuerySerializer(data=query)
    if serializer.is_valid():
        return serializer.validated_data, {}
    errors = dict(serializer.errors)
    rest = query.copy()
    for name in errors:
        rest.pop(name, None)
    again = SearchQuerySerializer(data=rest)
    again.is_valid()
    return again.validated_data if not again.errors else {}, errors


def _page_url(query: QueryDict, page: int) -> str:
    params = query.copy()
    params.pop("page", None)
    if page > 1:
        params["page"] = str(page)
    return f"?{params.urlencode()}" if params else "?"


def catalogue(request: HttpRequest) -> HttpResponse:
    params, errors = _valid_params(request.GET)
    result = material_search(request.user, **search_arguments(params))
    context = {
        "result": result,
        "q": params.get("q", ""),
        "sort": params.get("sort", "relevance"),
        "sorts": [(code, label) for code, label in SORT_LABELS.items() if code in SORTS],
        "errors": errors,
        "cards": [(row, KIND_SIGNS.get(Kind(row.kind), "")) for row in result.rows],
        "verified_chosen": bool(params.get("verified")),
        "language_chosen": bool(params.get("language")),
        "chosen": sum(value.selected for values in result.facets.values() for value in values),
        "previous_url": _page_url(request.GET, result.page - 1) if result.page > 1 else None,
        "next_url": _page_url(request.GET, result.page + 1) if result.page < result.pages else None,
    }
    return cache_for_reader(render(request, "library/catalogue.html", context), request.user)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", catalogue, name="library-catalogue"),
]
