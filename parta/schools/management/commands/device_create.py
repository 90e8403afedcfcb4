"""``manage.py device_create --building ID --kind turnstile|cash_desk [--name NAME]``: a school
device's credential, printed once on standard output."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parta.accounts.models import MachineClient
from parta.schools.management.commands._machine_clients import create_and_print
from parta.schools.models import Building


class Command(BaseCommand):
    help = "Create a turnstile's or a cash desk's credential in a building and print it once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--building", type=int, required=True, help="the building's id")
        parser.add_argument(
            "--kind", required=True, choices=[MachineClient.Kind.TURNSTILE, MachineClient.Kind.CASH_DESK]
        )
        parser.add_argument("--name", default="", help="a label (default: the kind and the building)")

    def handle(self, *args: Any, building: int, kind: str, name: str, **options: Any) -> None:
        found = Building.objects.filter(pk=building).values_list("school_id", "name").first()
        if found is None:
            raise CommandError(f"There is no building {building}.")
        school_id, building_name = found
        label = name or f"{MachineClient.Kind(kind).label} — {building_name}"
        create_and_print(self, school_id=school_id, building_id=building, kind=kind, name=str(label))
