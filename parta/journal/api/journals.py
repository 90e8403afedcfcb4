"""The teacher's journals: the list, a journal page (an assignment's grid), a lesson's journal."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import IdField, ListApi, Row, cached_json, error_responses
from parta.journal import selectors
from parta.journal.access import access_assignment
from parta.journal.api.common import (
    AssignmentSerializer,
    AttendanceCellSerializer,
    ControlFormSerializer,
    MarkCellSerializer,
    NoticeSerializer,
    PeriodMarkCellSerializer,
    PeriodSerializer,
    TopicOptionSerializer,
    assignment_row,
    attendance_row,
    decimal_text,
    form_row,
    mark_row,
    notice_row,
    period_mark_row,
    period_row,
    topic_row,
)
from parta.journal.models import Scale

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
        data = [assignment_row(ref) for ref in self.paginate(refs)]
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
            in_class_since = serializers.DateField(
                allow_null=True, help_text=_("The day the student joined the class; null: the year's start.")
            )
            left_on = serializers.DateField(
                allow_null=True,
                help_text=_(
                    "The day the student left the class (moved or left the school): their row stays "
                    "for the periods they were in; null: still in the class."
                ),
            )
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
                            "marks": [mark_row(m) for m in cell.marks],
                            "attendance": attendance_row(cell.attendance),
                        }
                    )
            students.append(
                {
                    "id": s.id,
                    "short_name": s.short_name,
                    "in_class_since": s.since,
                    "left_on": s.left_on,
                    "average": decimal_text(page.averages.get(s.id)),
                    "suggested": page.suggested.get(s.id),
                    "period_mark": period_mark_row(page.period_marks.get(s.id)),
                    "suggested_year": page.suggested_year.get(s.id),
                    "year_mark": period_mark_row(page.year_marks.get(s.id)),
                    "cells": cells,
                }
            )
        # Written as OutputSerializer would write it (tests pin that), without its cost.
        return {
            "assignment": assignment_row(page.assignment),
            "periods": [period_row(p) for p in page.periods],
            "period": period_row(page.period),
            "closed": page.closed,
            "can_write": page.can_write,
            "scale": page.scale,
            "round_up_from": decimal_text(page.round_up_from),
            "control_forms": [form_row(f) for f in page.control_forms],
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
            "period": period_row(page.period),
            "closed": page.closed,
            "can_write": page.can_write,
            "scale": page.scale,
            "topic": topic_row(page.topic),
            "plan_topics": [topic_row(t) for t in page.plan_topics],
            "framework_topics": [topic_row(t) for t in page.framework_topics],
            "control_forms": [form_row(f) for f in page.control_forms],
            "homework": page.homework_ids,
            "students": [
                {
                    "id": s.id,
                    "short_name": s.short_name,
                    "marks": [mark_row(m) for m in s.marks],
                    "attendance": attendance_row(s.attendance),
                    "notice": notice_row(s.notice) if s.notice else None,
                }
                for s in page.students
            ],
        }
        return Response(self.OutputSerializer(data).data)
