"""``manage.py diary_prewarm [--school ID …] [--day YYYY-MM-DD]``: the night job by hand, with its
progress and what it cost."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parta.diary.prewarm import prewarm_week


class Command(BaseCommand):
    help = "Make this week's diaries in the read cache before the morning, as the night job does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", type=int, action="append", help="Only this school (repeat).")
        parser.add_argument("--day", type=dt.date.fromisoformat, help="A day of the week (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            seconds = time.perf_counter() - started
            self.stdout.write(f"\r{done:,}/{total:,} students, {seconds:.1f} s", ending="")
            self.stdout.flush()

        weeks = prewarm_week(options["day"], school_ids=options["school"], progress=progress)
        seconds = time.perf_counter() - started
        per = 1000 * seconds / weeks if weeks else 0.0
        self.stdout.write(f"\n{weeks:,} diary weeks in {seconds:.1f} s ({per:.2f} ms each)")
