"""``manage.py machine_client_create --kind clinic --scope attendance:clinic [--scope …]
[--school ID] [--name NAME]``: a partner system's credential, printed once on standard output."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from parta.accounts.models import MachineClient
from parta.accounts.scopes import scope_choices
from parta.schools.management.commands._machine_clients import create_and_print


class Command(BaseCommand):
    help = "Create a partner system's credential (a clinic, a payment provider) and print it once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--kind", required=True, choices=MachineClient.Kind.values)
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=[name for name, _description in scope_choices()],
            help="what it may do (repeat for several; default: the kind's usual scopes)",
        )
        parser.add_argument("--school", type=int, help="the school it serves (default: city-wide)")
        parser.add_argument("--name", default="", help="a label (default: the kind)")

    def handle(
        self, *args: Any, kind: str, scopes: list[str] | None, school: int | None, name: str, **options: Any
    ) -> None:
        label = name or str(MachineClient.Kind(kind).label)
        create_and_print(self, school_id=school, kind=kind, name=label, scopes=scopes)
