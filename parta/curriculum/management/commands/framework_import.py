"""``manage.py framework_import PATH [PATH ...] [--dry-run]``: load a city's topic framework files.

All files are imported together, all or nothing: with any error nothing is written and the
command lists every error with its file and place, then exits with a non-zero status.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parta.curriculum.services import ImportReport, framework_import_files

KINDS = ("subjects", "sections", "topics", "outcomes")


class Command(BaseCommand):
    # argparse needs a real str here (a lazy translation breaks --help), as in Django's own commands.
    help = (
        "Import the city topic framework from JSON files (format parta-framework/1). "
        "All or nothing: with any error nothing is written."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=_("framework JSON files"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("check the files and report what would change, without writing anything"),
        )

    def handle(self, *args: Any, paths: list[Path], dry_run: bool, **options: Any) -> None:
        # A dry run performs the import and rolls it back, so its counts are exactly those of a real one.
        with transaction.atomic():
            report = framework_import_files(paths)
            if dry_run:
                transaction.set_rollback(True)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(
                ngettext(
                    "%(count)d error in the framework files; nothing was imported.",
                    "%(count)d errors in the framework files; nothing was imported.",
                    len(report.errors),
                )
                % {"count": len(report.errors)}
            )
        self.write_counts(report)
        files = ngettext("%(count)d file", "%(count)d files", len(paths)) % {"count": len(paths)}
        if dry_run:
            self.stdout.write(_("Dry run: %(files)s checked, nothing was written.") % {"files": files})
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported %(files)s.") % {"files": files}))

    def write_counts(self, report: ImportReport) -> None:
        labels = {
            "subjects": _("subjects"),
            "sections": _("sections"),
            "topics": _("topics"),
            "outcomes": _("outcomes"),
        }
        for kind in KINDS:
            self.stdout.write(
                _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "kind": labels[kind],
                    "created": report.created.get(kind, 0),
                    "updated": report.updated.get(kind, 0),
                    "unchanged": report.unchanged.get(kind, 0),
                }
            )
