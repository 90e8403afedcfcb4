"""``POST /api/v1/passage/events``: a turnstile reports its passages, one event or a batch
(``{"events": [...]}``, at most 1,000). Only a machine client with the scope ``passage:write``
calls it; a person's token is refused (403). docs/passage.md describes the contract."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from parta.accounts.permissions import HasScope
from parta.core.api import ERROR_SERIALIZER, error_responses
from parta.core.idempotency import IdempotentApi
from parta.passage.ingest import (
    MAX_BATCH,
    REJECTED,
    BatchRefused,
    DeviceNotPlaced,
    passages_record,
    read_body,
)
from parta.passage.models import PassageEvent


class EventSerializer(serializers.Serializer[Any]):
    """One passage, as the device saw it (documentation only: the events are checked by hand, a
    thousand at a time)."""

    event_id = serializers.CharField(
        max_length=64,
        help_text=gettext_lazy("The device's own id of the event; sending it again changes nothing."),
    )
    card = serializers.CharField(max_length=64, help_text=gettext_lazy("The number read from the card."))
    direction = serializers.ChoiceField(choices=PassageEvent.Direction.choices)
    occurred_at = serializers.DateTimeField(
        help_text=gettext_lazy(
            "When, by the device's clock, ISO 8601 (without an offset: the city's time). At most 5 minutes "
            "ahead of the server's clock, and at most 31 days old."
        )
    )
    device = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy("The device's id; if given, that of the credential that sends it."),
    )

    class Meta:
        ref_name = "PassageEventInput"


class BatchSerializer(serializers.Serializer[Any]):
    events = EventSerializer(many=True, help_text=gettext_lazy("1 to 1,000 events."))

    class Meta:
        ref_name = "PassageBatchInput"


# Inline, as the error shape is (parta.core.api): a field named "errors" would hide Serializer.errors.
OUTCOME = inline_serializer(
    name="PassageOutcome",
    fields={
        "event_id": serializers.CharField(allow_null=True),
        "status": serializers.ChoiceField(choices=["accepted", "rejected"]),
        "duplicate": serializers.BooleanField(
            required=False, help_text=gettext_lazy("Sent before: stored then, nothing changed now.")
        ),
        "card": serializers.ChoiceField(
            choices=PassageEvent.CardState.choices,
            required=False,
            help_text=gettext_lazy(
                "What the card was: unknown, blocked and other schools' cards are kept too."
            ),
        ),
        "code": serializers.CharField(
            required=False,
            help_text=gettext_lazy(
                "Why it was refused: invalid_event_id, invalid_card, invalid_direction, invalid_time, "
                "future_event, too_old, wrong_device."
            ),
        ),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
    },
)

BATCH_ANSWER = inline_serializer(
    name="PassageBatchOutcome",
    fields={
        "results": serializers.ListField(child=OUTCOME),
        "accepted": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "rejected": serializers.IntegerField(),
    },
)

_FORBIDDEN = OpenApiResponse(
    ERROR_SERIALIZER,
    description=gettext_lazy(
        "Not a turnstile's credential (permission_denied), or the turnstile stands in no building "
        "(device_not_placed)."
    ),
)


class PassageEventsApi(IdempotentApi):
    permission_classes = [HasScope("passage:write")]

    @extend_schema(
        operation_id="passage_events_create",
        tags=["passage"],
        summary="A turnstile's passages",
        description=str(
            gettext_lazy(
                'One event, or {"events": [...]} with 1 to 1,000. A batch answers 200 with a result '
                "per event in the same order; one event answers 200 with its result, or 400 with the "
                "code of its refusal. A request that cannot be read as a whole is a 400 (invalid_body, "
                "no_events, too_many_events, duplicate_event_id) and writes nothing."
            )
        ),
        request=BatchSerializer,
        responses={
            200: OpenApiResponse(BATCH_ANSWER, description=gettext_lazy("The result of each event.")),
            **error_responses(400, 401),
            403: _FORBIDDEN,
        },
        examples=[
            OpenApiExample(
                "batch",
                value={
                    "events": [
                        {
                            "event_id": "g1-000123",
                            "card": "7700123456",
                            "direction": "in",
                            "occurred_at": "2026-09-07T08:12:31+03:00",
                        }
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        try:
            raws, batch = read_body(request.data)
            outcomes = passages_record(request.user, raws)
        except BatchRefused as refusal:
            return Response(
                {"detail": refusal.message, "code": refusal.code, "errors": refusal.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DeviceNotPlaced:
            return Response(
                {
                    "detail": _("This turnstile stands in no building: the administrator places it first."),
                    "code": "device_not_placed",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        if not batch:
            outcome = outcomes[0]
            if outcome.status == REJECTED:
                message = next(iter(outcome.errors.values()))[0]
                return Response(
                    {
                        "detail": message,
                        "code": outcome.code,
                        "errors": outcome.errors,
                        "event_id": outcome.event_id,
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            return Response(outcome.as_json())
        results = [outcome.as_json() for outcome in outcomes]
        rejected = sum(1 for outcome in outcomes if outcome.status == REJECTED)
        duplicates = sum(1 for outcome in outcomes if outcome.duplicate)
        return Response(
            {
                "results": results,
                "accepted": len(outcomes) - rejected,
                "duplicates": duplicates,
                "rejected": rejected,
            }
        )


__all__ = ["MAX_BATCH", "PassageEventsApi"]
