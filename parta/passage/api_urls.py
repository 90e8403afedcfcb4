"""The passage API (mounted at /api/v1/)."""

from django.urls import URLPattern, path

from parta.passage.api import PassageEventsApi

urlpatterns: list[URLPattern] = [
    path("passage/events", PassageEventsApi.as_view(), name="api-passage-events"),
]
