"""The WSGI application as the benchmark serves it: parta.wsgi, with every module a request needs
imported before gunicorn forks its workers (``--preload``).

Django imports the URL configuration — and with it every view, serializer and service — on a
worker's first request, which on a small machine takes seconds; without this the first seconds of
each scenario would measure imports. A production deployment can use the same file.
"""

from django.urls import get_resolver

from parta.wsgi import application

# Every URL pattern, so every view module and what it imports.
get_resolver().url_patterns  # noqa: B018
# The Celery app and its broker transport, which the first write (outbox → task) would import.
import parta.celery  # noqa: E402, F401

__all__ = ["application"]
