"""A school's buildings and their rooms: create, change, delete what nothing uses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.schools.models import Building, Room, School
from parta.schools.services.common import _admin_school, _insert_unique, uses_of

BUILDING_NAME_MAX_LENGTH = 200  # Building.name
ADDRESS_MAX_LENGTH = 300  # Building.address
ROOM_NAME_MAX_LENGTH = 50  # Room.name
MIN_CAPACITY, MAX_CAPACITY = 1, 1000


def _check_length(errors: FieldErrors, name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.add(name, _("Use at most %(max)d characters.") % {"max": limit})


@transaction.atomic
def building_save(
    *, actor: Any, school: School, name: str, address: str, building: Building | None = None
) -> Building:
    """Create a building of the school, or change ``building``'s name and address."""
    school = _admin_school(actor, school.pk)
    errors = FieldErrors()
    name, address = name.strip(), address.strip()
    if building is not None and building.school_id != school.pk:
        raise ValidationError({"name": [_("This building belongs to another school.")]})
    if not name:
        errors.add("name", _("Enter the name of the building."))
    _check_length(errors, "name", name, BUILDING_NAME_MAX_LENGTH)
    if not address:
        errors.add("address", _("Enter the address of the building."))
    _check_length(errors, "address", address, ADDRESS_MAX_LENGTH)
    others = Building.objects.filter(school=school)
    if building is not None:
        others = others.exclude(pk=building.pk)
    # Compared here, not by the database: SQLite folds the case of Latin letters only.
    if name and name.casefold() in {other.casefold() for other in others.values_list("name", flat=True)}:
        errors.add("name", _("The school already has a building called “%(name)s”.") % {"name": name})
    errors.raise_if_any()
    if building is None:
        return Building.objects.create(school=school, name=name, address=address)
    building.name, building.address = name, address
    building.save(update_fields=["name", "address"])
    return building


@transaction.atomic
def building_delete(*, actor: Any, building: Building) -> None:
    """Delete a building that has no rooms, class groups or devices."""
    _admin_school(actor, building.school_id)
    uses = uses_of(building)
    if uses:
        raise ValidationError(
            {
                "building": [
                    _("%(name)s cannot be deleted: it still has %(uses)s.")
                    % {"name": building.name, "uses": ", ".join(uses)}
                ]
            }
        )
    building.delete()


@transaction.atomic
def room_save(
    *,
    actor: Any,
    school: School,
    building: Building,
    name: str,
    kind: str,
    capacity: int,
    room: Room | None = None,
) -> Room:
    """Create a room in one of the school's buildings, or change ``room`` (moving it to another
    building of the school too)."""
    school = _admin_school(actor, school.pk)
    errors = FieldErrors()
    name = name.strip()
    if room is not None and room.school_id != school.pk:
        raise ValidationError({"name": [_("This room belongs to another school.")]})
    if building.school_id != school.pk:
        errors.add("building", _("This building belongs to another school."))
    if not name:
        errors.add("name", _("Enter the name or number of the room."))
    _check_length(errors, "name", name, ROOM_NAME_MAX_LENGTH)
    if kind not in Room.Kind.values:
        errors.add("kind", _("Choose the kind of room."))
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        errors.add(
            "capacity",
            _("The capacity must be from %(min)d to %(max)d.") % {"min": MIN_CAPACITY, "max": MAX_CAPACITY},
        )

    def taken() -> str | None:
        others = Room.objects.filter(building=building, name=name)
        if room is not None:
            others = others.exclude(pk=room.pk)
        if not others.exists():
            return None
        return _("%(building)s already has a room “%(name)s”.") % {"building": building.name, "name": name}

    if name and building.school_id == school.pk and (message := taken()) is not None:
        errors.add("name", message)
    errors.raise_if_any()
    if room is None:
        return _insert_unique(
            lambda: Room.objects.create(
                school=school, building=building, name=name, kind=kind, capacity=capacity
            ),
            taken,
            "name",
        )
    changed = room

    def update() -> Room:
        changed.building, changed.name, changed.kind, changed.capacity = building, name, kind, capacity
        changed.save(update_fields=["building", "name", "kind", "capacity"])
        return changed

    return _insert_unique(update, taken, "name")


@transaction.atomic
def room_delete(*, actor: Any, room: Room) -> None:
    """Delete a room no lesson, timetable slot, class group or device uses."""
    _admin_school(actor, room.school_id)
    uses = uses_of(room)
    if uses:
        raise ValidationError(
            {
                "room": [
                    _("Room %(name)s cannot be deleted: it is used by %(uses)s.")
                    % {"name": room.name, "uses": ", ".join(uses)}
                ]
            }
        )
    room.delete()
