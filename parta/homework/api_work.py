"""HTTP API of the students' work on homework: the student's own work (read, save a draft, hand
in, with files), one student's work for the teacher, and the teacher's check (checked or
returned, with a comment, and the homework mark put into the journal).

Thin: every endpoint calls ``selectors_work``, ``work`` or ``marking``, which reach their objects
through ``parta.homework.access`` (404 for anything not the user's) and raise ValidationError
(400, nothing written).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import Row, error_responses
from parta.core.idempotency import IdempotentApi
from parta.core.ids import MAX_ID
from parta.core.parsers import JSONParser
from parta.homework import marking, selectors_work, work
from parta.homework.access import access_work_to_check
from parta.homework.models import WorkStatus
from parta.homework.parts import WorkLine
from parta.homework.selectors_work import WorkDetail
from parta.schools.access import roles_of

WORK_STATUSES = [("", _("not started")), *WorkStatus.choices]


class WorkLineSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    detail = serializers.CharField()
    url = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "HomeworkWorkLine"


def work_lines_data(request: Request, lines: Iterable[WorkLine]) -> list[Row]:
    return [
        {
            "label": line.label,
            "detail": line.detail,
            "url": request.build_absolute_uri(line.url) if line.url else "",
        }
        for line in lines
    ]


class WorkSerializer(serializers.Serializer[Any]):
    homework_id = serializers.IntegerField()
    student_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=WORK_STATUSES)
    text = serializers.CharField(allow_blank=True, help_text=_("The answer as handed in or saved."))
    files = serializers.ListField(child=serializers.DictField(), help_text=_("id, name, size, url"))
    comment = serializers.CharField(allow_blank=True, help_text=_("The teacher's comment."))
    done_at = serializers.DateTimeField(allow_null=True, help_text=_("When it was last handed in."))
    checked_at = serializers.DateTimeField(allow_null=True)
    checked_by = serializers.CharField(allow_blank=True)
    mark = serializers.CharField(allow_blank=True, help_text=_("The homework mark in the journal."))
    lines = WorkLineSerializer(many=True, help_text=_("The tests of the homework and how they went."))
    history = serializers.ListField(child=serializers.DictField(), help_text=_("status, by, text, at"))

    class Meta:
        ref_name = "HomeworkWork"


def _work_data(request: Request, found: WorkDetail) -> Row:
    return {
        "homework_id": found.homework.pk,
        "student_id": found.student_id,
        "status": found.status,
        "text": found.text,
        "files": [
            {"id": f.id, "name": f.name, "size": f.size, "url": request.build_absolute_uri(f.url)}
            for f in found.files
        ],
        "comment": found.comment,
        "done_at": found.done_at,
        "checked_at": found.checked_at,
        "checked_by": found.checked_by,
        "mark": found.mark,
        "lines": work_lines_data(request, found.lines),
        "history": [{"status": e.status, "by": e.by, "text": e.text, "at": e.at} for e in found.history],
    }


class StudentQuery(serializers.Serializer[Any]):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class OwnWorkApi(APIView):
    """The student's work on homework given to them: GET for the student (``?student=``: a
    guardian's child); PUT by the student saves the answer (``hand_in``: true hands it in, false
    keeps a draft). Checked work is a 400 on ``status`` and stays as it is."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer[Any]):
        text = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False, default="")
        files = serializers.ListField(
            child=serializers.FileField(), required=False, help_text=_("Files to add.")
        )
        files_remove = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            help_text=_("Ids of handed-in files to remove."),
        )
        hand_in = serializers.BooleanField(help_text=_("true: hand it in; false: keep it as a draft."))

        class Meta:
            ref_name = "HomeworkWorkSave"

    @extend_schema(
        operation_id="homework_work_retrieve",
        tags=["homework"],
        parameters=[
            OpenApiParameter("student", int, description=_("A guardian's child (default: oneself)."))
        ],
        responses={200: WorkSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, homework_id: int) -> Response:
        query = StudentQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        student_id = query.validated_data.get("student") or roles_of(request.user).user_id or 0
        found = selectors_work.own_work(request.user, homework_id, student_id)
        return Response(WorkSerializer(_work_data(request, found)).data)

    @extend_schema(
        operation_id="homework_work_update",
        tags=["homework"],
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={200: WorkSerializer, **error_responses(400, 401, 404)},
    )
    def put(self, request: Request, homework_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = request_user(request)
        work.work_save(
            user,
            homework_id,
            text=data["text"],
            files_add=data.get("files", []),
            files_remove=data.get("files_remove", []),
            hand_in=data["hand_in"],
        )
        return Response(
            WorkSerializer(_work_data(request, selectors_work.own_work(user, homework_id, user.pk))).data
        )


class CheckWorkApi(IdempotentApi):
    """One student's work, for the teacher of the homework's lesson (GET); POST checks it:
    ``decision`` checked or returned (with a ``comment`` saying what to redo), and ``mark``, when
    given, is put into the journal as the homework mark (once per student and homework). All of
    it or nothing: a bad mark changes neither the status nor the journal. The POST honours
    ``Idempotency-Key`` (a retry would record the check and tell the family again)."""

    class InputSerializer(serializers.Serializer[Any]):
        decision = serializers.ChoiceField(choices=[WorkStatus.CHECKED, WorkStatus.RETURNED])
        comment = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False, default="")
        mark = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)

        class Meta:
            ref_name = "HomeworkWorkCheck"

    @extend_schema(
        operation_id="homework_work_check_retrieve",
        tags=["homework"],
        responses={200: WorkSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, homework_id: int, student_id: int) -> Response:
        found = selectors_work.work_to_check(request.user, homework_id, student_id)
        return Response(WorkSerializer(_work_data(request, found)).data)

    @extend_schema(
        operation_id="homework_work_check_create",
        tags=["homework"],
        request=InputSerializer,
        responses={200: WorkSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, homework_id: int, student_id: int) -> Response:
        access_work_to_check(request.user, homework_id, student_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = request_user(request)
        marking.work_check_with_mark(
            user,
            homework_id,
            student_id,
            decision=data["decision"],
            comment=data["comment"],
            mark=data.get("mark"),
        )
        found = selectors_work.work_to_check(user, homework_id, student_id)
        return Response(WorkSerializer(_work_data(request, found)).data)
