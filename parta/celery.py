"""The Celery application: ``celery -A parta worker`` runs the worker, ``celery -A parta beat`` the beat
(two supervised processes in production, deploy/systemd/)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.settings")

app = Celery("parta")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
