"""A school's machine clients (turnstiles, cash desks, partners' clients): create, rotate, revoke."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from parta.accounts.models import MachineClient
from parta.accounts.services import (
    KIND_SCOPES,
    machine_client_create,
    machine_client_revoke,
    machine_client_rotate,
)
from parta.core.errors import FieldErrors
from parta.schools.access import access_machine_client
from parta.schools.models import Building, School
from parta.schools.services.common import _admin_school


def machine_client_for_school_create(
    *,
    actor: Any,
    school_id: int | None,
    kind: str,
    name: str,
    building_id: int | None = None,
    scopes: list[str] | None = None,
) -> tuple[MachineClient, str]:
    """A device of a school (a turnstile in a building, a cash desk) or a partner's client, and
    its secret (shown once). ``actor`` None is the operator's command line; a person must
    administer the school. Without ``scopes``, the kind's usual ones."""
    if actor is not None:
        if school_id is None:
            if not getattr(actor, "is_superuser", False):
                raise Http404
        else:
            _admin_school(actor, school_id)
    errors = FieldErrors()
    if school_id is not None and not School.objects.filter(pk=school_id).exists():
        errors.add("school", _("There is no such school."))
    if building_id is not None and (
        school_id is None or not Building.objects.filter(pk=building_id, school_id=school_id).exists()
    ):
        errors.add("building", _("Choose a building of the school."))
    errors.raise_if_any()
    return machine_client_create(
        by=actor,
        kind=kind,
        name=name,
        scopes=KIND_SCOPES.get(kind, []) if scopes is None else scopes,
        school_id=school_id,
        building_id=building_id,
    )


def machine_client_of_school_rotate(*, actor: Any, school_id: int, client_id: int) -> str:
    """A new secret for a school's machine client; the old one stops working at once."""
    return machine_client_rotate(by=actor, client=access_machine_client(actor, school_id, client_id))


def machine_client_of_school_revoke(*, actor: Any, school_id: int, client_id: int) -> MachineClient:
    """Revoke a school's machine client for good."""
    client = access_machine_client(actor, school_id, client_id)
    machine_client_revoke(by=actor, client=client)
    return client
