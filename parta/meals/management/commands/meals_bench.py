"""``manage.py meals_bench --out FILE [--sales N] [--schools N]``: the cash desks' break for wrk
(``parta.meals.bench``); ``manage.py meals_bench --check``: every balance is the sum of its entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.meals.bench import balances_check, write_sales_requests
from parta.schools.models import School


class Command(BaseCommand):
    help = "Write the cash desks' sale requests for wrk, or check the balances after a run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="The request file to write.")
        parser.add_argument("--sales", type=int, default=20000, help="Sales to write (default %(default)s).")
        parser.add_argument("--schools", type=int, default=0, help="Only the first N schools (default all).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--check", action="store_true", help="Check the balances instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            found = balances_check()
            self.stdout.write(
                f"accounts {found.accounts}, entries {found.entries}, "
                f"mismatched {len(found.mismatched)}, negative {found.negative}"
            )
            if not found.exact:
                raise CommandError(f"balances are not the sums of their entries: {found.mismatched[:10]}")
            return
        if options["out"] is None:
            raise CommandError("--out FILE or --check")
        schools = School.objects.order_by("pk")
        if options["schools"]:
            schools = schools[: options["schools"]]
        prepared = write_sales_requests(
            options["out"], schools=list(schools), sales=options["sales"], seed=options["seed"]
        )
        self.stdout.write(
            f"{len(prepared.lines)} sales from {prepared.desks} desks, {prepared.cards} cards, "
            f"{prepared.funded} accounts funded: {options['out']}"
        )
