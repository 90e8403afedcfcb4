"""The morning turnstile burst, for the benchmark: every student of a school entering within half
an hour, reported by the turnstiles of their building in batches (docs/passage.md, *Load*).

``burst_lines`` writes the load generator's request lines (``bench/load/requests.lua``, one
``METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY`` a line) — each line a batch of one turnstile, each event id
in exactly one line, so that wrk's ``once`` mode sends every event once while the file lasts.
``burst_check`` counts afterwards what was stored of a run: a lost event (sent, not stored) or a
doubled one (stored twice, or told to a family twice) is a failure, whatever happened to the
worker and Redis meanwhile.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from parta.accounts.models import MachineClient
from parta.core.load_lines import request_line
from parta.messaging.models import Notification
from parta.outbox.models import OutboxEvent
from parta.passage.ingest import OUTBOX_KIND
from parta.passage.models import Card, PassageEvent
from parta.schools.models import Enrolment

PATH = "/api/v1/passage/events"


@dataclass(frozen=True)
class Turnstile:
    device_id: int
    building_id: int
    credential: str


def school_burst_cards(school_id: int) -> dict[int, list[str]]:
    """Each building's students' active cards (one per student: the newest), by building of the
    student's class group (the school's first building for a class without one): two queries."""
    buildings = dict(
        Enrolment.objects.filter(school_id=school_id).values_list("student_id", "class_group__building_id")
    )
    first = min((b for b in buildings.values() if b), default=None)
    by_building: dict[int, list[str]] = defaultdict(list)
    seen: set[int] = set()
    for holder_id, number in (
        Card.objects.filter(school_id=school_id, holder_id__in=list(buildings), status=Card.Status.ACTIVE)
        .order_by("holder_id", "-issued_at")
        .values_list("holder_id", "number")
    ):
        if holder_id not in seen:
            seen.add(holder_id)
            building = buildings.get(holder_id) or first
            if building is not None:
                by_building[building].append(number)
    return dict(by_building)


def burst_lines(
    turnstiles: Sequence[Turnstile],
    cards: dict[int, list[str]],
    *,
    run: str,
    batch: int = 500,
    minutes: int = 30,
    end: dt.datetime | None = None,
    seed: int = 1,
) -> list[str]:
    """Every card of ``cards`` (building → numbers) entering once within ``minutes`` before
    ``end`` (now), through a turnstile of its building, as batches of ``batch`` events per
    turnstile in the order they happened. Event ids are ``<run>-<device>-<n>``: unique across the
    lines, and across runs with another ``run``."""
    rng = random.Random(seed)
    end = end or timezone.now()
    start = end - dt.timedelta(minutes=minutes)
    by_device: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    gates: dict[int, list[Turnstile]] = defaultdict(list)
    for gate in turnstiles:
        gates[gate.building_id].append(gate)
    for building, numbers in cards.items():
        if not gates.get(building):
            continue
        for number in numbers:
            # Most come in the last quarter of an hour before the bell.
            moment = start + dt.timedelta(
                seconds=min(rng.triangular(0, minutes * 60, minutes * 45), minutes * 60 - 1)
            )
            by_device[rng.choice(gates[building]).device_id].append((moment, number))
    credential = {gate.device_id: gate.credential for gate in turnstiles}
    lines = []
    for device_id, passages in sorted(by_device.items()):
        passages.sort()
        for offset in range(0, len(passages), batch):
            chunk = passages[offset : offset + batch]
            events = [
                {
                    "event_id": f"{run}-{device_id}-{offset + index}",
                    "card": number,
                    "direction": "in",
                    "occurred_at": moment.isoformat(timespec="seconds"),
                }
                for index, (moment, number) in enumerate(chunk)
            ]
            lines.append(request_line("POST", PATH, credential[device_id], {"events": events}))
    rng.shuffle(lines)
    return lines


def burst_event_count(lines: Iterable[str]) -> int:
    """How many events the lines carry."""
    return sum(len(json.loads(line.split("\t")[3])["events"]) for line in lines)


@dataclass(frozen=True)
class BurstCheck:
    sent: int
    stored: int
    doubled: int  # (device, event id) stored more than once: the unique constraint forbids it
    outbox: int  # the families' outbox rows of the run's passages
    outbox_doubled: int
    undelivered: int  # outbox rows the worker has not delivered yet
    notifications: int
    notifications_doubled: int

    @property
    def lost(self) -> int:
        return self.sent - self.stored

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.doubled == 0
            and self.outbox_doubled == 0
            and self.notifications_doubled == 0
        )


def burst_check(run: str, sent: int) -> BurstCheck:
    """What was stored of a run (its event ids begin with ``<run>-``): counted in the database."""
    events = PassageEvent.objects.filter(event_id__startswith=f"{run}-")
    stored = events.count()
    doubled = events.values("device_id", "event_id").annotate(n=Count("id")).filter(n__gt=1).count()
    ids = set(events.values_list("id", flat=True))
    outbox = [
        (pk, payload.get("passage_id"), delivered)
        for pk, payload, delivered in OutboxEvent.objects.filter(kind=OUTBOX_KIND).values_list(
            "id", "payload", "delivered_at"
        )
        if payload.get("passage_id") in ids
    ]
    per_passage: dict[int, int] = defaultdict(int)
    for _pk, passage_id, _delivered in outbox:
        per_passage[passage_id] += 1
    outbox_ids = [pk for pk, _passage, _delivered in outbox]
    told = (
        Notification.objects.filter(event_id__in=outbox_ids)
        .values("event_id", "recipient_id")
        .annotate(n=Count("id"))
    )
    notifications = sum(row["n"] for row in told)
    return BurstCheck(
        sent=sent,
        stored=stored,
        doubled=doubled,
        outbox=len(outbox),
        outbox_doubled=sum(1 for n in per_passage.values() if n > 1),
        undelivered=sum(1 for _pk, _passage, delivered in outbox if delivered is None),
        notifications=notifications,
        notifications_doubled=sum(1 for row in told if row["n"] > 1),
    )


def school_turnstiles(school_id: int, credentials: dict[int, str]) -> list[Turnstile]:
    """The school's active turnstiles whose credentials are known (``credentials``: device id →
    secret, as ``machine_client_for_school_create`` or a rotation gave them)."""
    rows = MachineClient.objects.filter(
        school_id=school_id, kind=MachineClient.Kind.TURNSTILE, is_active=True, building_id__isnull=False
    ).values_list("pk", "building_id")
    return [
        Turnstile(pk, building_id, credentials[pk])
        for pk, building_id in rows
        if pk in credentials and building_id is not None
    ]
