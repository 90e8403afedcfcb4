"""Pages of the library: moderation (filled by its use-case)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from parta.library.views import not_yet

urlpatterns: list[URLPattern | URLResolver] = [
    path("review/", not_yet, name="library-queue"),
]
