"""HTTP API of a test's statistics for the teacher: ``GET /api/v1/tests/{id}/statistics``.

Thin: the figures come from ``selectors_statistics.test_statistics`` (404 for anyone but staff,
and for a test or homework not theirs); their definitions are in ``statistics``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.assessment import questions, selectors_statistics
from parta.core.api import error_responses
from parta.core.ids import MAX_ID


class StatisticsQuerySerializer(serializers.Serializer[Any]):
    homework = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    class Meta:
        ref_name = "TestStatisticsQuery"


class ScoreBinSerializer(serializers.Serializer[Any]):
    low = serializers.IntegerField(help_text=_("Percent of the maximum, included."))
    high = serializers.IntegerField(help_text=_("Percent of the maximum, excluded (100: included)."))
    count = serializers.IntegerField()

    class Meta:
        ref_name = "TestScoreBin"


class DistributionSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text=_("Submitted attempts."))
    waiting = serializers.IntegerField(help_text=_("Attempts with answers a teacher has yet to check."))
    mean = serializers.FloatField(allow_null=True, help_text=_("The mean scaled score, 0..1."))
    median = serializers.FloatField(allow_null=True, help_text=_("The median scaled score, 0..1."))
    bins = ScoreBinSerializer(many=True, help_text=_("Attempts by scaled score, in bins of 10 %."))

    class Meta:
        ref_name = "TestScoreDistribution"


class WrongAnswerSerializer(serializers.Serializer[Any]):
    response = serializers.DictField(help_text=_("The response, as saved."))
    text = serializers.CharField(help_text=_("The response in words, with the options' texts."))
    count = serializers.IntegerField()

    class Meta:
        ref_name = "TestWrongAnswer"


class QuestionStatisticsSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    type = serializers.ChoiceField(choices=sorted(questions.TYPES))
    text = serializers.CharField()
    points = serializers.IntegerField()
    drawn = serializers.IntegerField(help_text=_("Attempts that drew the question."))
    answered = serializers.IntegerField(help_text=_("Attempts that saved an answer to it."))
    scored = serializers.IntegerField(
        help_text=_("Attempts whose points on it are known (open answers waiting are not).")
    )
    difficulty = serializers.FloatField(
        allow_null=True, help_text=_("The mean share of its points earned, 0..1: higher is easier.")
    )
    discrimination = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "The correlation of its score with the rest of the attempt, -1..1; null under 5 attempts "
            "or when the scores do not vary."
        ),
    )
    wrong_answers = WrongAnswerSerializer(many=True, help_text=_("The most common wrong answers."))
    median_seconds = serializers.FloatField(allow_null=True, help_text=_("The median time on it."))

    class Meta:
        ref_name = "TestQuestionStatistics"


class StatisticsTestSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()

    class Meta:
        ref_name = "TestStatisticsTest"


class StatisticsSerializer(serializers.Serializer[Any]):
    test = StatisticsTestSerializer()
    homework = serializers.IntegerField(allow_null=True)
    distribution = DistributionSerializer()
    questions = QuestionStatisticsSerializer(many=True)

    class Meta:
        ref_name = "TestStatistics"


class TestStatisticsApi(APIView):
    """The score distribution of the test's submitted attempts and each question's difficulty,
    discrimination, common wrong answers and median time (``?homework=``: one homework's)."""

    @extend_schema(
        operation_id="tests_statistics_retrieve",
        tags=["tests"],
        parameters=[OpenApiParameter("homework", int, description=_("Only the attempts for this homework."))],
        responses={200: StatisticsSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, material_id: int) -> Response:
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors_statistics.test_statistics(
            request.user, material_id, homework_id=query.validated_data.get("homework")
        )
        body = {
            "test": {"id": found.test.pk, "title": found.test.title},
            "homework": found.homework.pk if found.homework is not None else None,
            "distribution": found.statistics.distribution,
            "questions": found.statistics.questions,
        }
        return Response(StatisticsSerializer(body).data)
