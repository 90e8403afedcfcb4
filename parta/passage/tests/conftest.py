"""What the passage tests share: a turnstile of school A in its building, cards for the world's
people, a client that calls as the turnstile, and a clock stopped on the world's Monday."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from parta.accounts.models import MachineClient
from parta.passage.models import Card
from parta.schools.models import Building
from parta.schools.services import machine_client_for_school_create
from parta.testing.world import MONDAY, World

# 10:30 on the world's Monday: its lesson 2 (10:00–10:45) has begun, lesson 3 (11:00) has not.
NOW = timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(10, 30)))


@dataclass
class Gate:
    device: MachineClient
    secret: str
    building: Building
    api: APIClient

    def post(self, body: Any) -> Any:
        return self.api.post("/api/v1/passage/events", body, format="json")


def make_gate(school_id: int, building: Building | None = None, name: str = "Gate 1") -> Gate:
    building = building or Building.objects.filter(school_id=school_id).first()
    assert building is not None
    device, secret = machine_client_for_school_create(
        actor=None, school_id=school_id, kind="turnstile", name=name, building_id=building.pk
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return Gate(device, secret, building, api)


@pytest.fixture
def gate(world: World) -> Gate:
    return make_gate(world.a.school.pk)


@pytest.fixture
def cards(world: World) -> dict[str, Card]:
    """A card for each of school A's student, classmate, sibling and class teacher; one of school B's."""
    a = world.a
    return {
        "student": Card.objects.create(school=a.school, holder=a.student, number="A-STUDENT"),
        "classmate": Card.objects.create(school=a.school, holder=a.classmate, number="A-CLASSMATE"),
        "sibling": Card.objects.create(school=a.school, holder=a.sibling, number="A-SIBLING"),
        "teacher": Card.objects.create(school=a.school, holder=a.class_teacher, number="A-TEACHER"),
        "b_student": Card.objects.create(school=world.b.school, holder=world.b.student, number="B-STUDENT"),
    }


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Stop the clock at NOW (or at the time given): ``timezone.now`` everywhere."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(NOW)
    return set_to


def event(
    event_id: str, card: str, direction: str = "in", at: dt.datetime | None = None, **extra: Any
) -> dict[str, Any]:
    moment = at or timezone.now() - dt.timedelta(minutes=1)
    return {
        "event_id": event_id,
        "card": card,
        "direction": direction,
        "occurred_at": moment.isoformat(),
        **extra,
    }
