"""A person's day at the turnstiles, a child's passages, and the home page's panel."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, DateTimeField, Value
from django.utils import timezone

from parta.accounts.selectors import names_of
from parta.passage.models import Card, PassageEvent
from parta.passage.selectors.common import IN
from parta.schools.models import Building

# --- a person's day ------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    direction: str
    at: dt.datetime  # local time

    @property
    def entered(self) -> bool:
        return self.direction == IN


@dataclass(frozen=True)
class PersonDay:
    """A person's passages of one day, in order."""

    passages: list[Passage]

    @property
    def first_in(self) -> dt.datetime | None:
        return next((p.at for p in self.passages if p.entered), None)

    @property
    def last_out(self) -> dt.datetime | None:
        return next((p.at for p in reversed(self.passages) if not p.entered), None)

    @property
    def inside(self) -> bool:
        return bool(self.passages) and self.passages[-1].entered

    @property
    def last_in(self) -> dt.datetime | None:
        return next((p.at for p in reversed(self.passages) if p.entered), None)

    def state_at(self, moment: dt.datetime) -> str | None:
        """Which way the person last went through at ``moment`` (None: not yet today)."""
        last = None
        for passage in self.passages:
            if passage.at > moment:
                break
            last = passage.direction
        return last

    def entered_between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        return next((p.at for p in self.passages if p.entered and start < p.at <= end), None)


def days_of(holder_ids: Iterable[int], day: dt.date) -> dict[int, PersonDay]:
    """Each person's passages of the day (a known card's only): one query on passage_holder_day."""
    found: dict[int, list[Passage]] = defaultdict(list)
    ids = list(set(holder_ids))
    if ids:
        rows = (
            PassageEvent.objects.filter(holder_id__in=ids, day=day)
            .order_by("occurred_at", "id")
            .values_list("holder_id", "direction", "occurred_at")
        )
        for holder_id, direction, occurred_at in rows:
            found[holder_id].append(Passage(direction, timezone.localtime(occurred_at)))
    return {pk: PersonDay(found.get(pk, [])) for pk in ids}


def holders_with_cards(holder_ids: Iterable[int]) -> set[int]:
    """Those of these people who hold an active card: one query."""
    ids = list(set(holder_ids))
    if not ids:
        return set()
    return set(
        Card.objects.filter(holder_id__in=ids, status=Card.Status.ACTIVE).values_list("holder_id", flat=True)
    )


@dataclass(frozen=True)
class ChildPassages:
    """A child's passages of the last days, newest day first (the family's page)."""

    student_id: int
    name: str
    days: list[tuple[dt.date, list[tuple[Passage, str]]]]  # per day: passage and building name


def child_passages(student_id: int, today: dt.date, *, days: int = 14) -> ChildPassages:
    """Three queries: the name, the passages of the last ``days`` days, the buildings' names."""
    name = names_of([student_id]).get(student_id)
    rows = list(
        PassageEvent.objects.filter(
            holder_id=student_id, day__gt=today - dt.timedelta(days=days), day__lte=today
        )
        .order_by("-day", "occurred_at", "id")
        .values_list("day", "direction", "occurred_at", "building_id")
    )
    buildings = dict(Building.objects.filter(pk__in={row[3] for row in rows}).values_list("pk", "name"))
    by_day: dict[dt.date, list[tuple[Passage, str]]] = defaultdict(list)
    for day, direction, occurred_at, building_id in rows:
        by_day[day].append(
            (Passage(direction, timezone.localtime(occurred_at)), buildings.get(building_id, ""))
        )
    return ChildPassages(
        student_id, name.short if name else "", sorted(by_day.items(), key=lambda item: item[0], reverse=True)
    )


# --- the home page's panel ---------------------------------------------------------------


def home_panel(viewer: Any, student_ids: list[int], today: dt.date) -> dict[int, dict[str, Any]]:
    """``core.home`` reader: today's entry and exit of each child that holds a card or passed a
    turnstile today. One query: today's passages and the active cards, as one UNION ALL."""
    if not student_ids:
        return {}
    passages = PassageEvent.objects.filter(holder_id__in=student_ids, day=today).values_list(
        "holder_id", "direction", "occurred_at"
    )
    carded = (
        Card.objects.filter(holder_id__in=student_ids, status=Card.Status.ACTIVE)
        .annotate(
            no_direction=Value("", output_field=CharField()),
            no_time=Value(None, output_field=DateTimeField()),
        )
        .values_list("holder_id", "no_direction", "no_time")
    )
    found: dict[int, list[Passage]] = {}
    for holder_id, direction, occurred_at in passages.union(carded, all=True):
        day = found.setdefault(holder_id, [])
        if direction:
            day.append(Passage(direction, timezone.localtime(occurred_at)))
    return {
        pk: {"day": PersonDay(sorted(day, key=lambda passage: passage.at)), "today": today}
        for pk, day in found.items()
    }
