"""A lesson's remarks and praise: listed and written by the lesson's teachers, withdrawn."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from parta.accounts.api import request_user
from parta.core.api import FlatInputSerializer, IdField, error_responses
from parta.core.idempotency import IdempotentApi
from parta.journal import selectors, services
from parta.journal.api.cells import _REASON_HELP, _reason_field
from parta.journal.api.common import JournalApi, write_errors
from parta.journal.models import Remark
from parta.journal.selectors import RemarkRow


class RemarkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    lesson = serializers.IntegerField()
    student = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=Remark.Kind.choices)
    text = serializers.CharField()
    author = inline_serializer(
        name="RemarkAuthor",
        fields={"id": serializers.IntegerField(), "short_name": serializers.CharField()},
    )
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Remark"


def remark_row(row: RemarkRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "lesson": row.lesson_id,
        "student": row.student_id,
        "date": row.date,
        "kind": row.kind,
        "text": row.text,
        "author": {"id": row.author_id, "short_name": row.author},
        "created_at": row.created_at,
    }


class LessonRemarksApi(IdempotentApi, JournalApi):
    class InputSerializer(FlatInputSerializer):
        student = IdField()
        kind = serializers.ChoiceField(choices=Remark.Kind.choices)
        text = serializers.CharField(max_length=services.MAX_REMARK)
        reason = _reason_field()

        class Meta:
            ref_name = "RemarkInput"

    @extend_schema(
        operation_id="lessons_remarks_list",
        tags=["journal"],
        responses={200: RemarkSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        rows = selectors.lesson_remarks(request_user(request), lesson_id)
        return Response(RemarkSerializer([remark_row(r) for r in rows], many=True).data)

    @extend_schema(
        operation_id="lessons_remarks_create",
        tags=["journal"],
        request=InputSerializer,
        responses={201: RemarkSerializer, **write_errors()},
    )
    def post(self, request: Request, lesson_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        remark = services.remark_create(
            request_user(request),
            lesson_id=lesson_id,
            student_id=v["student"],
            kind=v["kind"],
            text=v["text"],
            reason=v.get("reason", ""),
        )
        return Response(RemarkSerializer(services.remark_data(remark)).data, status=status.HTTP_201_CREATED)


class RemarkDetailApi(JournalApi):
    class WithdrawSerializer(FlatInputSerializer):
        reason = _reason_field()

        class Meta:
            ref_name = "RemarkWithdrawInput"

    @extend_schema(
        operation_id="remarks_destroy",
        tags=["journal"],
        request=WithdrawSerializer,
        parameters=[OpenApiParameter("reason", str, description=_REASON_HELP)],
        responses={204: None, **write_errors()},
    )
    def delete(self, request: Request, remark_id: int) -> Response:
        # Some clients cannot send a body with DELETE: the query string may carry it instead.
        source = request.data if request.data else request.query_params
        data = self.WithdrawSerializer(data=source)
        data.is_valid(raise_exception=True)
        reason = data.validated_data.get("reason", "")
        services.remark_withdraw(request_user(request), remark_id, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)
