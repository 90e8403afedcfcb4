"""HTTP API of tests: start or resume an attempt, save answers, submit, read an attempt and its
statements, list a student's attempts at a test, and check an answer.

Thin: every endpoint calls a selector or a service, which reach their objects through
``parta.assessment.access`` (404 for anything not the user's) and raise ValidationError (400) or
``Refused`` (409).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.fields import Field
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.assessment import selectors, services
from parta.assessment.access import access_attempt, access_test
from parta.assessment.models import Attempt, Mode
from parta.core.api import error_responses
from parta.core.idempotency import IdempotentApi
from parta.core.ids import MAX_ID
from parta.schools.access import roles_of

_REFUSED = OpenApiResponse(
    inline_serializer(
        name="AttemptRefused",
        fields={
            "detail": serializers.CharField(),
            "current": serializers.DictField(
                required=False,
                allow_null=True,
                help_text=_("The saved answer, when another tab saved it first."),
            ),
        },
    ),
    description=_("The attempt's state forbids it (submitted, time up, no attempts left): nothing changed."),
)


class AttemptWrites(APIView):
    """Answers ``Refused`` with 409, its reason and the row as it is now."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.Refused):
            body: dict[str, Any] = {"detail": exc.detail}
            if exc.current is not None:
                body["current"] = exc.current
            return Response(body, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


def _errors(*codes: int) -> dict[int, Any]:
    return {
        **error_responses(*[code for code in codes if code != 409]),
        **({409: _REFUSED} if 409 in codes else {}),
    }


class ScoreSerializer(serializers.Serializer[Any]):
    points = serializers.DecimalField(max_digits=7, decimal_places=2)
    max_points = serializers.IntegerField()
    waiting = serializers.IntegerField(help_text=_("Answers a teacher has yet to check."))

    class Meta:
        ref_name = "AttemptScore"


class AttemptFieldsSerializer(serializers.Serializer[Any]):
    """What an attempt shows in a list and on its own."""

    id = serializers.IntegerField()
    homework = serializers.IntegerField(allow_null=True)
    student = serializers.IntegerField()
    number = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    state = serializers.ChoiceField(choices=Attempt.State.choices)
    started_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    results_at = serializers.DateTimeField(allow_null=True)
    score = ScoreSerializer(allow_null=True, help_text=_("Null until the results are out."))


class AttemptSummarySerializer(AttemptFieldsSerializer):
    test = serializers.IntegerField()

    class Meta:
        ref_name = "AttemptSummary"


class TestRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()

    class Meta:
        ref_name = "AttemptTest"


class AttemptSerializer(AttemptFieldsSerializer):
    test = TestRefSerializer()
    deadline_at = serializers.DateTimeField(allow_null=True, help_text=_("Answers are taken until then."))
    questions = serializers.ListField(
        child=serializers.DictField(),
        help_text=_(
            "The questions drawn, in order, as the student sees them (never the answers' key), each "
            "with its saved `answer`; the points `earned` and the `feedback` where the reader may see them."
        ),
    )

    class Meta:
        ref_name = "Attempt"


class StartSerializer(serializers.Serializer[Any]):
    homework = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=_("The homework it is done for."),
    )

    class Meta:
        ref_name = "AttemptStart"


class AttemptsQuerySerializer(serializers.Serializer[Any]):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    class Meta:
        ref_name = "AttemptsQuery"


class TestAttemptsApi(AttemptWrites, IdempotentApi):
    """POST starts an attempt at the test, or resumes the one in progress (200); GET lists a
    student's attempts at it (``?student=``, the reader by default)."""

    @extend_schema(
        operation_id="tests_attempts_create",
        tags=["tests"],
        request=StartSerializer,
        responses={201: AttemptSerializer, 200: AttemptSerializer, **_errors(400, 401, 404, 409, 415)},
    )
    def post(self, request: Request, material_id: int) -> Response:
        payload = StartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = request_user(request)
        started = services.attempt_start(
            user, material_id, homework_id=payload.validated_data.get("homework")
        )
        return Response(
            AttemptSerializer(selectors.attempt_data(user, started.attempt)).data,
            status=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="tests_attempts_list",
        tags=["tests"],
        parameters=[OpenApiParameter("student", int, description=_("The student (default: yourself)."))],
        responses={200: AttemptSummarySerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, material_id: int) -> Response:
        query = AttemptsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access_test(request.user, material_id)
        student_id = query.validated_data.get("student") or roles_of(request.user).user_id
        rows = selectors.attempts_at_test(request.user, material_id, student_id)
        return Response(AttemptSummarySerializer(rows, many=True).data)


class AttemptApi(APIView):
    """An attempt, as its reader may see it."""

    @extend_schema(
        operation_id="attempts_retrieve",
        tags=["tests"],
        responses={200: AttemptSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = access_attempt(request.user, attempt_id)
        return Response(AttemptSerializer(selectors.attempt_data(request.user, attempt)).data)


class AnswerSerializer(serializers.Serializer[Any]):
    response = serializers.JSONField(help_text=_("The answer, shaped by the question's type (docs/api.md)."))
    revision = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=_("The revision this answer replaces (0: none yet); omit it to let the last save win."),
    )

    class Meta:
        ref_name = "AnswerSave"


class SavedSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()
    response = serializers.DictField()
    revision = serializers.IntegerField()
    saved_at = serializers.DateTimeField()
    feedback = serializers.DictField(
        allow_null=True, help_text=_("Training mode: the points, the right answer and its explanation.")
    )

    class Meta:
        ref_name = "AnswerSaved"


_DATETIME = serializers.DateTimeField()


def _answer_body(data: Any) -> tuple[Any, int | None]:
    """The response and revision of a save's body. The usual body, a JSON object with an answer
    and no revision or a whole number in range, is taken as it is: the answer's shape is the
    question's to check (``questions.check_response``). Anything else goes through
    ``AnswerSerializer``, whose messages and codes are the API's."""
    if type(data) is dict and data.get("response") is not None:
        revision = data.get("revision")
        if revision is None or (type(revision) is int and 0 <= revision <= MAX_ID):
            return data["response"], revision
    payload = AnswerSerializer(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data["response"], payload.validated_data.get("revision")


class AnswerApi(AttemptWrites):
    """PUT saves one answer as it is given; saving again replaces it."""

    @extend_schema(
        operation_id="attempts_answers_update",
        tags=["tests"],
        request=AnswerSerializer,
        responses={200: SavedSerializer, **_errors(400, 401, 404, 409, 415)},
    )
    def put(self, request: Request, attempt_id: int, question_id: str) -> Response:
        response, revision = _answer_body(request.data)
        saved = services.answer_save(
            request_user(request), attempt_id, question_id, response, revision=revision
        )
        answer = saved.answer
        # As SavedSerializer describes it, built straight: with AnswerSerializer it took about a
        # tenth of a save's CPU.
        return Response(
            {
                "question": answer.question_id,
                "response": answer.response,
                "revision": answer.revision,
                "saved_at": _DATETIME.to_representation(answer.saved_at),
                "feedback": saved.feedback,
            }
        )


class ViewedSerializer(serializers.Serializer[Any]):
    question = serializers.CharField(max_length=40)

    class Meta:
        ref_name = "QuestionViewed"


class ViewedApi(AttemptWrites, IdempotentApi):
    """The student was shown a question: the time on each question is measured from these."""

    @extend_schema(
        operation_id="attempts_viewed_create",
        tags=["tests"],
        request=ViewedSerializer,
        responses={204: None, **_errors(400, 401, 404, 409, 415)},
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        payload = ViewedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.attempt_viewed(request_user(request), attempt_id, payload.validated_data["question"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnswerFileSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text=_("Name it in the open answer's ``files``."))
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text=_("Download address (needs the same credentials)."))

    class Meta:
        ref_name = "AnswerFile"


class AnswerFileUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()

    class Meta:
        ref_name = "AnswerFileUpload"


class AnswerFilesApi(AttemptWrites, IdempotentApi):
    """Attach a file to an open answer that takes files, while the attempt is in progress (a
    multipart upload); then save the answer with the file's id in ``files``. A file of the wrong
    kind or size, or too many, is a 400; an attempt submitted or out of time a 409. Honours
    ``Idempotency-Key``: a retried upload stores one file."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="attempts_answers_files_create",
        tags=["tests"],
        request={"multipart/form-data": AnswerFileUploadSerializer},
        responses={201: AnswerFileSerializer, **_errors(400, 401, 404, 409, 415)},
    )
    def post(self, request: Request, attempt_id: int, question_id: str) -> Response:
        payload = AnswerFileUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record = services.answer_file_add(
            request_user(request), attempt_id, question_id, payload.validated_data["file"]
        )
        url = request.build_absolute_uri(reverse("assessment-answer-file", args=[record.pk]))
        data = {"id": record.pk, "name": record.name, "size": record.size, "url": url}
        return Response(AnswerFileSerializer(data).data, status=status.HTTP_201_CREATED)


class SubmitApi(APIView):
    """End the attempt. The score is in the answer when the test shows it now; submitting again
    answers the same and changes nothing."""

    @extend_schema(
        operation_id="attempts_submit_create",
        tags=["tests"],
        request=None,
        responses={200: AttemptSerializer, **error_responses(401, 404)},
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        user = request_user(request)
        attempt = services.attempt_submit(user, attempt_id)
        return Response(AttemptSerializer(selectors.attempt_data(user, attempt)).data)


class StatementSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    actor = serializers.DictField(
        help_text=_("An account on this installation: its address and the user's id.")
    )
    verb = serializers.DictField()
    # "object" and "context" are also attributes of every serializer: declared with a trailing "_",
    # renamed in get_fields().
    object_ = serializers.DictField(help_text=_("The test, or a question of it, as an activity."))
    result = serializers.DictField(
        required=False, help_text=_("Score, success, completion, response, duration.")
    )
    context_ = serializers.DictField(help_text=_("`registration`: the attempt."))
    timestamp = serializers.CharField()
    stored = serializers.CharField()

    class Meta:
        ref_name = "XapiStatement"

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        return {name.rstrip("_"): value for name, value in super().get_fields().items()}


class StatementsApi(APIView):
    """The attempt's events as xAPI statements (actor, verb, object, result, context, timestamp)."""

    @extend_schema(
        operation_id="attempts_statements_list",
        tags=["tests"],
        responses={200: StatementSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = access_attempt(request.user, attempt_id)
        base = request.build_absolute_uri("/").rstrip("/")
        return Response(selectors.attempt_statements(attempt, base))


class GradeSerializer(serializers.Serializer[Any]):
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    class Meta:
        ref_name = "AnswerGrade"


class GradedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    question = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    auto_points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    attempt_score = ScoreSerializer()

    class Meta:
        ref_name = "AnswerGraded"


class AnswerGradeApi(AttemptWrites):
    """A teacher's points for an answer of a submitted attempt: an open answer checked by hand,
    or an automatic score overridden (kept with the points before)."""

    @extend_schema(
        operation_id="answers_grade_update",
        tags=["tests"],
        request=GradeSerializer,
        responses={200: GradedSerializer, **_errors(400, 401, 404, 409, 415)},
    )
    def put(self, request: Request, answer_id: int) -> Response:
        payload = GradeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        answer = services.answer_grade(
            request_user(request), answer_id, data["points"], data.get("comment", "")
        )
        attempt = Attempt.objects.get(pk=answer.attempt_id)
        return Response(
            GradedSerializer(
                {
                    "id": answer.pk,
                    "question": answer.question_id,
                    "points": answer.points,
                    "auto_points": answer.auto_points,
                    "comment": answer.comment,
                    "attempt_score": {
                        "points": attempt.points,
                        "max_points": attempt.max_points,
                        "waiting": attempt.waiting,
                    },
                }
            ).data
        )
