"""What the journal's API views share: the 409 for a stale write, the cells' serializers and rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.fields import Field
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.core.api import Row, error_responses
from parta.journal.models import Attendance
from parta.journal.selectors import (
    AssignmentRef,
    AttendanceCell,
    ControlFormRef,
    MarkCell,
    NoticeRef,
    PeriodMarkCell,
    PeriodRef,
    TopicOption,
)
from parta.journal.services import StaleVersion

# --- shared --------------------------------------------------------------------------------

_FORBIDDEN = OpenApiResponse(
    inline_serializer(name="JournalForbidden", fields={"detail": serializers.CharField()}),
    description=_("You may read this journal but not write it."),
)
_CONFLICT = OpenApiResponse(
    inline_serializer(
        name="StaleVersion",
        fields={
            "detail": serializers.CharField(),
            "current": serializers.DictField(
                allow_null=True, help_text=_("The row as it is now (null: it has been deleted).")
            ),
        },
    ),
    description=_("The write was based on an older version: nothing was changed; here is the current row."),
)


def write_errors() -> dict[int, OpenApiResponse]:
    return {**error_responses(400, 401, 404), 403: _FORBIDDEN, 409: _CONFLICT}


class JournalApi(APIView):
    """Answers a stale write with 409 and the current row."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, StaleVersion):
            return Response(
                {
                    "detail": gettext("Someone changed this entry meanwhile: look at it again and retry."),
                    "current": exc.current,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return super().handle_exception(exc)


class PeriodSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    closed = serializers.BooleanField()

    class Meta:
        ref_name = "JournalPeriod"


class ControlFormSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    default_weight = serializers.IntegerField()

    class Meta:
        ref_name = "ControlForm"


class MarkCellSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    value = serializers.IntegerField(allow_null=True, help_text=_("Null for an owed mark."))
    display = serializers.CharField()
    weight = serializers.IntegerField()
    control_form = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    owed_until = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()

    class Meta:
        ref_name = "JournalMarkCell"


class AttendanceCellSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    reason = serializers.CharField(allow_blank=True)
    # “source” is an attribute of every serializer field: declared as source_, renamed in get_fields().
    source_ = serializers.ChoiceField(
        choices=Attendance.Source.choices, help_text=_("Who recorded it: the teacher, a parent's notice…")
    )
    notice = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()

    class Meta:
        ref_name = "JournalAttendanceCell"

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        return {name.rstrip("_"): value for name, value in fields.items()}


class PeriodMarkCellSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    period = serializers.IntegerField(allow_null=True, help_text=_("Null for the year mark."))
    value = serializers.IntegerField(allow_null=True, help_text=_("Null when not attested."))
    not_attested = serializers.BooleanField(help_text=_("«н/а»: the student could not be assessed."))
    display = serializers.CharField()
    version = serializers.IntegerField()

    class Meta:
        ref_name = "JournalPeriodMarkCell"


class TopicOptionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    in_plan = serializers.BooleanField()

    class Meta:
        ref_name = "JournalTopicOption"


class NoticeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    student = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField()
    reported_by = inline_serializer(
        name="NoticeReporter",
        fields={"id": serializers.IntegerField(), "short_name": serializers.CharField()},
    )
    created_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "AbsenceNotice"


class AssignmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    subject = inline_serializer(
        name="JournalSubject",
        fields={
            "id": serializers.IntegerField(),
            "code": serializers.CharField(),
            "name": serializers.CharField(),
        },
    )
    class_group = inline_serializer(
        name="JournalClassGroup", fields={"id": serializers.IntegerField(), "name": serializers.CharField()}
    )
    subgroup = serializers.IntegerField(allow_null=True)
    group_name = serializers.CharField()
    teacher = inline_serializer(
        name="JournalTeacher",
        fields={"id": serializers.IntegerField(), "short_name": serializers.CharField()},
    )
    can_write = serializers.BooleanField()

    class Meta:
        ref_name = "JournalAssignment"


_CENTS = Decimal("0.01")


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as the page's DecimalFields (two places) write it: «4.50»."""
    return None if value is None else f"{value.quantize(_CENTS):f}"


def period_row(p: PeriodRef | None) -> Row | None:
    if p is None:
        return None
    return {"id": p.id, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on, "closed": p.closed}


def form_row(f: ControlFormRef) -> Row:
    return {"id": f.id, "code": f.code, "name": f.name, "default_weight": f.default_weight}


def mark_row(m: MarkCell) -> Row:
    return {
        "id": m.id,
        "value": m.value,
        "display": m.display,
        "weight": m.weight,
        "control_form": m.control_form_id,
        "comment": m.comment,
        "owed_until": m.owed_until,
        "version": m.version,
    }


def attendance_row(a: AttendanceCell | None) -> Row | None:
    if a is None:
        return None
    return {
        "id": a.id,
        "status": a.status,
        "reason": a.reason,
        "source": a.source,
        "notice": a.notice_id,
        "version": a.version,
    }


def period_mark_row(p: PeriodMarkCell | None) -> Row | None:
    if p is None:
        return None
    return {
        "id": p.id,
        "period": p.period_id,
        "value": p.value,
        "not_attested": p.not_attested,
        "display": p.display,
        "version": p.version,
    }


def topic_row(t: TopicOption | None) -> Row | None:
    return None if t is None else {"id": t.id, "code": t.code, "title": t.title, "in_plan": t.in_plan}


def notice_row(n: NoticeRef) -> Row:
    return {
        "id": n.id,
        "student": n.student_id,
        "starts_on": n.starts_on,
        "ends_on": n.ends_on,
        "reason": n.reason,
        "reported_by": {"id": n.reported_by_id, "short_name": n.reported_by},
        "created_at": n.created_at,
        "withdrawn_at": n.withdrawn_at,
    }


def assignment_row(a: AssignmentRef) -> Row:
    return {
        "id": a.id,
        "subject": {"id": a.subject_id, "code": a.subject_code, "name": a.subject},
        "class_group": {"id": a.class_group_id, "name": a.class_group},
        "subgroup": a.subgroup_id,
        "group_name": a.group_name,
        "teacher": {"id": a.teacher_id, "short_name": a.teacher},
        "can_write": a.can_write,
    }
