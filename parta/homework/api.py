"""HTTP API of homework: a student's homework (and the tick), setting homework at a lesson,
changing and deleting it, and where each student's work stands (the work itself: ``api_work``).

Thin: every endpoint calls a selector or a service, which reach their objects through
``parta.homework.access`` (404 for anything not the user's) and raise ValidationError (400).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.fields import Field
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import DateField, FormListSerializer, ListApi, Row, SubjectRefSerializer, error_responses
from parta.core.idempotency import IdempotentApi
from parta.core.parsers import JSONParser
from parta.homework import selectors, selectors_work, services, work
from parta.homework.access import access_homework, access_lesson_for_homework
from parta.homework.api_work import WORK_STATUSES, WorkLineSerializer, work_lines_data
from parta.homework.selectors import FileRow, GivenMaterial, HomeworkRow, LessonHomework, LinkRow
from parta.schools.access import access_person

MAX_RANGE_DAYS = 366


class LinkSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=services.MAX_URL_LENGTH)
    title = serializers.CharField(
        max_length=services.MAX_TITLE_LENGTH, allow_blank=True, required=False, default=""
    )

    class Meta:
        ref_name = "HomeworkLink"
        list_serializer_class = FormListSerializer


class FileSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text=_("Download address (needs the same credentials)."))

    class Meta:
        ref_name = "HomeworkFile"


class MaterialSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text=_("The material's type (the library's codes)."))
    url = serializers.CharField(help_text=_("The material's page in the library."))
    open_url = serializers.CharField(
        help_text=_("Where the student it is given to opens it for this homework (a test: to take it).")
    )

    class Meta:
        ref_name = "HomeworkMaterial"


def _materials(request: Request, materials: tuple[GivenMaterial, ...]) -> list[Row]:
    return [
        {
            "id": m.id,
            "title": m.title,
            "kind": m.kind,
            "url": request.build_absolute_uri(m.url),
            "open_url": request.build_absolute_uri(m.open_url),
        }
        for m in materials
    ]


def _links(links: tuple[LinkRow, ...]) -> list[Row]:
    return [{"url": link.url, "title": link.title} for link in links]


def _files(request: Request, files: tuple[FileRow, ...]) -> list[Row]:
    return [
        {"id": file.id, "name": file.name, "size": file.size, "url": request.build_absolute_uri(file.url)}
        for file in files
    ]


class StudentHomeworkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    lesson_id = serializers.IntegerField(help_text=_("The lesson the homework was set at."))
    lesson_date = serializers.DateField()
    subject = SubjectRefSerializer()
    text = serializers.CharField()
    due_on = serializers.DateField()
    due_lesson_id = serializers.IntegerField(allow_null=True)
    links = LinkSerializer(many=True)
    files = FileSerializer(many=True)
    materials = MaterialSerializer(many=True, help_text=_("Library materials given with it."))
    minutes = serializers.IntegerField(allow_null=True, help_text=_("The time it should take, in minutes."))
    status = serializers.ChoiceField(
        choices=WORK_STATUSES,
        help_text=_("The student's work: not started (empty), in progress, handed in, checked, returned."),
    )
    done = serializers.BooleanField(help_text=_("Handed in or checked (the student's tick)."))
    done_at = serializers.DateTimeField(allow_null=True, help_text=_("When it was last handed in."))
    comment = serializers.CharField(help_text=_("The teacher's comment on the work."))

    class Meta:
        ref_name = "StudentHomework"


def student_homework_data(request: Request, row: HomeworkRow) -> Row:
    return {
        "id": row.id,
        "lesson_id": row.lesson_id,
        "lesson_date": row.lesson_date,
        "subject": {"code": row.subject_code, "name": row.subject},
        "text": row.text,
        "due_on": row.due_on,
        "due_lesson_id": row.due_lesson_id,
        "links": _links(row.links),
        "files": _files(request, row.files),
        "materials": _materials(request, row.materials),
        "minutes": row.minutes,
        "status": row.status,
        "done": row.done,
        "done_at": row.done_at,
        "comment": row.comment,
    }


class LessonHomeworkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    lesson_id = serializers.IntegerField()
    text = serializers.CharField()
    due_on = serializers.DateField()
    due_lesson_id = serializers.IntegerField(allow_null=True)
    links = LinkSerializer(many=True)
    files = FileSerializer(many=True)
    materials = MaterialSerializer(many=True, help_text=_("Library materials given with it."))
    minutes = serializers.IntegerField(allow_null=True, help_text=_("The time it should take, in minutes."))
    chosen = serializers.BooleanField(help_text=_("Set for chosen students of the group only."))
    done_count = serializers.IntegerField(help_text=_("Students whose work is handed in or checked."))
    class_size = serializers.IntegerField(help_text=_("Students it is set for."))

    class Meta:
        ref_name = "LessonHomework"


def lesson_homework_data(request: Request, item: LessonHomework) -> Row:
    return {
        "id": item.id,
        "lesson_id": item.lesson_id,
        "text": item.text,
        "due_on": item.due_on,
        "due_lesson_id": item.due_lesson_id,
        "links": _links(item.links),
        "files": _files(request, item.files),
        "materials": _materials(request, item.materials),
        "minutes": item.minutes,
        "chosen": item.chosen,
        "done_count": item.done_count,
        "class_size": item.class_size,
    }


def _lesson_homework(request: Request, lesson_id: int, homework_id: int) -> Row:
    items = selectors.homework_for_lessons([lesson_id]).get(lesson_id, [])
    return lesson_homework_data(request, next(item for item in items if item.id == homework_id))


# --- a student's homework ----------------------------------------------------------------


class StudentHomeworkApi(ListApi):
    """A student's homework by due date: all, still to do, or done; for the student, their
    guardians and the staff who may read it. Dates filter the due date (both optional)."""

    class FilterSerializer(serializers.Serializer[Any]):
        from_ = DateField(required=False, help_text=_("First due day, YYYY-MM-DD."))
        to = DateField(required=False, help_text=_("Last due day, YYYY-MM-DD (inclusive)."))
        status = serializers.ChoiceField(choices=list(selectors.STATUSES), required=False, default="all")

        class Meta:
            ref_name = "HomeworkFilter"

        def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
            fields = super().get_fields()
            fields["from"] = fields.pop("from_")
            return fields

        def validate(self, attrs: Row) -> Row:
            start, end = attrs.get("from"), attrs.get("to")
            if start and end:
                if end < start:
                    raise serializers.ValidationError({"to": [_("“to” must not be before “from”.")]})
                if (end - start).days + 1 > MAX_RANGE_DAYS:
                    raise serializers.ValidationError(
                        {"to": [_("Ask for at most %(days)d days at once.") % {"days": MAX_RANGE_DAYS}]}
                    )
            return attrs

    @extend_schema(
        operation_id="students_homework_list",
        tags=["homework"],
        parameters=[FilterSerializer],
        responses={200: StudentHomeworkSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, student_id: int) -> Response:
        # Access first, before the filters: a stranger gets 404 whatever the query string.
        access_person(request.user, student_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        rows = selectors.homework_list(
            request.user,
            student_id,
            status=params.get("status", "all"),
            date_from=params.get("from"),
            date_to=params.get("to"),
        )
        data = [student_homework_data(request, row) for row in self.paginate(rows)]
        return self.paginated_response(StudentHomeworkSerializer(data, many=True).data)


class HomeworkDoneApi(APIView):
    """The student's tick: POST ticks the homework done, DELETE takes the tick back. Both are
    idempotent; only the student may tick (anyone else gets 404)."""

    class OutputSerializer(serializers.Serializer[Any]):
        homework_id = serializers.IntegerField()
        done = serializers.BooleanField()
        done_at = serializers.DateTimeField(allow_null=True)

        class Meta:
            ref_name = "HomeworkDone"

    @extend_schema(
        operation_id="homework_done_create",
        tags=["homework"],
        request=None,
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def post(self, request: Request, homework_id: int) -> Response:
        tick = work.homework_done(request_user(request), homework_id)
        return Response(
            self.OutputSerializer({"homework_id": homework_id, "done": True, "done_at": tick.done_at}).data
        )

    @extend_schema(
        operation_id="homework_done_destroy",
        tags=["homework"],
        request=None,
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request: Request, homework_id: int) -> Response:
        work.homework_undone(request_user(request), homework_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- writing homework --------------------------------------------------------------------


# JSON for text, date and links; multipart to upload files (links then cannot be nested).
WRITE_PARSERS = [JSONParser, MultiPartParser, FormParser]


class LessonHomeworkApi(IdempotentApi):
    """Set homework at a lesson the teacher teaches. Without ``due_on`` it is due at the group's
    next lesson of the subject; if the timetable has none, ``due_on`` is required (400)."""

    parser_classes = WRITE_PARSERS

    class InputSerializer(serializers.Serializer[Any]):
        text = serializers.CharField(allow_blank=True, trim_whitespace=False)
        due_on = DateField(required=False, allow_null=True)
        links = LinkSerializer(many=True, required=False)
        files = serializers.ListField(child=serializers.FileField(), required=False)
        materials = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            help_text=_("Ids of library materials the teacher may open, given to the class with it."),
        )
        minutes = serializers.IntegerField(
            required=False, allow_null=True, help_text=_("The time it should take, in minutes.")
        )
        students = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            help_text=_("Ids of chosen students of the lesson's group; none: the whole group."),
        )

        class Meta:
            ref_name = "HomeworkCreate"

    @extend_schema(
        operation_id="lessons_homework_create",
        tags=["homework"],
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={201: LessonHomeworkSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, lesson_id: int) -> Response:
        access_lesson_for_homework(request.user, lesson_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        homework = services.homework_set(
            request_user(request),
            lesson_id=lesson_id,
            text=data["text"],
            due_on=data.get("due_on"),
            links=[(link["url"], link.get("title", "")) for link in data.get("links", [])],
            files=data.get("files", []),
            materials=data.get("materials", []),
            minutes=data.get("minutes"),
            students=data.get("students", []),
        )
        return Response(
            LessonHomeworkSerializer(_lesson_homework(request, lesson_id, homework.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class HomeworkApi(APIView):
    """Change (PATCH: only the fields given; ``links`` replaces all links) or delete homework
    set at a lesson the teacher teaches."""

    parser_classes = WRITE_PARSERS

    class InputSerializer(serializers.Serializer[Any]):
        text = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
        due_on = DateField(
            required=False, allow_null=True, help_text=_("null: the next lesson of the subject.")
        )
        links = LinkSerializer(many=True, required=False)
        files = serializers.ListField(
            child=serializers.FileField(), required=False, help_text=_("Files to add.")
        )
        files_remove = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            help_text=_("Ids of files to remove."),
        )
        materials = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            help_text=_("Ids of library materials: they replace those given with it."),
        )
        minutes = serializers.IntegerField(
            required=False, allow_null=True, help_text=_("The time it should take, in minutes.")
        )
        students = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            help_text=_("Ids of chosen students: they replace the chosen ones; empty: the whole group."),
        )

        class Meta:
            ref_name = "HomeworkUpdate"

    @extend_schema(
        operation_id="homework_partial_update",
        tags=["homework"],
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={200: LessonHomeworkSerializer, **error_responses(400, 401, 404)},
    )
    def patch(self, request: Request, homework_id: int) -> Response:
        homework = access_homework(request.user, homework_id, for_write=True)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "links" in data:
            links = [(link["url"], link.get("title", "")) for link in data["links"]]
        else:
            current = selectors.homework_for_lessons([homework.lesson_id]).get(homework.lesson_id, [])
            [item] = [item for item in current if item.id == homework.pk]
            links = [(link.url, link.title) for link in item.links]
        due_on: dt.date | None = data.get("due_on", homework.due_on)
        services.homework_update(
            request_user(request),
            homework.pk,
            text=data.get("text", homework.text),
            due_on=due_on,
            links=links,
            files_add=data.get("files", []),
            files_remove=data.get("files_remove", []),
            materials=data.get("materials"),
            minutes=data.get("minutes", homework.minutes),
            students=data.get("students"),
        )
        return Response(
            LessonHomeworkSerializer(_lesson_homework(request, homework.lesson_id, homework.pk)).data
        )

    @extend_schema(
        operation_id="homework_destroy",
        tags=["homework"],
        request=None,
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request: Request, homework_id: int) -> Response:
        services.homework_delete(request_user(request), homework_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HomeworkCompletionApi(APIView):
    """Where each student the homework is for stands: the status of their work, when handed in,
    the homework mark in the journal and the other apps' lines (a test's latest attempt). For its
    teacher, the class teacher and the school's administrators (families get 404)."""

    class OutputSerializer(serializers.Serializer[Any]):
        class StudentSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            short_name = serializers.CharField()
            status = serializers.ChoiceField(choices=WORK_STATUSES)
            done = serializers.BooleanField()
            done_at = serializers.DateTimeField(allow_null=True)
            checked_at = serializers.DateTimeField(allow_null=True)
            mark = serializers.CharField(help_text=_("The homework mark in the journal, empty for none."))
            lines = WorkLineSerializer(many=True)

            class Meta:
                ref_name = "HomeworkCompletionStudent"

        homework = LessonHomeworkSerializer()
        done_count = serializers.IntegerField()
        students = StudentSerializer(many=True)

        class Meta:
            ref_name = "HomeworkCompletion"

    @extend_schema(
        operation_id="homework_completion_retrieve",
        tags=["homework"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, homework_id: int) -> Response:
        completion = selectors_work.homework_completion(request.user, homework_id)
        data = {
            "homework": lesson_homework_data(request, completion.homework),
            "done_count": completion.done_count,
            "students": [
                {
                    "id": s.student_id,
                    "short_name": s.name,
                    "status": s.status,
                    "done": s.done,
                    "done_at": s.done_at,
                    "checked_at": s.checked_at,
                    "mark": s.mark,
                    "lines": work_lines_data(request, s.lines),
                }
                for s in completion.students
            ],
        }
        return Response(self.OutputSerializer(data).data)
