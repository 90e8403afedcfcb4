"""The machines' endpoints of meals: a cash desk's sales and today's menu, a payment provider's
callback. Each answers JSON, with a machine-readable ``code`` on every refusal (docs/meals.md)."""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.permissions import HasScope, SignedBody
from parta.core.api import ERROR_SERIALIZER, DateField, IdField, error_responses
from parta.core.idempotency import REPLAYED, IdempotentApi
from parta.core.ids import MAX_ID
from parta.meals import providers, selectors, services
from parta.meals.services import Refused

SALES_SCOPE = "meals:write"
CALLBACK_SCOPE = "payments:callback"

_REFUSAL = OpenApiResponse(
    ERROR_SERIALIZER,
    description=_(
        "Refused, nothing written but the refusal's record: unknown_card, blocked_card, other_school, "
        "unknown_item, stop_list (with item and allergen), daily_limit (with daily_limit, spent_today, "
        "total), insufficient_balance (with balance and total)."
    ),
)
_FORBIDDEN = OpenApiResponse(
    ERROR_SERIALIZER,
    description=_("Not a machine with this endpoint's scope (permission_denied), or a desk in no building."),
)


def refusal_response(refusal: Refused) -> Response:
    """A refusal in the API's one error shape, with its code and what else the machine needs."""
    body: dict[str, Any] = {
        "detail": refusal.message,
        "code": refusal.code,
        "errors": {refusal.field: [refusal.message]},
        **refusal.extra,
    }
    return Response(body, status=refusal.status)


# --- a cash desk's sale ---------------------------------------------------------------------------

# A desk's sale id and a card's number: printable ASCII, at most 64.
_DESK_STRING = r"[\x21-\x7e]{1,64}"
_DESK_STRING_RE = re.compile(_DESK_STRING)
_MAX_LINES = 30
_MAX_QUANTITY = 20


class SaleItemSerializer(serializers.Serializer[Any]):
    item = IdField(help_text=_("An item of today's menu of the desk's building (its id)."))
    quantity = serializers.IntegerField(min_value=1, max_value=_MAX_QUANTITY, default=1)

    class Meta:
        ref_name = "SaleItemInput"


class SaleLineSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    price = serializers.IntegerField(help_text=_("The day's unit price, kopecks."))
    amount = serializers.IntegerField(help_text=_("What the family paid for the line, kopecks."))
    free = serializers.BooleanField(help_text=_("A free meal of an entitled child (paid 0)."))

    class Meta:
        ref_name = "SaleLine"


class SaleSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text=_("Parta's id of the sale."))
    sale_id = serializers.CharField()
    card = serializers.CharField()
    total = serializers.IntegerField(help_text=_("Paid by the family, kopecks."))
    subsidised = serializers.IntegerField(help_text=_("Covered by the school's budget, kopecks."))
    balance = serializers.IntegerField(help_text=_("The balance after the sale, kopecks."))
    lines = SaleLineSerializer(many=True)

    class Meta:
        ref_name = "Sale"


def sale_data(answer: services.SaleAnswer) -> dict[str, Any]:
    return {
        "id": answer.id,
        "sale_id": answer.sale_id,
        "card": answer.card,
        "total": answer.total,
        "subsidised": answer.subsidised,
        "balance": answer.balance,
        "lines": [line.__dict__ for line in answer.lines],
    }


def _desk_string(value: object) -> TypeGuard[str]:
    return type(value) is str and _DESK_STRING_RE.fullmatch(value) is not None


def _plain_line(line: object) -> tuple[int, int] | None:
    if type(line) is not dict:
        return None
    item, quantity = line.get("item"), line.get("quantity", 1)
    # type(), not isinstance: a JSON true is a bool, an int to Python, and the serializer refuses it.
    if type(item) is int and type(quantity) is int and 1 <= item <= MAX_ID and 1 <= quantity <= _MAX_QUANTITY:
        return item, quantity
    return None


def plain_sale(data: object) -> tuple[str, str, list[tuple[int, int]]] | None:
    """A desk's usual body read without the input serializer, which cost a tenth of a sale's CPU:
    (sale id, card, [(item, quantity)]) when both strings are what the serializer would take as they
    are and each of the 1–30 items is a JSON integer id with an integer quantity (or none: 1).
    Anything else is None — also what the serializer would take after converting it, "12" for 12 —
    and the serializer reads it, answering bad input with its field messages. It accepts nothing
    the serializer refuses."""
    if type(data) is not dict:
        return None
    sale_id, card, items = data.get("sale_id"), data.get("card"), data.get("items")
    if not (_desk_string(sale_id) and _desk_string(card)):
        return None
    if type(items) is not list or not 1 <= len(items) <= _MAX_LINES:
        return None
    lines = [line for line in map(_plain_line, items) if line is not None]
    return (sale_id, card, lines) if len(lines) == len(items) else None


class SaleApi(IdempotentApi):
    permission_classes = [HasScope(SALES_SCOPE)]

    class InputSerializer(serializers.Serializer[Any]):
        sale_id = serializers.RegexField(
            f"^{_DESK_STRING}$",
            help_text=_(
                "The desk's own id of the sale (printable ASCII, at most 64): a retry sends the same."
            ),
        )
        card = serializers.RegexField(f"^{_DESK_STRING}$", help_text=_("The number the reader read."))
        items = SaleItemSerializer(many=True, min_length=1, max_length=_MAX_LINES)  # type: ignore[call-arg]

        class Meta:
            ref_name = "SaleInput"

    @extend_schema(
        operation_id="meals_sales_create",
        tags=["meals"],
        request=InputSerializer,
        responses={
            201: OpenApiResponse(
                SaleSerializer, description=_("Sold; a retry of the same sale gets the same answer.")
            ),
            **error_responses(400, 401),
            403: _FORBIDDEN,
            409: OpenApiResponse(
                ERROR_SERIALIZER,
                description=_("duplicate_sale_id: the desk used this sale id for another sale."),
            ),
            422: _REFUSAL,
        },
        examples=[
            OpenApiExample(
                "A breakfast and a bun",
                value={
                    "sale_id": "desk-3-000451",
                    "card": "04A1B2C3D4",
                    "items": [{"item": 12}, {"item": 15, "quantity": 2}],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        sale = plain_sale(request.data)
        if sale is None:
            data = self.InputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            sale = (v["sale_id"], v["card"], [(line["item"], line["quantity"]) for line in v["items"]])
        sale_id, card, items = sale
        try:
            answer = services.sale_record(device=request.user, sale_id=sale_id, card_number=card, items=items)
        except Refused as refusal:
            services.refusal_record(device=request.user, sale_id=sale_id, card_number=card, code=refusal.code)
            return refusal_response(refusal)
        response = Response(sale_data(answer), status=status.HTTP_201_CREATED)
        if answer.replayed:
            response[REPLAYED] = "true"
        return response


# --- today's menu for a desk --------------------------------------------------------------------


class MenuItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    kind = serializers.CharField(help_text=_("complex or a_la_carte"))
    meal = serializers.CharField(allow_blank=True, help_text=_("breakfast, lunch, snack or empty"))
    price = serializers.IntegerField(help_text=_("Kopecks."))
    allergens = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "MealsMenuItem"


class MenuSerializer(serializers.Serializer[Any]):
    building = serializers.IntegerField()
    date = serializers.DateField()
    items = MenuItemSerializer(many=True)

    class Meta:
        ref_name = "MealsMenu"


class MenuApi(APIView):
    permission_classes = [HasScope(SALES_SCOPE)]

    class QuerySerializer(serializers.Serializer[Any]):
        date = DateField(required=False)

    @extend_schema(
        operation_id="meals_menu",
        tags=["meals"],
        parameters=[OpenApiParameter("date", str, description=_("YYYY-MM-DD; default today."))],
        responses={200: MenuSerializer, **error_responses(400, 401), 403: _FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or timezone.localdate()
        building_id = getattr(request.user, "building_id", None)
        if building_id is None:
            return refusal_response(
                Refused("device_not_placed", str(_("This cash desk belongs to no building.")), status=403)
            )
        rows = selectors.menu_of(building_id, day)
        return Response({"building": building_id, "date": day, "items": [row.__dict__ for row in rows]})


# --- a payment provider's callback ------------------------------------------------------------------


class PaymentSerializer(serializers.Serializer[Any]):
    payment = serializers.IntegerField(
        allow_null=True, help_text=_("Parta's id of the payment; null when not credited.")
    )
    payment_id = serializers.CharField()
    credited = serializers.BooleanField()
    amount = serializers.IntegerField()

    class Meta:
        ref_name = "MealsPayment"


class PaymentCallbackApi(IdempotentApi):
    permission_classes = [HasScope(CALLBACK_SCOPE), SignedBody]

    @extend_schema(
        operation_id="payments_callback",
        tags=["meals"],
        request=inline_serializer(
            name="PaymentCallback",
            fields={"body": serializers.JSONField(help_text=_("The provider's format: see docs/meals.md."))},
        ),
        parameters=[
            OpenApiParameter(
                "X-Parta-Signature",
                str,
                location=OpenApiParameter.HEADER,
                required=True,
                description=_("sha256=<HMAC-SHA256 of the body under the provider's signing secret, hex>"),
            )
        ],
        responses={
            200: OpenApiResponse(
                PaymentSerializer, description=_("Taken; a callback sent again gets the same answer.")
            ),
            **error_responses(400, 401, 404),
            403: _FORBIDDEN,
            409: OpenApiResponse(
                ERROR_SERIALIZER,
                description=_(
                    "duplicate_payment_id: this payment id came before with another amount or account."
                ),
            ),
            422: OpenApiResponse(
                ERROR_SERIALIZER, description=_("unknown_order, unknown_account or unsupported_currency.")
            ),
        },
        examples=[
            OpenApiExample(adapter.name, value=dict(adapter.example), request_only=True)
            for adapter in (
                providers.format_named(providers.PARTA),
                providers.format_named(providers.YOOKASSA),
            )
            if adapter is not None
        ],
    )
    def post(self, request: Request, provider: str) -> Response:
        adapter = providers.format_named(provider)
        if adapter is None:
            return Response(
                {"detail": str(_("No payment format has this name.")), "code": "unknown_provider"},
                status=status.HTTP_404_NOT_FOUND,
            )
        notice = adapter.parse(request.data)
        try:
            answer = services.payment_record(provider=request.user, adapter=adapter.name, notice=notice)
        except Refused as refusal:
            return refusal_response(refusal)
        response = Response(
            {
                "payment": answer.id,
                "payment_id": answer.payment_id,
                "credited": answer.credited,
                "amount": answer.amount,
            }
        )
        if answer.replayed:
            response[REPLAYED] = "true"
        return response
