"""Pages of the library: usage (filled by its use-case)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from parta.library.views import not_yet

urlpatterns: list[URLPattern | URLResolver] = [
    path("top/", not_yet, name="library-top"),
    path("dashboard/", not_yet, name="library-dashboard"),
]
