"""POST /api/v1/passage/events: a turnstile's events, one or a batch; repeats change nothing;
unknown and blocked cards are kept; bad input is a 4xx with a code and writes nothing but the
call's log; the statements per batch do not grow with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from parta.accounts.models import MachineCall
from parta.accounts.services import machine_client_create
from parta.outbox.models import OutboxEvent
from parta.passage.ingest import MAX_BATCH
from parta.passage.models import Card, PassageEvent
from parta.passage.tests.conftest import Gate, event, make_gate
from parta.testing.factories import api_key
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def test_one_event_is_stored_where_the_device_stands(
    world: World, gate: Gate, cards: dict[str, Card]
) -> None:
    at = timezone.now() - dt.timedelta(minutes=2)
    answer = gate.post(event("e1", "A-STUDENT", at=at))
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"event_id": "e1", "status": "accepted", "duplicate": False, "card": "known"}
    row = PassageEvent.objects.get()
    assert (row.school_id, row.building_id, row.device_id) == (
        world.a.school.pk,
        gate.building.pk,
        gate.device.pk,
    )
    assert (row.card_id, row.holder_id, row.direction, row.card_state) == (
        cards["student"].pk,
        world.a.student.pk,
        "in",
        "known",
    )
    assert row.occurred_at == at.replace(microsecond=row.occurred_at.microsecond)
    assert row.day == timezone.localtime(at).date()
    # The family is told through the outbox: one row, the child's.
    assert OutboxEvent.objects.get().payload["student_id"] == world.a.student.pk


def test_a_batch_answers_each_event_in_order_and_keeps_every_card(
    world: World, gate: Gate, cards: dict[str, Card]
) -> None:
    cards["classmate"].status = Card.Status.BLOCKED
    cards["classmate"].save()
    now = timezone.now()
    body = {
        "events": [
            event("1", "A-STUDENT"),
            event("2", "NOBODY-123"),
            event("3", "A-CLASSMATE", "out"),
            event("4", "B-STUDENT"),
            event("5", "A-STUDENT", at=now + dt.timedelta(hours=1)),
            event("6", "A-STUDENT", at=now - dt.timedelta(days=40)),
            event("7", "A-STUDENT", direction="sideways"),
            event("8", "A-STUDENT", device=gate.device.pk + 1000),
            event("9", "A-STUDENT", device=gate.device.pk),
            {"event_id": "10", "card": "A-STUDENT", "direction": "in", "occurred_at": "yesterday"},
            {"card": "A-STUDENT", "direction": "in", "occurred_at": now.isoformat()},
            event("12", ""),
        ]
    }
    answer = gate.post(body)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    results = data["results"]
    assert [r["event_id"] for r in results] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", None, "12"]
    assert [r["status"] for r in results] == ["accepted"] * 4 + ["rejected"] * 4 + ["accepted"] + [
        "rejected"
    ] * 3
    assert [r.get("card") for r in results[:4]] == ["known", "unknown", "blocked", "other_school"]
    assert [r.get("code") for r in results[4:]] == [
        "future_event",
        "too_old",
        "invalid_direction",
        "wrong_device",
        None,
        "invalid_time",
        "invalid_event_id",
        "invalid_card",
    ]
    assert results[4]["errors"] == {"occurred_at": [results[4]["errors"]["occurred_at"][0]]}
    assert (data["accepted"], data["duplicates"], data["rejected"]) == (5, 0, 7)
    stored = dict(PassageEvent.objects.values_list("event_id", "card_state"))
    assert stored == {"1": "known", "2": "unknown", "3": "blocked", "4": "other_school", "9": "known"}
    # Only the known cards of children with a guardian go to the families.
    assert OutboxEvent.objects.count() == 2


def test_a_repeated_event_answers_as_the_first_time_and_changes_nothing(
    gate: Gate, cards: dict[str, Card]
) -> None:
    body = {"events": [event("r1", "A-STUDENT"), event("r2", "NOBODY")]}
    first = gate.post(body).json()
    again = gate.post(body).json()
    assert [(r["status"], r["card"]) for r in again["results"]] == [
        (r["status"], r["card"]) for r in first["results"]
    ]
    assert [r["duplicate"] for r in again["results"]] == [True, True]
    assert again["duplicates"] == 2
    assert PassageEvent.objects.count() == 2 and OutboxEvent.objects.count() == 1
    # One event alone, repeated: the same answer and status.
    single = gate.post(event("r1", "A-STUDENT"))
    assert single.status_code == 200 and single.json()["status"] == "accepted"
    assert PassageEvent.objects.count() == 2
    # Another device may use the same event id: ids are the device's own.
    other = make_gate(gate.device.school_id or 0, gate.building, name="Gate 2")
    assert other.post(event("r1", "A-STUDENT")).json()["duplicate"] is False
    assert PassageEvent.objects.count() == 3


def test_an_idempotency_key_sent_again_with_other_events_is_a_422_and_writes_nothing(
    gate: Gate, cards: dict[str, Card]
) -> None:
    url = "/api/v1/passage/events"
    first = gate.api.post(
        url, {"events": [event("k1", "A-STUDENT")]}, format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert first.status_code == 200
    other = gate.api.post(
        url, {"events": [event("k2", "A-STUDENT")]}, format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert other.status_code == 422
    assert list(PassageEvent.objects.values_list("event_id", flat=True)) == ["k1"]


def test_a_card_blocked_later_keeps_what_its_events_were(gate: Gate, cards: dict[str, Card]) -> None:
    gate.post(event("k1", "A-STUDENT"))
    cards["student"].status = Card.Status.BLOCKED
    cards["student"].save()
    assert gate.post(event("k1", "A-STUDENT")).json()["card"] == "known"
    assert gate.post(event("k2", "A-STUDENT")).json()["card"] == "blocked"


def test_a_time_without_an_offset_is_the_citys(gate: Gate, cards: dict[str, Card]) -> None:
    local = timezone.localtime(timezone.now() - dt.timedelta(minutes=5)).replace(tzinfo=None, microsecond=0)
    answer = gate.post(
        {"event_id": "n1", "card": "A-STUDENT", "direction": "out", "occurred_at": local.isoformat()}
    )
    assert answer.status_code == 200
    assert timezone.localtime(PassageEvent.objects.get().occurred_at).replace(tzinfo=None) == local


def test_a_clock_a_little_ahead_is_forgiven(gate: Gate, cards: dict[str, Card]) -> None:
    ahead = timezone.now() + dt.timedelta(minutes=3)
    assert gate.post(event("s1", "A-STUDENT", at=ahead)).json()["status"] == "accepted"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([1, 2], "invalid_body"),
        ("text", "invalid_body"),
        ({"events": {"a": 1}}, "invalid_body"),
        ({"events": []}, "no_events"),
        ({"events": [1]}, "invalid_body"),
        (
            {"events": [{"event_id": "x", "card": "1", "direction": "in"}] * (MAX_BATCH + 1)},
            "too_many_events",
        ),
    ],
)
def test_a_request_that_cannot_be_read_is_a_400_with_a_code_and_writes_nothing(
    gate: Gate, body: Any, code: str
) -> None:
    answer = gate.post(body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == code
    assert not PassageEvent.objects.exists() and not OutboxEvent.objects.exists()
    # The refusal's record: the call log, and nothing else.
    assert MachineCall.objects.filter(client=gate.device, status=400).count() == 1


def test_an_event_id_twice_in_one_batch_refuses_the_batch(gate: Gate, cards: dict[str, Card]) -> None:
    answer = gate.post(
        {"events": [event("d1", "A-STUDENT"), event("d2", "A-STUDENT"), event("d1", "NOBODY")]}
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "duplicate_event_id"
    assert answer.json()["errors"] == {"events": ["2"]}
    assert not PassageEvent.objects.exists()


def test_malformed_json_is_a_400(gate: Gate) -> None:
    answer = gate.api.post("/api/v1/passage/events", "{not json", content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == "parse_error"
    assert not PassageEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (lambda: event("f1", "A-STUDENT", at=timezone.now() + dt.timedelta(hours=2)), "future_event"),
        (lambda: event("f2", "A-STUDENT", direction="up"), "invalid_direction"),
        (lambda: {**event("f3", "A-STUDENT"), "occurred_at": "2026-02-30T08:00:00"}, "invalid_time"),
        (lambda: event("f4", "x" * 65), "invalid_card"),
    ],
)
def test_one_bad_event_is_a_400_with_its_code(
    gate: Gate, cards: dict[str, Card], body: Any, code: str
) -> None:
    answer = gate.post(body())
    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert answer.json()["detail"]
    assert not PassageEvent.objects.exists() and not OutboxEvent.objects.exists()


def test_who_may_post(world: World, gate: Gate) -> None:
    url = "/api/v1/passage/events"
    body = event("w1", "A-STUDENT")
    # No credential, a wrong one, a revoked one: 401 with its code, nothing written.
    assert APIClient().post(url, body, format="json").status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer pm_not-a-credential")
    answer = wrong.post(url, body, format="json")
    assert answer.status_code == 401 and answer.json()["code"] == "authentication_failed"
    # A person's token, a cash desk's credential: 403.
    person = APIClient()
    person.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(world.a.admin)}")
    assert person.post(url, body, format="json").json()["code"] == "permission_denied"
    _desk, desk_secret = machine_client_create(
        by=None, kind="cash_desk", name="Desk", scopes=["meals:write"], school_id=world.a.school.pk
    )
    desk = APIClient()
    desk.credentials(HTTP_AUTHORIZATION=f"Bearer {desk_secret}")
    assert desk.post(url, body, format="json").status_code == 403
    # A turnstile standing in no building: 403 device_not_placed.
    _loose, loose_secret = machine_client_create(
        by=None, kind="turnstile", name="Loose", scopes=["passage:write"], school_id=world.a.school.pk
    )
    loose = APIClient()
    loose.credentials(HTTP_AUTHORIZATION=f"Bearer {loose_secret}")
    answer = loose.post(url, body, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "device_not_placed"
    assert not PassageEvent.objects.exists()


def _batch(prefix: str, size: int, numbers: list[str]) -> dict[str, Any]:
    at = timezone.now() - dt.timedelta(minutes=30)
    return {
        "events": [
            event(
                f"{prefix}-{i}",
                numbers[i % len(numbers)],
                "in" if i % 2 else "out",
                at=at + dt.timedelta(seconds=i),
            )
            for i in range(size)
        ]
    }


def test_the_statements_of_a_batch_do_not_grow_with_it(
    gate: Gate, cards: dict[str, Card], django_assert_max_num_queries: Any
) -> None:
    numbers = ["A-STUDENT", "A-CLASSMATE", "A-SIBLING", "A-TEACHER", "NOBODY", "B-STUDENT"]
    gate.post(_batch("warm", 5, numbers))  # the credential's last use is written once
    # Credential, stored ids, cards, savepoint, insert, outbox, release, call log.
    with django_assert_max_num_queries(9):
        small = gate.post(_batch("small", 10, numbers))
    with django_assert_max_num_queries(9):
        large = gate.post(_batch("large", MAX_BATCH, numbers))
    assert small.json()["accepted"] == 10 and large.json()["accepted"] == MAX_BATCH
    assert PassageEvent.objects.count() == 5 + 10 + MAX_BATCH
    with django_assert_max_num_queries(4):
        again = gate.post(_batch("large", MAX_BATCH, numbers))
    assert again.json()["duplicates"] == MAX_BATCH


def test_the_family_is_told_when_the_outbox_is_delivered(
    world: World, gate: Gate, cards: dict[str, Card], django_capture_on_commit_callbacks: Any
) -> None:
    from parta.messaging.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        gate.post({"events": [event("t1", "A-STUDENT"), event("t2", "A-SIBLING", "out")]})
    told = {(n.recipient_id, n.kind, n.payload["student_id"]) for n in Notification.objects.all()}
    assert told == {
        (world.a.parent.pk, "passage.entered", world.a.student.pk),
        (world.a.parent.pk, "passage.left", world.a.sibling.pk),
    }
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()


def test_a_batch_of_unknown_cards_alone_is_stored(gate: Gate) -> None:
    # No card known: the arrays of card ids and holders hold nulls only.
    answer = gate.post({"events": [event("u1", "NOBODY-1"), event("u2", "NOBODY-2", "out")]})
    assert answer.status_code == 200 and answer.json()["accepted"] == 2
    assert set(PassageEvent.objects.values_list("card_state", flat=True)) == {"unknown"}
    assert not OutboxEvent.objects.exists()
