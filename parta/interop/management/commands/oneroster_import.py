"""``manage.py oneroster_import PATH [--dry-run] [--school ID | --new-school]``: a OneRoster CSV
bundle (a folder or a zip) into a school. The operator's command: no access check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.interop.parser import BundleUnreadable, read_path
from parta.interop.services import bundle_import, school_orgs, schools_of_org
from parta.schools.models import School


class Command(BaseCommand):
    help = "Import a OneRoster 1.2 (or 1.1) CSV bundle, a folder or a zip, into a school."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--school", type=int, help="the school to import into (its id)")
        target.add_argument(
            "--new-school", action="store_true", help="make a new school even if this org was imported before"
        )
        parser.add_argument("--quiet-rows", action="store_true", help="print the counts only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = read_path(options["path"])
        except BundleUnreadable as error:
            raise CommandError(str(error)) from None
        school = self.target(files, options)
        result = bundle_import(files=files, school=school, dry_run=options["dry_run"])
        if not options["quiet_rows"] or result.refused:
            for line in result.report.lines():
                self.stdout.write(line)
        counts = ", ".join(f"{name} {count}" for name, count in result.report.counts().items())
        if result.refused:
            raise CommandError(f"The bundle was refused; nothing was written. {counts}")
        where = f"school {result.school.pk} ({result.school.short_name})" if result.school else "a new school"
        prefix = "Dry run, nothing written" if options["dry_run"] else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{prefix}: {where}. {counts}"))

    def target(self, files: dict[str, bytes], options: dict[str, Any]) -> School | None:
        if options["school"] is not None:
            school = School.objects.filter(pk=options["school"]).first()
            if school is None:
                raise CommandError(f"No school {options['school']}.")
            return school
        if options["new_school"]:
            return None
        orgs = school_orgs(files)
        found = sorted({pk for org in orgs for pk in schools_of_org(org)})
        if len(found) > 1:
            raise CommandError(
                f"Schools {', '.join(map(str, found))} were imported from this org; name one with --school."
            )
        return School.objects.get(pk=found[0]) if found else None
