"""This app's part of the HTTP API v1 (included by parta/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from parta.homework.api import (
    HomeworkApi,
    HomeworkCompletionApi,
    HomeworkDoneApi,
    LessonHomeworkApi,
    StudentHomeworkApi,
)
from parta.homework.api_work import CheckWorkApi, OwnWorkApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("students/<int:student_id>/homework", StudentHomeworkApi.as_view(), name="api-student-homework"),
    path("lessons/<int:lesson_id>/homework", LessonHomeworkApi.as_view(), name="api-lesson-homework"),
    path("homework/<int:homework_id>", HomeworkApi.as_view(), name="api-homework"),
    path("homework/<int:homework_id>/done", HomeworkDoneApi.as_view(), name="api-homework-done"),
    path(
        "homework/<int:homework_id>/completion",
        HomeworkCompletionApi.as_view(),
        name="api-homework-completion",
    ),
    path("homework/<int:homework_id>/work", OwnWorkApi.as_view(), name="api-homework-work"),
    path(
        "homework/<int:homework_id>/work/<int:student_id>",
        CheckWorkApi.as_view(),
        name="api-homework-work-check",
    ),
]
