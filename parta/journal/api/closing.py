"""Closing and reopening a study period or the academic year: the administrator's locks on the
journal (a later change needs a reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import FlatInputSerializer
from parta.journal import services
from parta.journal.api.common import write_errors
from parta.journal.services.common import MAX_REASON


class ClosedStateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    closed_at = serializers.DateTimeField(allow_null=True, help_text=_("Null: open."))

    class Meta:
        ref_name = "ClosedState"


class CloseInputSerializer(FlatInputSerializer):
    early = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Required true to close what has not ended yet; without it the answer is 400 naming the end date."
        ),
    )

    class Meta:
        ref_name = "CloseInput"


class ReopenInputSerializer(FlatInputSerializer):
    reason = serializers.CharField(
        max_length=MAX_REASON, help_text=_("Why it is reopened; kept in the history.")
    )

    class Meta:
        ref_name = "ReopenInput"


def _answer(request: Request, serializer: type[FlatInputSerializer], write: Callable[..., Any]) -> Response:
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    return Response(ClosedStateSerializer(write(request_user(request), **data.validated_data)).data)


def _schema(operation_id: str, request: type[FlatInputSerializer]) -> Callable[[Any], Any]:
    return extend_schema(
        operation_id=operation_id,
        tags=["journal"],
        request=request,
        responses={200: ClosedStateSerializer, **write_errors()},
    )


class StudyPeriodCloseApi(APIView):
    @_schema("study_periods_close", CloseInputSerializer)
    def post(self, request: Request, period_id: int) -> Response:
        """Close the study period: its journal locks (school administrators only)."""
        return _answer(
            request,
            CloseInputSerializer,
            lambda user, early: services.period_close(user, period_id, early=early),
        )


class StudyPeriodReopenApi(APIView):
    @_schema("study_periods_reopen", ReopenInputSerializer)
    def post(self, request: Request, period_id: int) -> Response:
        """Reopen a closed study period, with a reason (school administrators only)."""
        return _answer(
            request,
            ReopenInputSerializer,
            lambda user, reason: services.period_reopen(user, period_id, reason),
        )


class AcademicYearCloseApi(APIView):
    @_schema("academic_years_close", CloseInputSerializer)
    def post(self, request: Request, year_id: int) -> Response:
        """Close the academic year: its open study periods close and its year marks lock."""

        def close(user: Any, early: bool) -> Any:
            return services.year_close(user, year_id, early=early)

        return _answer(request, CloseInputSerializer, close)


class AcademicYearReopenApi(APIView):
    @_schema("academic_years_reopen", ReopenInputSerializer)
    def post(self, request: Request, year_id: int) -> Response:
        """Reopen a closed academic year, with a reason; its study periods stay closed."""

        def reopen(user: Any, reason: str) -> Any:
            return services.year_reopen(user, year_id, reason)

        return _answer(request, ReopenInputSerializer, reopen)
