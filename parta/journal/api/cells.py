"""Writes of the journal's cells: marks, attendance, a lesson's topic, period marks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.response import Response

from parta.accounts.api import request_user
from parta.accounts.permissions import HasScope, IsPerson
from parta.core.api import DateField, FlatInputSerializer, IdField
from parta.core.idempotency import IdempotentApi
from parta.core.principals import is_machine
from parta.journal import selectors, services
from parta.journal.api.common import (
    AttendanceCellSerializer,
    JournalApi,
    PeriodMarkCellSerializer,
    TopicOptionSerializer,
    topic_row,
    write_errors,
)
from parta.journal.models import Attendance, Scale

# --- marks ---------------------------------------------------------------------------------


class MarkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    lesson = serializers.IntegerField()
    student = serializers.IntegerField()
    scale = serializers.ChoiceField(choices=Scale.choices)
    value = serializers.IntegerField(allow_null=True)
    display = serializers.CharField()
    weight = serializers.IntegerField()
    control_form = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    owed_until = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()

    class Meta:
        ref_name = "Mark"


_VALUE_HELP = _("The mark on the subject's scale; null for an owed mark (then owed_until is required).")
_REASON_HELP = _("Why: required for a change in a closed study period.")


def _reason_field() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=500, help_text=_REASON_HELP)


def _small_int(**kwargs: Any) -> serializers.IntegerField:
    # Any whole number passes here (the service says what the scale allows); only numbers that
    # would not fit the column are refused at once.
    return serializers.IntegerField(min_value=-32768, max_value=32767, **kwargs)


class MarkCreateApi(IdempotentApi, JournalApi):
    class InputSerializer(FlatInputSerializer):
        lesson = IdField()
        student = IdField()
        value = _small_int(allow_null=True, help_text=_VALUE_HELP)
        control_form = IdField(required=False, allow_null=True)
        weight = _small_int(required=False, help_text=_("1–10; default: the control form's weight."))
        comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
        owed_until = DateField(required=False, allow_null=True)
        reason = _reason_field()

        class Meta:
            ref_name = "MarkCreateInput"

    @extend_schema(
        operation_id="marks_create",
        tags=["journal"],
        request=InputSerializer,
        responses={201: MarkSerializer, **write_errors()},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        mark = services.mark_create(
            request_user(request),
            lesson_id=v["lesson"],
            student_id=v["student"],
            value=v["value"],
            control_form_id=v.get("control_form"),
            weight=v.get("weight"),
            comment=v.get("comment", ""),
            owed_until=v.get("owed_until"),
            reason=v.get("reason", ""),
        )
        return Response(services.mark_data(mark), status=status.HTTP_201_CREATED)


class MarkDetailApi(JournalApi):
    class UpdateSerializer(FlatInputSerializer):
        version = serializers.IntegerField(min_value=1, help_text=_("The version the change is based on."))
        value = _small_int(required=False, allow_null=True, help_text=_VALUE_HELP)
        control_form = IdField(required=False, allow_null=True)
        weight = _small_int(required=False)
        comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
        owed_until = DateField(required=False, allow_null=True)
        reason = _reason_field()

        class Meta:
            ref_name = "MarkUpdateInput"

    class DeleteSerializer(FlatInputSerializer):
        version = serializers.IntegerField(min_value=1, help_text=_("The version the deletion is based on."))
        reason = _reason_field()

        class Meta:
            ref_name = "MarkDeleteInput"

    @extend_schema(
        operation_id="marks_partial_update",
        tags=["journal"],
        request=UpdateSerializer,
        responses={200: MarkSerializer, **write_errors()},
    )
    def patch(self, request: Request, mark_id: int) -> Response:
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        changes: dict[str, Any] = {}
        for name, arg in (
            ("value", "value"),
            ("control_form", "control_form_id"),
            ("weight", "weight"),
            ("comment", "comment"),
            ("owed_until", "owed_until"),
        ):
            if name in v:
                changes[arg] = v[name]
        mark = services.mark_update(
            request_user(request), mark_id, version=v["version"], reason=v.get("reason", ""), **changes
        )
        return Response(services.mark_data(mark))

    @extend_schema(
        operation_id="marks_destroy",
        tags=["journal"],
        request=DeleteSerializer,
        parameters=[
            OpenApiParameter("version", int, description=_("The version (if not given in the body).")),
            OpenApiParameter("reason", str, description=_REASON_HELP),
        ],
        responses={204: None, **write_errors()},
    )
    def delete(self, request: Request, mark_id: int) -> Response:
        # Some clients cannot send a body with DELETE: the query string may carry it instead.
        source = request.data if request.data else request.query_params
        data = self.DeleteSerializer(data=source)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.mark_delete(request_user(request), mark_id, version=v["version"], reason=v.get("reason", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- attendance, topics, period marks ------------------------------------------------------


class AttendanceApi(IdempotentApi, JournalApi):
    # A PUT that may create the entry: a retry must not write a second change or event.
    idempotent_methods = frozenset({"PUT"})
    # A teacher, or a clinic's system or a turnstile with its scope (the service checks which
    # source each may set, and for which school's lessons).
    permission_classes = [IsPerson | HasScope("attendance:clinic") | HasScope("attendance:turnstile")]

    class InputSerializer(FlatInputSerializer):
        status = serializers.ChoiceField(
            choices=Attendance.Status.choices,
            allow_null=True,
            help_text=_("Null: present (the entry is removed)."),
        )
        reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
        version = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            help_text=_("The entry's version you saw; null: no entry."),
        )
        # Renamed to “source” in get_fields(), as in AttendanceCellSerializer.
        source_ = serializers.ChoiceField(
            choices=Attendance.Source.choices,
            required=False,
            help_text=_(
                "Who records it: “teacher” (default) for a person; a machine with the scope"
                " attendance:clinic or attendance:turnstile records “clinic” or “turnstile”."
            ),
        )

        class Meta:
            ref_name = "AttendanceInput"

        def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
            fields = super().get_fields()
            return {name.rstrip("_"): value for name, value in fields.items()}

    class OutputSerializer(serializers.Serializer[Any]):
        attendance = AttendanceCellSerializer(allow_null=True)

        class Meta:
            ref_name = "AttendanceOutput"

    @extend_schema(
        operation_id="lessons_attendance_update",
        tags=["journal"],
        request=InputSerializer,
        responses={200: OutputSerializer, **write_errors()},
    )
    def put(self, request: Request, lesson_id: int, student_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = services.attendance_set(
            # A machine principal (a clinic's system, a turnstile) writes here too.
            request.user if is_machine(request.user) else request_user(request),
            lesson_id=lesson_id,
            student_id=student_id,
            status=v["status"],
            reason=v.get("reason", ""),
            version=v.get("version"),
            source=v.get("source", Attendance.Source.TEACHER),
        )
        return Response(self.OutputSerializer({"attendance": services.attendance_data(entry)}).data)


class LessonTopicApi(JournalApi):
    class InputSerializer(FlatInputSerializer):
        topic = IdField(help_text=_("A framework topic of the lesson's subject (id)."))
        reason = _reason_field()

        class Meta:
            ref_name = "LessonTopicInput"

    class OutputSerializer(serializers.Serializer[Any]):
        topic = TopicOptionSerializer()

        class Meta:
            ref_name = "LessonTopicOutput"

    @extend_schema(
        operation_id="lessons_topic_update",
        tags=["journal"],
        request=InputSerializer,
        responses={200: OutputSerializer, **write_errors()},
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        lesson = services.lesson_topic_set(request_user(request), lesson_id, v["topic"], v.get("reason", ""))
        return Response(self.OutputSerializer({"topic": topic_row(selectors.lesson_topic(lesson))}).data)


class PeriodMarkApi(IdempotentApi, JournalApi):
    idempotent_methods = frozenset({"PUT"})

    class InputSerializer(FlatInputSerializer):
        student = IdField()
        subject = IdField()
        class_group = IdField()
        period = IdField(allow_null=True, help_text=_("The study period (id); null for the year mark."))
        value = _small_int(
            allow_null=True, help_text=_("On the subject's scale of period marks; null removes the mark.")
        )
        not_attested = serializers.BooleanField(
            required=False, default=False, help_text=_("«н/а» (with a null value): not attested.")
        )
        version = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            help_text=_("The mark's version you saw; null: no mark."),
        )
        reason = _reason_field()

        class Meta:
            ref_name = "PeriodMarkInput"

    class OutputSerializer(serializers.Serializer[Any]):
        period_mark = PeriodMarkCellSerializer(allow_null=True)

        class Meta:
            ref_name = "PeriodMarkOutput"

    @extend_schema(
        operation_id="period_marks_update",
        tags=["journal"],
        request=InputSerializer,
        responses={200: OutputSerializer, **write_errors()},
    )
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        mark = services.period_mark_set(
            request_user(request),
            student_id=v["student"],
            subject_id=v["subject"],
            class_group_id=v["class_group"],
            period_id=v["period"],
            value=v["value"],
            not_attested=v["not_attested"],
            version=v.get("version"),
            reason=v.get("reason", ""),
        )
        row = services.period_mark_data(mark)
        return Response(self.OutputSerializer({"period_mark": row}).data)
