"""A building's day: the administrator's report."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from parta.accounts.models import MachineClient
from parta.accounts.selectors import names_of
from parta.passage.models import PassageEvent
from parta.passage.selectors.common import IN
from parta.schools.models import Building

# --- a building's day: the administrator's report -----------------------------------------


@dataclass(frozen=True)
class Unrecognised:
    at: dt.datetime
    number: str
    state: str
    state_label: str
    direction: str
    device: str


@dataclass(frozen=True)
class BuildingDay:
    building_id: int
    building: str
    day: dt.date
    entries: int
    exits: int
    people: int  # distinct holders of known cards who entered
    unrecognised_count: int
    first_entry: dt.datetime | None
    last_exit: dt.datetime | None
    hours: list[tuple[int, int, int]]  # hour, entries, exits (only hours with passages)
    unrecognised: list[Unrecognised]
    devices: list[tuple[str, int]]  # device name, passages

    @property
    def busiest(self) -> int:
        return max((entries + exits for _hour, entries, exits in self.hours), default=0)


def school_buildings(school_id: int) -> list[tuple[int, str]]:
    return list(Building.objects.filter(school_id=school_id).order_by("name", "pk").values_list("pk", "name"))


def building_day(building_id: int, building_name: str, day: dt.date) -> BuildingDay:
    """Entries, exits, the first entry and the last exit, passages per hour and per device, and the
    cards the turnstiles did not recognise, of one building's day. Two queries."""
    rows = list(
        PassageEvent.objects.filter(building_id=building_id, day=day)
        .order_by("occurred_at", "id")
        .values_list("direction", "card_state", "occurred_at", "holder_id", "card_number", "device_id")
    )
    known = PassageEvent.CardState.KNOWN
    devices = dict(MachineClient.objects.filter(pk__in={row[5] for row in rows}).values_list("pk", "name"))
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_device: Counter[int] = Counter()
    entries = exits = 0
    first_entry = last_exit = None
    people: set[int] = set()
    unrecognised = []
    for direction, state, occurred_at, holder_id, number, device_id in rows:
        local = timezone.localtime(occurred_at)
        per_device[device_id] += 1
        if direction == IN:
            entries += 1
            hours[local.hour][0] += 1
            first_entry = first_entry or local
            if holder_id and state == known:
                people.add(holder_id)
        else:
            exits += 1
            hours[local.hour][1] += 1
            last_exit = local
        if state != known:
            unrecognised.append(
                Unrecognised(
                    local,
                    number,
                    state,
                    str(PassageEvent.CardState(state).label),
                    direction,
                    devices.get(device_id, ""),
                )
            )
    return BuildingDay(
        building_id=building_id,
        building=building_name,
        day=day,
        entries=entries,
        exits=exits,
        people=len(people),
        unrecognised_count=len(unrecognised),
        first_entry=first_entry,
        last_exit=last_exit,
        hours=[(hour, counts[0], counts[1]) for hour, counts in sorted(hours.items())],
        unrecognised=unrecognised,
        devices=[(devices.get(pk, str(pk)), count) for pk, count in per_device.most_common()],
    )


def building_day_rows(building_id: int, day: dt.date) -> list[dict[str, Any]]:
    """Every passage of a building's day with its holder's name, for the download: two queries."""
    rows = list(
        PassageEvent.objects.filter(building_id=building_id, day=day)
        .order_by("occurred_at", "id")
        .values(
            "occurred_at", "direction", "card_number", "card_state", "holder_id", "device__name", "event_id"
        )
    )
    names = names_of({row["holder_id"] for row in rows if row["holder_id"]})
    return [
        {
            **row,
            "holder": name.short if (name := names.get(row["holder_id"] or 0)) else "",
            "occurred_at": timezone.localtime(row["occurred_at"]),
        }
        for row in rows
    ]
