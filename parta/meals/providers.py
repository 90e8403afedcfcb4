"""The formats payment providers confirm a payment in: ``POST /api/v1/payments/<format>/callback``.

Each provider has its own body; an adapter reads it into a :class:`PaymentNotice`, the one thing
the payment service knows. Parta's own format (``parta``, docs/meals.md) is what the simulated
provider of the demo sends; ``yookassa`` reads the notification of a YooKassa-style provider.
Another provider is one more adapter, registered from an app's ``AppConfig.ready``::

    register_format(PaymentFormat("bank", parse=read_bank_body, example={...}))

An adapter checks the body's shape only (``serializers.ValidationError`` → 400 with the field's
message); which account, whether it was paid before, is the service's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from parta.core.api import IdField
from parta.meals.money import MAX_AMOUNT, kopecks


@dataclass(frozen=True)
class PaymentNotice:
    """A provider's word on one payment: its id (unique for the provider), whether the money was
    taken, how much (kopecks, currency), and whose account: a top-up's reference (``order``,
    when the parent paid from Parta's page) or the account's number (a bank transfer)."""

    payment_id: str
    succeeded: bool
    amount: int
    currency: str = "RUB"
    order: str = ""
    account: int | None = None
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class PaymentFormat:
    name: str
    parse: Callable[[Any], PaymentNotice]
    # An example body for the documentation and the schema.
    example: Mapping[str, Any] = field(default_factory=dict)


_formats: dict[str, PaymentFormat] = {}


def register_format(adapter: PaymentFormat) -> None:
    _formats[adapter.name] = adapter


def format_named(name: str) -> PaymentFormat | None:
    return _formats.get(name)


def format_names() -> list[str]:
    return sorted(_formats)


# --- Parta's own format ------------------------------------------------------------------------

PARTA = "parta"


class PartaPaymentSerializer(serializers.Serializer[Any]):
    payment_id = serializers.RegexField(
        r"^[\x21-\x7e]{1,100}$",
        help_text=_(
            "The provider's id of the payment (printable ASCII, at most 100): a payment is credited once."
        ),
    )
    status = serializers.ChoiceField(
        choices=["succeeded", "failed"],
        help_text=_("“succeeded”: the money was taken; “failed”: it was not."),
    )
    amount = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT, help_text=_("Kopecks."))
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", default="RUB", help_text=_("ISO 4217; only RUB is taken.")
    )
    order = serializers.RegexField(
        r"^[0-9a-f]{32}$",
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The top-up's reference from Parta's payment page."),
    )
    account = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The meal account's number (a bank transfer)."),
    )
    paid_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    class Meta:
        ref_name = "PartaPaymentCallback"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs["order"]) == (attrs["account"] is not None):
            raise serializers.ValidationError(
                {
                    "order": [
                        _("Give either the top-up's reference (order) or the account's number (account).")
                    ]
                },
                code="order_or_account",
            )
        return attrs


def parse_parta(data: Any) -> PaymentNotice:
    body = PartaPaymentSerializer(data=data)
    body.is_valid(raise_exception=True)
    v = body.validated_data
    return PaymentNotice(
        payment_id=v["payment_id"],
        succeeded=v["status"] == "succeeded",
        amount=v["amount"],
        currency=v["currency"],
        order=v["order"],
        account=v["account"],
        paid_at=v["paid_at"],
    )


# --- a YooKassa-style notification --------------------------------------------------------------

YOOKASSA = "yookassa"


class _Money(serializers.Serializer[Any]):
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.RegexField(r"^[A-Z]{3}$")

    class Meta:
        ref_name = "YooKassaAmount"


class _Metadata(serializers.Serializer[Any]):
    order = serializers.RegexField(r"^[0-9a-f]{32}$", required=False, default="")
    account = serializers.RegexField(r"^[0-9]{1,12}$", required=False, default="")

    class Meta:
        ref_name = "YooKassaMetadata"


class _Payment(serializers.Serializer[Any]):
    id = serializers.RegexField(r"^[\x21-\x7e]{1,100}$")
    status = serializers.CharField(max_length=30)
    amount = _Money()
    metadata = _Metadata(required=False)
    captured_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    class Meta:
        ref_name = "YooKassaPayment"


class YooKassaSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["notification"])
    event = serializers.ChoiceField(choices=["payment.succeeded", "payment.canceled"])
    object = _Payment()

    class Meta:
        ref_name = "YooKassaNotification"


def parse_yookassa(data: Any) -> PaymentNotice:
    body = YooKassaSerializer(data=data)
    body.is_valid(raise_exception=True)
    v = body.validated_data
    payment = v["object"]
    metadata = payment.get("metadata") or {}
    amount = kopecks(payment["amount"]["value"])
    if amount > MAX_AMOUNT:
        raise serializers.ValidationError(
            {"object": {"amount": [_("Too large an amount.")]}}, code="max_value"
        )
    return PaymentNotice(
        payment_id=payment["id"],
        succeeded=v["event"] == "payment.succeeded" and payment["status"] == "succeeded",
        amount=amount,
        currency=payment["amount"]["currency"],
        order=metadata.get("order", ""),
        account=int(metadata["account"]) if metadata.get("account") else None,
        paid_at=payment["captured_at"],
    )


def _register_builtin() -> None:
    register_format(
        PaymentFormat(
            PARTA,
            parse_parta,
            example={
                "payment_id": "pay-20260907-0001",
                "status": "succeeded",
                "amount": 50000,
                "currency": "RUB",
                "order": "3f2b8c1d9e7a4b6c8d0e1f2a3b4c5d6e",
                "paid_at": "2026-09-07T08:01:02+03:00",
            },
        )
    )
    register_format(
        PaymentFormat(
            YOOKASSA,
            parse_yookassa,
            example={
                "type": "notification",
                "event": "payment.succeeded",
                "object": {
                    "id": "2c6b1f3e-000f-5000-8000-1a2b3c4d5e6f",
                    "status": "succeeded",
                    "amount": {"value": "500.00", "currency": "RUB"},
                    "metadata": {"order": "3f2b8c1d9e7a4b6c8d0e1f2a3b4c5d6e"},
                    "captured_at": "2026-09-07T05:01:02Z",
                },
            },
        )
    )


_register_builtin()
