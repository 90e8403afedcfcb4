"""``manage.py passage_bench --run RUN --sent N``: what was stored of a benchmark's burst whose event
ids begin with ``RUN-`` (``parta.passage.bench.burst_check``), as JSON for ``bench/faults.py``; exits
with an error when an event was lost or doubled or a family was told twice."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.passage.bench import burst_check


class Command(BaseCommand):
    help = "Count what was stored of a benchmark's turnstile burst: lost, doubled, delivered."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", required=True, help="The run's event id prefix (bench_fixtures: bench).")
        parser.add_argument("--sent", type=int, required=True, help="How many events were sent.")

    def handle(self, *args: Any, **options: Any) -> None:
        found = burst_check(options["run"], options["sent"])
        self.stdout.write(json.dumps({**dataclasses.asdict(found), "lost": found.lost, "ok": found.ok}))
        if not found.ok:
            raise CommandError("events were lost or doubled, or a family was told twice")
