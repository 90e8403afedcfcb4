"""The benchmark's turnstile burst (parta.passage.bench): its request lines send every card once,
and the count afterwards finds a lost, doubled or twice-told event (``manage.py passage_bench``)."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from parta.passage.bench import Turnstile, burst_check, burst_lines
from parta.passage.models import Card, PassageEvent
from parta.passage.tests.conftest import Gate, make_gate
from parta.testing.world import World


def _lines(world: World, gate: Gate, cards: dict[str, Card], batch: int) -> list[str]:
    second = make_gate(world.a.school.pk, gate.building, name="Gate 2")
    turnstiles = [Turnstile(g.device.pk, g.building.pk, g.secret) for g in (gate, second)]
    numbers = [card.number for name, card in cards.items() if name != "b_student"]
    return burst_lines(turnstiles, {gate.building.pk: numbers}, run="t", batch=batch, seed=3)


def _post(lines: list[str]) -> None:
    from rest_framework.test import APIClient

    for line in lines:
        _method, path, token, body = line.split("\t")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        answer = api.post(path, json.loads(body), format="json")
        assert answer.status_code == 200, answer.content


def test_the_burst_sends_every_card_once_in_batches_of_its_building(
    world: World, gate: Gate, cards: dict[str, Card]
) -> None:
    lines = _lines(world, gate, cards, batch=2)
    events = [json.loads(line.split("\t")[3])["events"] for line in lines]
    assert all(1 <= len(batch) <= 2 for batch in events)
    sent = [event for batch in events for event in batch]
    assert Counter(event["card"] for event in sent) == Counter(
        ["A-STUDENT", "A-CLASSMATE", "A-SIBLING", "A-TEACHER"]
    )
    assert len({event["event_id"] for event in sent}) == len(sent)
    assert all(event["event_id"].startswith("t-") for event in sent)


def test_the_count_finds_nothing_wrong_after_a_burst_sent_twice(
    world: World, gate: Gate, cards: dict[str, Card], django_capture_on_commit_callbacks: Any
) -> None:
    lines = _lines(world, gate, cards, batch=3)
    with django_capture_on_commit_callbacks(execute=True):
        _post(lines)
        _post(lines)  # a device that lost its answers sends them again
    found = burst_check("t", 4)
    assert (found.stored, found.lost, found.doubled, found.outbox_doubled) == (4, 0, 0, 0)
    assert found.undelivered == 0 and found.notifications > 0 and found.ok
    out = StringIO()
    call_command("passage_bench", "--run", "t", "--sent", "4", stdout=out)
    assert json.loads(out.getvalue()) | {"ok": True} == json.loads(out.getvalue())


def test_the_count_fails_on_a_lost_event(
    world: World, gate: Gate, cards: dict[str, Card], django_capture_on_commit_callbacks: Any
) -> None:
    lines = _lines(world, gate, cards, batch=4)
    with django_capture_on_commit_callbacks(execute=True):
        _post(lines[:-1])
    sent = sum(len(json.loads(line.split("\t")[3])["events"]) for line in lines)
    found = burst_check("t", sent)
    assert found.lost == sent - PassageEvent.objects.filter(event_id__startswith="t-").count() > 0
    assert not found.ok
    with pytest.raises(CommandError):
        call_command("passage_bench", "--run", "t", "--sent", str(sent), stdout=StringIO())
