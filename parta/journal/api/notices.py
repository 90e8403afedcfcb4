"""A cell's history, and a family's absence notices."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import DateField, error_responses
from parta.core.idempotency import IdempotentApi
from parta.journal import selectors, services
from parta.journal.api.common import (
    NoticeSerializer,
    notice_row,
)

# --- history -------------------------------------------------------------------------------


class HistoryRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = inline_serializer(
        name="JournalChangeActor",
        fields={
            "id": serializers.IntegerField(
                allow_null=True, help_text=_("Null for a machine (a clinic's system, a turnstile).")
            ),
            "short_name": serializers.CharField(help_text=_("A person's name, or the machine's principal.")),
        },
    )
    old = serializers.DictField(allow_null=True)
    new = serializers.DictField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "JournalChange"


class CellHistoryApi(APIView):
    """Every change of the student's marks and attendance at the lesson, newest first."""

    @extend_schema(
        operation_id="lessons_students_history_list",
        tags=["journal"],
        responses={200: HistoryRowSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, lesson_id: int, student_id: int) -> Response:
        rows = selectors.cell_history(request_user(request), lesson_id, student_id)
        data = [
            {
                "id": r.id,
                "kind": r.kind,
                "object_id": r.object_id,
                "at": r.at,
                "actor": {"id": r.actor_id, "short_name": r.actor},
                "old": r.old,
                "new": r.new,
                "reason": r.reason,
            }
            for r in rows
        ]
        return Response(HistoryRowSerializer(data, many=True).data)


# --- absence notices -----------------------------------------------------------------------


class AbsenceNoticeListApi(IdempotentApi):
    class InputSerializer(serializers.Serializer[Any]):
        starts_on = DateField()
        ends_on = DateField()
        reason = serializers.CharField(max_length=300)

        class Meta:
            ref_name = "AbsenceNoticeInput"

    class CreatedSerializer(NoticeSerializer):
        excused_lessons = serializers.IntegerField(help_text=_("How many lessons the notice excused."))

        class Meta:
            ref_name = "AbsenceNoticeCreated"

    @extend_schema(
        operation_id="students_absence_notices_list",
        tags=["journal"],
        responses={200: NoticeSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, student_id: int) -> Response:
        notices = selectors.absence_notices_for_student(request_user(request), student_id)
        return Response(NoticeSerializer([notice_row(n) for n in notices], many=True).data)

    @extend_schema(
        operation_id="students_absence_notices_create",
        tags=["journal"],
        request=InputSerializer,
        responses={201: CreatedSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, student_id: int) -> Response:
        user = request_user(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = services.absence_notice_create(
            user, student_id=student_id, starts_on=v["starts_on"], ends_on=v["ends_on"], reason=v["reason"]
        )
        notice = next(
            n for n in selectors.absence_notices_for_student(user, student_id) if n.id == result.notice.pk
        )
        out = {**notice_row(notice), "excused_lessons": result.excused_lessons}
        return Response(self.CreatedSerializer(out).data, status=status.HTTP_201_CREATED)


class AbsenceNoticeWithdrawApi(APIView):
    @extend_schema(
        operation_id="absence_notices_withdraw",
        tags=["journal"],
        request=None,
        responses={204: None, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, notice_id: int) -> Response:
        services.absence_notice_withdraw(request_user(request), notice_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
