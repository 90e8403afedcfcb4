"""This app's part of the HTTP API v1 (included by parta/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from parta.assessment.api import (
    AnswerApi,
    AnswerFilesApi,
    AnswerGradeApi,
    AttemptApi,
    StatementsApi,
    SubmitApi,
    TestAttemptsApi,
    ViewedApi,
)
from parta.assessment.api_prep import PrepProgressApi, PrepTestsApi
from parta.assessment.api_statistics import TestStatisticsApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("tests/<int:material_id>/attempts", TestAttemptsApi.as_view(), name="api-test-attempts"),
    path("attempts/<int:attempt_id>", AttemptApi.as_view(), name="api-attempt"),
    path(
        "attempts/<int:attempt_id>/answers/<slug:question_id>",
        AnswerApi.as_view(),
        name="api-attempt-answer",
    ),
    path(
        "attempts/<int:attempt_id>/answers/<slug:question_id>/files",
        AnswerFilesApi.as_view(),
        name="api-attempt-answer-files",
    ),
    path("attempts/<int:attempt_id>/viewed", ViewedApi.as_view(), name="api-attempt-viewed"),
    path("attempts/<int:attempt_id>/submit", SubmitApi.as_view(), name="api-attempt-submit"),
    path("attempts/<int:attempt_id>/statements", StatementsApi.as_view(), name="api-attempt-statements"),
    path("answers/<int:answer_id>/grade", AnswerGradeApi.as_view(), name="api-answer-grade"),
    path("tests/<int:material_id>/statistics", TestStatisticsApi.as_view(), name="api-test-statistics"),
    path("prep/tests", PrepTestsApi.as_view(), name="api-prep-tests"),
    path("prep/progress", PrepProgressApi.as_view(), name="api-prep-progress"),
]
