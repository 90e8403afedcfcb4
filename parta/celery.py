"""The Celery application: ``celery -A parta worker -B`` runs the worker and its beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.settings")

app = Celery("parta")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
