"""Pages of the library: files (filled by its use-case)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from parta.library.views import not_yet

urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/<int:material_id>/download/", not_yet, name="library-download"),
    path("materials/<int:material_id>/export.zip", not_yet, name="library-export"),
]
