"""``manage.py prep_tests_load [--author USERNAME]``: the project's training tests for the final
exams (``parta/assessment/prep_items``) published in the library for the city. Running it again
changes nothing; a changed file makes a new version of its test."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.assessment.prep_load import PrepLoadError, prep_author, prep_tests_load


class Command(BaseCommand):
    # argparse needs a real str here (a lazy translation breaks --help), as in Django's own commands.
    help = (
        "Publish the project's training tests for the OGE and EGE in the library for the city "
        "(idempotent: a changed test gets a new version)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="The city methodologist who authors and publishes them (default: the first one).",
        )

    def handle(self, *args: Any, author: str | None = None, **options: Any) -> None:
        try:
            report = prep_tests_load(author=prep_author(author))
        except PrepLoadError as error:
            raise CommandError(str(error)) from error
        for label, titles in (
            ("created", report.created),
            ("updated", report.updated),
            ("published again", report.published),
            ("unchanged", report.unchanged),
        ):
            for title in titles:
                self.stdout.write(f"  {label:<16} {title}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Exam preparation tests: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.published)} published again, {len(report.unchanged)} unchanged."
            )
        )
