"""HTTP API of self-preparation for the final exams: ``GET /api/v1/prep/tests`` (the catalogue, with
the learner's progress at each test) and ``GET /api/v1/prep/progress`` (a student's attempts by
subject and test, and results by topic).

Thin: what is shown and whose progress it is (404 for anyone else's child) come from
``selectors_prep`` and ``selectors_progress``, whose objects the serializers read as they are; a
test is taken through the tests' API (``POST /api/v1/tests/{id}/attempts``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.assessment import definition, selectors_prep, selectors_progress
from parta.core.api import IdField, error_responses

_EXAMS = [(code, definition.EXAM_NAMES[code]) for code in definition.EXAMS]


class LearnerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    grade = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "PrepLearner"


class PrepSubjectSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "PrepSubject"


class ProgressSerializer(serializers.Serializer[Any]):
    attempts = serializers.IntegerField(help_text=_("Submitted attempts with their results out."))
    best = serializers.IntegerField(
        allow_null=True, help_text=_("The best score, in per cent of the maximum.")
    )
    last = serializers.IntegerField(
        allow_null=True, help_text=_("The last score, in per cent of the maximum.")
    )
    change = serializers.IntegerField(
        allow_null=True, help_text=_("The last score less the one before it, in percentage points.")
    )
    trend = serializers.ChoiceField(choices=["up", "down", "same", ""])
    in_progress = serializers.BooleanField(help_text=_("An attempt is in progress (it resumes)."))

    class Meta:
        ref_name = "PrepProgress"


class PrepTestSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    exam = serializers.ChoiceField(choices=_EXAMS)
    exam_task = serializers.IntegerField(allow_null=True, help_text=_("The exam's task it trains, if one."))
    duration_minutes = serializers.IntegerField(allow_null=True)
    subjects = PrepSubjectSerializer(many=True)
    progress = ProgressSerializer(allow_null=True, help_text=_("The learner's; null without a learner."))

    class Meta:
        ref_name = "PrepTest"


class CatalogueSerializer(serializers.Serializer[Any]):
    learner = LearnerSerializer(
        allow_null=True, help_text=_("Whose progress is shown: the student, or the guardian's child.")
    )
    exams = serializers.ListField(
        child=serializers.CharField(), help_text=_("The exams (“oge”, “ege”) in order, the learner's first.")
    )
    tests = PrepTestSerializer(many=True)

    class Meta:
        ref_name = "PrepCatalogue"


class CatalogueQuerySerializer(serializers.Serializer[Any]):
    exam = serializers.ChoiceField(choices=_EXAMS, required=False)
    subject = serializers.CharField(max_length=40, required=False, help_text=_("A subject's id or code."))
    student = IdField(required=False, help_text=_("Your child, for a guardian."))

    class Meta:
        ref_name = "PrepCatalogueQuery"


class ProgressQuerySerializer(serializers.Serializer[Any]):
    student = IdField(required=False, help_text=_("Your child, for a guardian."))

    class Meta:
        ref_name = "PrepProgressQuery"


class PrepTestsApi(APIView):
    """The published training tests for the OGE and EGE the user may open, the learner's exam first,
    then by subject, task and title; each with the learner's progress (a student's own; a guardian's
    child's, ``student`` or their first child)."""

    @extend_schema(
        operation_id="prep_tests_list",
        tags=["tests"],
        parameters=[
            OpenApiParameter("exam", str, enum=list(definition.EXAMS), description=_("Only this exam's.")),
            OpenApiParameter("subject", str, description=_("Only this subject's tests: its id or code.")),
            OpenApiParameter("student", int, description=_("Your child's progress, for a guardian.")),
        ],
        responses={200: CatalogueSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        query = CatalogueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors_prep.prep_catalogue(
            request.user,
            exam=query.validated_data.get("exam"),
            subject=query.validated_data.get("subject"),
            student_id=query.validated_data.get("student"),
        )
        body = {
            "learner": found.whose.learner,
            "exams": [group.exam for group in found.exams],
            "tests": found.tests,
        }
        return Response(CatalogueSerializer(body).data)


class ScoredAttemptSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text=_("Its place among the scored attempts at the test, from 1."))
    submitted_at = serializers.DateTimeField()
    points = serializers.DecimalField(max_digits=7, decimal_places=2)
    max_points = serializers.IntegerField()
    percent = serializers.IntegerField()

    class Meta:
        ref_name = "PrepAttempt"


class TestHistorySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    exam = serializers.ChoiceField(choices=_EXAMS)
    exam_task = serializers.IntegerField(allow_null=True)
    attempts = ScoredAttemptSerializer(many=True, help_text=_("Oldest first."))
    progress = ProgressSerializer()

    class Meta:
        ref_name = "PrepTestHistory"


class SubjectHistorySerializer(serializers.Serializer[Any]):
    subject = PrepSubjectSerializer(allow_null=True)
    tests = TestHistorySerializer(many=True)

    class Meta:
        ref_name = "PrepSubjectHistory"


class TopicResultSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    subject = serializers.IntegerField(source="subject_id")
    questions = serializers.IntegerField(
        help_text=_("Its questions in the attempts, each counted once per attempt it was drawn in.")
    )
    percent = serializers.IntegerField(help_text=_("The share of their points earned, %."))
    last_percent = serializers.IntegerField(help_text=_("The same in the last attempt with the topic, %."))

    class Meta:
        ref_name = "PrepTopicResult"


class ProgressReportSerializer(serializers.Serializer[Any]):
    learner = LearnerSerializer()
    subjects = SubjectHistorySerializer(many=True)
    topics = TopicResultSerializer(many=True, help_text=_("The weakest first."))

    class Meta:
        ref_name = "PrepProgressReport"


class PrepProgressApi(APIView):
    """A student's exam-preparation attempts by subject and test, oldest first, and their results
    by topic: the student's own, or a guardian's child's (``student``); 404 for anyone else's."""

    @extend_schema(
        operation_id="prep_progress_retrieve",
        tags=["tests"],
        parameters=[OpenApiParameter("student", int, description=_("Your child, for a guardian."))],
        responses={200: ProgressReportSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = selectors_progress.prep_progress(request.user, query.validated_data.get("student"))
        if report is None:
            raise NotFound
        body = {"learner": report.whose.learner, "subjects": report.subjects, "topics": report.topics}
        return Response(ProgressReportSerializer(body).data)
