"""HTTP API of the journal: the teacher's journals and lessons, writes of marks, attendance,
topics and period marks (each with the version it was based on: a stale one answers 409 with the
current row), a cell's history, and a family's absence notices.

Thin: every view parses its input, calls ``parta.journal.services`` or ``selectors`` and shapes the
answer. Access is decided there (404 for what is not yours, 403 for a journal you may only read).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.accounts.permissions import HasScope, IsPerson
from parta.core.api import DateField, IdField, ListApi, Row, cached_json, error_responses
from parta.core.idempotency import IdempotentApi
from parta.core.principals import is_machine
from parta.journal import selectors, services
from parta.journal.access import access_assignment
from parta.journal.models import Attendance, Scale
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


def _write_errors() -> dict[int, OpenApiResponse]:
    return {**error_responses(400, 401, 404), 403: _FORBIDDEN, 409: _CONFLICT}


class _JournalApi(APIView):
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
    value = serializers.IntegerField()
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


def _decimal(value: Decimal | None) -> str | None:
    """A decimal as the page's DecimalFields (two places) write it: «4.50»."""
    return None if value is None else f"{value.quantize(_CENTS):f}"


def _period(p: PeriodRef | None) -> Row | None:
    if p is None:
        return None
    return {"id": p.id, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on, "closed": p.closed}


def _form(f: ControlFormRef) -> Row:
    return {"id": f.id, "code": f.code, "name": f.name, "default_weight": f.default_weight}


def _mark(m: MarkCell) -> Row:
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


def _attendance(a: AttendanceCell | None) -> Row | None:
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


def _period_mark(p: PeriodMarkCell | None) -> Row | None:
    if p is None:
        return None
    return {"id": p.id, "period": p.period_id, "value": p.value, "display": p.display, "version": p.version}


def _topic(t: TopicOption | None) -> Row | None:
    return None if t is None else {"id": t.id, "code": t.code, "title": t.title, "in_plan": t.in_plan}


def _notice(n: NoticeRef) -> Row:
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


def _assignment(a: AssignmentRef) -> Row:
    return {
        "id": a.id,
        "subject": {"id": a.subject_id, "code": a.subject_code, "name": a.subject},
        "class_group": {"id": a.class_group_id, "name": a.class_group},
        "subgroup": a.subgroup_id,
        "group_name": a.group_name,
        "teacher": {"id": a.teacher_id, "short_name": a.teacher},
        "can_write": a.can_write,
    }


# --- journals ------------------------------------------------------------------------------


class JournalAssignmentListApi(ListApi):
    """The journals the user may open: their own teaching assignments first, then (for a class
    teacher or an administrator) the ones they may read."""

    @extend_schema(
        operation_id="journal_assignments_list",
        tags=["journal"],
        responses={200: AssignmentSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        refs = selectors.journal_assignments(request_user(request))
        data = [_assignment(ref) for ref in self.paginate(refs)]
        return self.paginated_response(AssignmentSerializer(data, many=True).data)


class JournalPageApi(APIView):
    """A journal: the lessons of a study period × the students, with every cell's marks and
    attendance, weighted averages, suggested and set period and year marks."""

    class FilterSerializer(serializers.Serializer[Any]):
        period = IdField(required=False, help_text=_("The study period (id); default: the current one."))

        class Meta:
            ref_name = "JournalPageFilter"

    class OutputSerializer(serializers.Serializer[Any]):
        class LessonSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            date = serializers.DateField()
            number = serializers.IntegerField()
            is_cancelled = serializers.BooleanField()
            topic = inline_serializer(
                name="JournalLessonTopic",
                fields={
                    "id": serializers.IntegerField(),
                    "code": serializers.CharField(),
                    "title": serializers.CharField(),
                },
                allow_null=True,
            )
            homework_count = serializers.IntegerField()

            class Meta:
                ref_name = "JournalLesson"

        class StudentSerializer(serializers.Serializer[Any]):
            class CellSerializer(serializers.Serializer[Any]):
                lesson = serializers.IntegerField()
                marks = MarkCellSerializer(many=True)
                attendance = AttendanceCellSerializer(allow_null=True)

                class Meta:
                    ref_name = "JournalCell"

            id = serializers.IntegerField()
            short_name = serializers.CharField()
            average = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
            suggested = serializers.IntegerField(allow_null=True)
            period_mark = PeriodMarkCellSerializer(allow_null=True)
            suggested_year = serializers.IntegerField(allow_null=True)
            year_mark = PeriodMarkCellSerializer(allow_null=True)
            cells = CellSerializer(many=True, help_text=_("Only the cells that hold something."))

            class Meta:
                ref_name = "JournalStudent"

        assignment = AssignmentSerializer()
        periods = PeriodSerializer(many=True)
        period = PeriodSerializer(allow_null=True)
        closed = serializers.BooleanField()
        can_write = serializers.BooleanField()
        scale = serializers.ChoiceField(choices=Scale.choices)
        round_up_from = serializers.DecimalField(max_digits=3, decimal_places=2)
        control_forms = ControlFormSerializer(many=True)
        lessons = LessonSerializer(many=True)
        students = StudentSerializer(many=True)

        class Meta:
            ref_name = "JournalPage"

    @extend_schema(
        operation_id="journal_assignments_retrieve",
        tags=["journal"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, assignment_id: int) -> HttpResponse:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user, period_id = request_user(request), filters.validated_data.get("period")
        assignment = access_assignment(user, assignment_id, display=False)
        return cached_json(
            selectors.journal_reading(user, assignment, period_id),
            # A miss reads the assignment again with all the page shows (one query, not four).
            lambda: self._data(selectors.journal_page(user, assignment_id, period_id)),
        )

    @staticmethod
    def _data(page: selectors.JournalPage) -> Row:
        students = []
        for s in page.students:
            cells = []
            for lesson in page.lessons:
                cell = page.cells.get((s.id, lesson.id))
                if cell is not None:
                    cells.append(
                        {
                            "lesson": lesson.id,
                            "marks": [_mark(m) for m in cell.marks],
                            "attendance": _attendance(cell.attendance),
                        }
                    )
            students.append(
                {
                    "id": s.id,
                    "short_name": s.short_name,
                    "average": _decimal(page.averages.get(s.id)),
                    "suggested": page.suggested.get(s.id),
                    "period_mark": _period_mark(page.period_marks.get(s.id)),
                    "suggested_year": page.suggested_year.get(s.id),
                    "year_mark": _period_mark(page.year_marks.get(s.id)),
                    "cells": cells,
                }
            )
        # Written as OutputSerializer would write it (tests pin that), without its cost.
        return {
            "assignment": _assignment(page.assignment),
            "periods": [_period(p) for p in page.periods],
            "period": _period(page.period),
            "closed": page.closed,
            "can_write": page.can_write,
            "scale": page.scale,
            "round_up_from": _decimal(page.round_up_from),
            "control_forms": [_form(f) for f in page.control_forms],
            "lessons": [
                {
                    "id": lesson.id,
                    "date": lesson.date,
                    "number": lesson.number,
                    "is_cancelled": lesson.is_cancelled,
                    "topic": {"id": lesson.topic_id, "code": lesson.topic_code, "title": lesson.topic}
                    if lesson.topic_id
                    else None,
                    "homework_count": lesson.homework_count,
                }
                for lesson in page.lessons
            ],
            "students": students,
        }


class LessonJournalApi(APIView):
    """One lesson's journal: its students with marks, attendance and active absence notices, the
    topic and the topics to pick from, the homework set at it."""

    class OutputSerializer(serializers.Serializer[Any]):
        class StudentSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            short_name = serializers.CharField()
            marks = MarkCellSerializer(many=True)
            attendance = AttendanceCellSerializer(allow_null=True)
            notice = NoticeSerializer(allow_null=True)

            class Meta:
                ref_name = "LessonJournalStudent"

        id = serializers.IntegerField()
        assignment = serializers.IntegerField()
        date = serializers.DateField()
        number = serializers.IntegerField()
        is_cancelled = serializers.BooleanField()
        subject = serializers.CharField()
        group_name = serializers.CharField()
        period = PeriodSerializer(allow_null=True)
        closed = serializers.BooleanField()
        can_write = serializers.BooleanField()
        scale = serializers.ChoiceField(choices=Scale.choices)
        topic = TopicOptionSerializer(allow_null=True)
        plan_topics = TopicOptionSerializer(many=True)
        framework_topics = TopicOptionSerializer(many=True)
        control_forms = ControlFormSerializer(many=True)
        homework = serializers.ListField(child=serializers.IntegerField(), help_text=_("Homework ids."))
        students = StudentSerializer(many=True)

        class Meta:
            ref_name = "LessonJournal"

    @extend_schema(
        operation_id="lessons_journal_retrieve",
        tags=["journal"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        page = selectors.lesson_page(request_user(request), lesson_id)
        data = {
            "id": page.id,
            "assignment": page.assignment_id,
            "date": page.date,
            "number": page.number,
            "is_cancelled": page.status == "cancelled",
            "subject": page.subject,
            "group_name": page.group_name,
            "period": _period(page.period),
            "closed": page.closed,
            "can_write": page.can_write,
            "scale": page.scale,
            "topic": _topic(page.topic),
            "plan_topics": [_topic(t) for t in page.plan_topics],
            "framework_topics": [_topic(t) for t in page.framework_topics],
            "control_forms": [_form(f) for f in page.control_forms],
            "homework": page.homework_ids,
            "students": [
                {
                    "id": s.id,
                    "short_name": s.short_name,
                    "marks": [_mark(m) for m in s.marks],
                    "attendance": _attendance(s.attendance),
                    "notice": _notice(s.notice) if s.notice else None,
                }
                for s in page.students
            ],
        }
        return Response(self.OutputSerializer(data).data)


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


class MarkCreateApi(IdempotentApi, _JournalApi):
    class InputSerializer(serializers.Serializer[Any]):
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
        responses={201: MarkSerializer, **_write_errors()},
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


class MarkDetailApi(_JournalApi):
    class UpdateSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=1, help_text=_("The version the change is based on."))
        value = _small_int(required=False, allow_null=True, help_text=_VALUE_HELP)
        control_form = IdField(required=False, allow_null=True)
        weight = _small_int(required=False)
        comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
        owed_until = DateField(required=False, allow_null=True)
        reason = _reason_field()

        class Meta:
            ref_name = "MarkUpdateInput"

    class DeleteSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=1, help_text=_("The version the deletion is based on."))
        reason = _reason_field()

        class Meta:
            ref_name = "MarkDeleteInput"

    @extend_schema(
        operation_id="marks_partial_update",
        tags=["journal"],
        request=UpdateSerializer,
        responses={200: MarkSerializer, **_write_errors()},
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
        responses={204: None, **_write_errors()},
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


class AttendanceApi(IdempotentApi, _JournalApi):
    # A PUT that may create the entry: a retry must not write a second change or event.
    idempotent_methods = frozenset({"PUT"})
    # A teacher, or a clinic's system or a turnstile with its scope (the service checks which
    # source each may set, and for which school's lessons).
    permission_classes = [IsPerson | HasScope("attendance:clinic") | HasScope("attendance:turnstile")]

    class InputSerializer(serializers.Serializer[Any]):
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
        responses={200: OutputSerializer, **_write_errors()},
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


class LessonTopicApi(_JournalApi):
    class InputSerializer(serializers.Serializer[Any]):
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
        responses={200: OutputSerializer, **_write_errors()},
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        lesson = services.lesson_topic_set(request_user(request), lesson_id, v["topic"], v.get("reason", ""))
        return Response(self.OutputSerializer({"topic": _topic(selectors.lesson_topic(lesson))}).data)


class PeriodMarkApi(IdempotentApi, _JournalApi):
    idempotent_methods = frozenset({"PUT"})

    class InputSerializer(serializers.Serializer[Any]):
        student = IdField()
        subject = IdField()
        class_group = IdField()
        period = IdField(allow_null=True, help_text=_("The study period (id); null for the year mark."))
        value = _small_int(allow_null=True, help_text=_("Null removes the mark."))
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
        responses={200: OutputSerializer, **_write_errors()},
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
            version=v.get("version"),
            reason=v.get("reason", ""),
        )
        row = services.period_mark_data(mark)
        return Response(self.OutputSerializer({"period_mark": row}).data)


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
        return Response(NoticeSerializer([_notice(n) for n in notices], many=True).data)

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
        out = {**_notice(notice), "excused_lessons": result.excused_lessons}
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
