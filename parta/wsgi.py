"""The WSGI application (gunicorn: ``gunicorn parta.wsgi --preload``; runserver uses it too).

Everything a request needs is imported here, not on a worker's first request: with ``--preload``
that happens once, in gunicorn's master, before it forks the workers. Then the garbage collector
is told to leave those objects alone for good (``gc.freeze``): a full collection in a worker
scanned all of them — 150 ms at a time, a stall that landed in the slowest percentile of the
benchmark — and touching them copied the master's memory into every worker.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.settings")
application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402 - needs the settings above

# Every URL pattern, so every view module and what it imports.
get_resolver().url_patterns  # noqa: B018
# The Celery app, which the first write (outbox → task) would import.
import parta.celery  # noqa: E402, F401

gc.freeze()
