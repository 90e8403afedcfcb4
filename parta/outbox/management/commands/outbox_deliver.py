"""``manage.py outbox_deliver``: deliver the outbox's pending events now, oldest first.

Without a worker (or after the broker was down) this is how pending events go out; with
``--publish`` they are handed to the worker through the broker instead of delivered here.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parta.outbox import services


class Command(BaseCommand):
    help = "Deliver the outbox's pending events (oldest first), or publish them again to the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=100, help="Events read per query (default 100).")
        parser.add_argument(
            "--max", type=int, default=0, help="Stop after this many events (default: all pending ones)."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the events to the worker through the broker instead of delivering them here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch: int = max(1, options["batch"])
        most: int = max(0, options["max"])
        publish: bool = options["publish"]
        done = tried = last_id = 0
        while not most or tried < most:
            limit = min(batch, most - tried) if most else batch
            ids = services.pending_ids(limit=limit, after_id=last_id)
            if not ids:
                break
            for event_id in ids:
                ok = services.publish(event_id) if publish else services.deliver(event_id)
                done += int(ok)
            tried += len(ids)
            last_id = ids[-1]
        verb = "published" if publish else "delivered"
        self.stdout.write(f"{done} event(s) {verb}, {tried - done} failed.")
