"""``manage.py school_create --city … --name … --admin-username … --admin-last-name … --admin-first-name …``:
a school and its first administrator on an empty installation, without the demo. Prints the
administrator's first password once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parta.schools.services import NewPerson, school_create


class Command(BaseCommand):
    help = _("Create a school and its first administrator.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city", required=True)
        parser.add_argument("--district", help=_("the city's district (the city's name if left out)"))
        parser.add_argument("--name", required=True, help=_("the school's full name"))
        parser.add_argument(
            "--short-name", default="", help=_("the name on pages (the full name if left out)")
        )
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-last-name", required=True)
        parser.add_argument("--admin-first-name", required=True)
        parser.add_argument("--admin-middle-name", default="")
        parser.add_argument("--admin-email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = school_create(
                city=options["city"],
                district=options["district"] or options["city"],
                name=options["name"],
                short_name=options["short_name"],
                admin_username=options["admin_username"],
                admin=NewPerson(
                    last_name=options["admin_last_name"],
                    first_name=options["admin_first_name"],
                    middle_name=options["admin_middle_name"],
                    email=options["admin_email"],
                ),
            )
        except ValidationError as error:
            lines = [
                f"--{field.replace('_', '-')}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            ]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(school)s (id %(id)d) and its administrator %(login)s, password: %(password)s")
                % {
                    "school": created.school.name,
                    "id": created.school.pk,
                    "login": created.admin.username,
                    "password": created.password,
                }
            )
        )
