"""This app's part of the HTTP API v1 (included by parta/api_urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
