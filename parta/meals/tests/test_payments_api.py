"""``POST /api/v1/payments/<format>/callback``: a provider's signed confirmation credits an account
once; a bad signature, a bad body or an unknown order writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from parta.accounts.models import MachineCall
from parta.accounts.services import machine_client_create
from parta.accounts.signatures import sign
from parta.meals.models import Account, LedgerEntry, Payment, TopUp
from parta.meals.services import top_up_start
from parta.meals.tests.conftest import Cafeteria
from parta.messaging.models import Notification
from parta.messaging.notifications import row_of
from parta.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db


def order(c: Cafeteria, amount: int = 50000) -> TopUp:
    return top_up_start(actor=c.world.a.parent, student_id=c.world.a.student.pk, amount=amount)


def parta_body(top_up: TopUp, **changes: Any) -> dict[str, Any]:
    return {
        "payment_id": "pay-1",
        "status": "succeeded",
        "amount": top_up.amount,
        "currency": "RUB",
        "order": top_up.reference,
        **changes,
    }


def nothing_credited() -> bool:
    return not Payment.objects.exists() and not LedgerEntry.objects.exists()


def test_a_confirmed_payment_credits_the_orders_account_and_marks_it_paid(cafeteria: Cafeteria) -> None:
    c = cafeteria
    top_up = order(c)
    response = c.callback(parta_body(top_up))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["payment_id"], body["credited"], body["amount"]) == ("pay-1", True, 50000)
    account = Account.objects.get(student=c.world.a.student)
    assert account.balance == 50000
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.balance_after, entry.payment_id) == (
        "top_up",
        50000,
        50000,
        body["payment"],
    )
    top_up.refresh_from_db()
    assert top_up.status == TopUp.Status.PAID
    assert Payment.objects.get().provider_id == c.provider.pk


def test_a_callback_sent_again_credits_nothing_twice(cafeteria: Cafeteria) -> None:
    c = cafeteria
    top_up = order(c)
    first = c.callback(parta_body(top_up))
    again = c.callback(parta_body(top_up))
    assert (again.status_code, again.json()) == (200, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Account.objects.get().balance == 50000
    assert LedgerEntry.objects.count() == 1


def test_an_idempotency_key_sent_again_with_another_payment_is_a_422_and_credits_nothing(
    cafeteria: Cafeteria,
) -> None:
    c = cafeteria
    first = c.callback(parta_body(order(c)), HTTP_IDEMPOTENCY_KEY="cb-1")
    assert first.status_code == 200
    again = c.callback(parta_body(order(c, 30000)), HTTP_IDEMPOTENCY_KEY="cb-1")
    assert again.status_code == 422
    assert Account.objects.get().balance == 50000 and LedgerEntry.objects.count() == 1


def test_the_same_payment_id_with_another_amount_is_a_409(cafeteria: Cafeteria) -> None:
    c = cafeteria
    top_up = order(c)
    c.callback(parta_body(top_up))
    response = c.callback(parta_body(top_up, amount=1))
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_payment_id")
    assert Account.objects.get().balance == 50000


def test_another_provider_may_use_the_same_payment_id(cafeteria: Cafeteria) -> None:
    c = cafeteria
    top_up = order(c)
    c.callback(parta_body(top_up))
    other, secret = machine_client_create(
        by=None, kind="payment_provider", name="Other", scopes=["payments:callback"]
    )
    c.provider, c.provider_secret = other, secret
    assert c.callback(parta_body(top_up)).json()["credited"] is True
    assert Account.objects.get().balance == 100000


def test_a_bank_transfer_names_the_account(cafeteria: Cafeteria) -> None:
    c = cafeteria
    account = order(c).account
    body = {"payment_id": "bank-7", "status": "succeeded", "amount": 12345, "account": account.pk}
    assert c.callback(body).json()["credited"] is True
    account.refresh_from_db()
    assert account.balance == 12345


def test_a_failed_payment_credits_nothing_and_the_top_up_is_not_paid(cafeteria: Cafeteria) -> None:
    c = cafeteria
    top_up = order(c)
    response = c.callback(parta_body(top_up, status="failed"))
    assert response.json()["credited"] is False
    top_up.refresh_from_db()
    assert top_up.status == TopUp.Status.FAILED
    assert nothing_credited()


@pytest.mark.parametrize("change", ["another body", "another secret", "no signature"])
def test_a_bad_signature_is_a_400_and_nothing_is_written(cafeteria: Cafeteria, change: str) -> None:
    c = cafeteria
    top_up = order(c)
    body = parta_body(top_up)
    if change == "another body":
        raw = json.dumps(body).encode()
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {c.provider_secret}")
        response = api.post(
            "/api/v1/payments/parta/callback",
            json.dumps({**body, "amount": 99999999}),
            content_type="application/json",
            HTTP_X_PARTA_SIGNATURE=sign(raw, c.provider.signing_secret),
        )
    elif change == "another secret":
        response = c.callback(body, secret="0" * 64)
    else:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {c.provider_secret}")
        response = api.post("/api/v1/payments/parta/callback", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "bad_signature")
    assert nothing_credited()
    assert TopUp.objects.get().status == TopUp.Status.PENDING
    # The refusal is in the provider's call log, and nothing else was written.
    assert MachineCall.objects.get(client=c.provider).status == 400


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"amount": -100}, "amount", "min_value"),
        ({"amount": 0}, "amount", "min_value"),
        ({"amount": "lots"}, "amount", "invalid"),
        ({"status": "maybe"}, "status", "invalid_choice"),
        ({"payment_id": ""}, "payment_id", "blank"),
        ({"payment_id": "a b"}, "payment_id", "invalid"),
        ({"order": "", "account": None}, "order", "order_or_account"),
    ],
)
def test_a_malformed_body_is_a_400_with_the_fields_code(
    cafeteria: Cafeteria, changes: dict[str, Any], field: str, code: str
) -> None:
    c = cafeteria
    response = c.callback(parta_body(order(c), **changes))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert response.json()["code"] == code
    assert nothing_credited()


def test_an_unknown_order_or_account_is_a_422(cafeteria: Cafeteria) -> None:
    c = cafeteria
    response = c.callback(parta_body(order(c), order="0" * 32))
    assert (response.status_code, response.json()["code"]) == (422, "unknown_order")
    response = c.callback({"payment_id": "x", "status": "succeeded", "amount": 100, "account": 999999})
    assert (response.status_code, response.json()["code"]) == (422, "unknown_account")
    assert nothing_credited()


def test_another_currency_is_a_422(cafeteria: Cafeteria) -> None:
    c = cafeteria
    response = c.callback(parta_body(order(c), currency="USD"))
    assert (response.status_code, response.json()["code"]) == (422, "unsupported_currency")
    assert nothing_credited()


def test_an_unknown_format_is_a_404(cafeteria: Cafeteria) -> None:
    c = cafeteria
    response = c.callback(parta_body(order(c)), fmt="carrier-pigeon")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_provider")
    assert nothing_credited()


def test_a_cash_desk_or_a_person_cannot_confirm_payments(cafeteria: Cafeteria) -> None:
    c = cafeteria
    for credential in (c.desk_secret,):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
        response = api.post("/api/v1/payments/parta/callback", parta_body(order(c)), format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert nothing_credited()


def test_a_yookassa_style_notification_is_read_by_its_adapter(cafeteria: Cafeteria) -> None:
    c = cafeteria
    top_up = order(c, 75050)
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": {
            "id": "2c6b1f3e-000f-5000-8000-1a2b3c4d5e6f",
            "status": "succeeded",
            "amount": {"value": "750.50", "currency": "RUB"},
            "metadata": {"order": top_up.reference},
        },
    }
    response = c.callback(body, fmt="yookassa")
    assert response.json()["credited"] is True
    assert Account.objects.get().balance == 75050
    assert Payment.objects.get().adapter == "yookassa"
    body["object"]["amount"]["value"] = "-1.00"  # type: ignore[index]
    assert c.callback(body, fmt="yookassa").status_code == 400


def test_the_guardians_are_told_of_a_bank_transfer_but_not_the_parent_who_paid(
    cafeteria: Cafeteria, django_capture_on_commit_callbacks: Any
) -> None:
    c = cafeteria
    a = c.world.a
    top_up = order(c)
    with django_capture_on_commit_callbacks(execute=True):
        c.callback(parta_body(top_up))
    event = OutboxEvent.objects.get(kind="meals.top_up")
    assert not Notification.objects.filter(event_id=event.pk).exists()  # only a.parent guards a.student
    with django_capture_on_commit_callbacks(execute=True):
        c.callback(
            {"payment_id": "bank-1", "status": "succeeded", "amount": 10000, "account": top_up.account_id}
        )
    told = Notification.objects.get(kind="meals_top_up")
    assert told.recipient_id == a.parent.pk
    # A parent reads which child it is about.
    assert row_of(told).text.endswith(
        ": Meal account topped up by 100.00\u00a0₽; the balance is 600.00\u00a0₽"
    )
