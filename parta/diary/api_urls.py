"""This app's part of the HTTP API v1 (included by parta/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from parta.diary.api import StudentAttendanceApi, StudentDiaryApi, StudentMarksApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("students/<int:student_id>/diary", StudentDiaryApi.as_view(), name="api-student-diary"),
    path("students/<int:student_id>/marks", StudentMarksApi.as_view(), name="api-student-marks"),
    path(
        "students/<int:student_id>/attendance", StudentAttendanceApi.as_view(), name="api-student-attendance"
    ),
]
