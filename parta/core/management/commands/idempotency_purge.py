"""``manage.py idempotency_purge``: delete the Idempotency-Key rows older than their 24 hours
(the beat does it every hour; this is for a deployment without one)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parta.core.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete expired Idempotency-Key rows."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{purge_expired()} expired key(s) deleted.")
