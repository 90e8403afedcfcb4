"""Pages of the library: authoring (filled by its use-case)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from parta.library.views import not_yet

urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/<int:material_id>/", not_yet, name="library-material"),
    path("mine/", not_yet, name="library-mine"),
    path("new/", not_yet, name="library-new"),
]
