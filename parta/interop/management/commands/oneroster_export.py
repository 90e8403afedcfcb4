"""``manage.py oneroster_export --school ID OUT``: the school as a OneRoster 1.2 bulk bundle,
into the folder OUT or the zip OUT.zip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.interop.services import bundle_export, write_bundle
from parta.schools.models import School


class Command(BaseCommand):
    help = "Export a school as a OneRoster 1.2 CSV bundle (a folder, or a zip when OUT ends with .zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path)
        parser.add_argument("--school", type=int, required=True, help="the school's id")

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(pk=options["school"]).first()
        if school is None:
            raise CommandError(f"No school {options['school']}.")
        files = bundle_export(school=school)
        write_bundle(files, options["out"])
        rows = sum(max(0, data.count(b"\r\n") - 1) for data in files.values())
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(files)} files, {rows} rows, to {options['out']}."))
