"""A school's buildings with their rooms, for the administrator's pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from parta.schools.models import Building, Room, School


@dataclass(frozen=True)
class RoomRow:
    id: int
    name: str
    label: str
    kind: str
    capacity: int


@dataclass
class BuildingRow:
    id: int
    name: str
    address: str
    rooms: list[RoomRow] = field(default_factory=list)

    @property
    def seats(self) -> int:
        return sum(room.capacity for room in self.rooms)


def buildings_with_rooms(school: School) -> list[BuildingRow]:
    """The school's buildings by name, each with its rooms by name: two queries."""
    buildings = {
        b.pk: BuildingRow(id=b.pk, name=b.name, address=b.address)
        for b in Building.objects.filter(school=school).order_by("name", "pk")
    }
    rooms = Room.objects.filter(building_id__in=list(buildings)).order_by("name", "pk")
    for room in rooms:
        buildings[room.building_id].rooms.append(
            RoomRow(
                id=room.pk,
                name=room.name,
                label=room.label,
                kind=room.get_kind_display(),
                capacity=room.capacity,
            )
        )
    return list(buildings.values())
