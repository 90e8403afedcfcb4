"""``manage.py clinic_numbers_load FILE``: give people their city registry numbers (SNILS), from a
CSV file the city's registry or the school's information system exports with the columns
``username,number``. All or nothing; a person's new number replaces the old one."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.clinic.services import person_identifiers_load


class Command(BaseCommand):
    help = _("Load people's city registry numbers, by which clinics name children, from a CSV file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("a CSV file with the columns username,number"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as error:
            raise CommandError(str(error)) from error
        if rows and not {"username", "number"} <= set(rows[0]):
            raise CommandError(_("The file needs the columns username and number."))
        ids = dict(
            User.objects.filter(username__in={row["username"] for row in rows}).values_list("username", "pk")
        )
        unknown = sorted({row["username"] for row in rows} - set(ids))
        if unknown:
            raise CommandError(_("Nobody has these usernames: %(names)s.") % {"names": ", ".join(unknown)})
        try:
            created, changed = person_identifiers_load((ids[row["username"]], row["number"]) for row in rows)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("%(created)d numbers given, %(changed)d changed.") % {"created": created, "changed": changed}
        )
