"""`manage.py demo_load [--if-empty] [--seed N]`: load the demo school and print its logins."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.demo.generator import DEMO_PASSWORD, DEMO_SEED, generate_demo
from parta.schools.models import School

# The order and the words the README uses for the demo accounts.
LOGINS = (
    ("admin", "school administrator"),
    ("teacher", "teacher and class teacher"),
    ("student", "student"),
    ("parent", "parent of two students"),
    ("methodologist", "city methodologist"),
    ("root", "superuser (Django admin)"),
)


class Command(BaseCommand):
    help = "Generate the demo school (Moscow, one school, a year of lessons) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database has a school."
        )
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="Seed of the generator (default %(default)s)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if School.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already has a school; the demo is not loaded again.")
                return
            raise CommandError("The database already has a school: load the demo into an empty database.")
        started = time.monotonic()
        city = generate_demo(seed=options["seed"])
        elapsed = time.monotonic() - started
        school = city.schools[0]
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {school.school.name} ({city.city.name}) in {elapsed:.1f} s:")
        )
        for name, count in school.counts.items():
            self.stdout.write(f"  {name:<22} {count:>7}")
        for error in city.framework_errors:
            self.stderr.write(f"Topic framework not loaded: {error}")
        self.stdout.write(f"\nDemo logins (password “{DEMO_PASSWORD}”):")
        for username, role in LOGINS:
            user = city.demo.get(username)
            if user is not None:
                self.stdout.write(f"  {username:<14} {role:<28} {user.full_name}")
