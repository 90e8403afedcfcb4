"""This app's part of the HTTP API v1 (included by parta/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from parta.journal.api.cells import AttendanceApi, LessonTopicApi, MarkCreateApi, MarkDetailApi, PeriodMarkApi
from parta.journal.api.closing import (
    AcademicYearCloseApi,
    AcademicYearReopenApi,
    StudyPeriodCloseApi,
    StudyPeriodReopenApi,
)
from parta.journal.api.journals import JournalAssignmentListApi, JournalPageApi, LessonJournalApi
from parta.journal.api.notices import AbsenceNoticeListApi, AbsenceNoticeWithdrawApi, CellHistoryApi
from parta.journal.api.remarks import LessonRemarksApi, RemarkDetailApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("journal/assignments", JournalAssignmentListApi.as_view(), name="api-journal-assignments"),
    path("journal/assignments/<int:assignment_id>", JournalPageApi.as_view(), name="api-journal-assignment"),
    path("lessons/<int:lesson_id>/journal", LessonJournalApi.as_view(), name="api-lesson-journal"),
    path("marks", MarkCreateApi.as_view(), name="api-marks"),
    path("marks/<int:mark_id>", MarkDetailApi.as_view(), name="api-mark"),
    path(
        "lessons/<int:lesson_id>/attendance/<int:student_id>",
        AttendanceApi.as_view(),
        name="api-lesson-attendance",
    ),
    path("lessons/<int:lesson_id>/topic", LessonTopicApi.as_view(), name="api-lesson-topic"),
    path("lessons/<int:lesson_id>/remarks", LessonRemarksApi.as_view(), name="api-lesson-remarks"),
    path("remarks/<int:remark_id>", RemarkDetailApi.as_view(), name="api-remark"),
    path("period-marks", PeriodMarkApi.as_view(), name="api-period-marks"),
    path(
        "study-periods/<int:period_id>/close",
        StudyPeriodCloseApi.as_view(),
        name="api-study-period-close",
    ),
    path(
        "study-periods/<int:period_id>/reopen", StudyPeriodReopenApi.as_view(), name="api-study-period-reopen"
    ),
    path(
        "academic-years/<int:year_id>/close", AcademicYearCloseApi.as_view(), name="api-academic-year-close"
    ),
    path(
        "academic-years/<int:year_id>/reopen",
        AcademicYearReopenApi.as_view(),
        name="api-academic-year-reopen",
    ),
    path(
        "lessons/<int:lesson_id>/students/<int:student_id>/history",
        CellHistoryApi.as_view(),
        name="api-cell-history",
    ),
    path(
        "students/<int:student_id>/absence-notices",
        AbsenceNoticeListApi.as_view(),
        name="api-student-absence-notices",
    ),
    path(
        "absence-notices/<int:notice_id>/withdraw",
        AbsenceNoticeWithdrawApi.as_view(),
        name="api-absence-notice-withdraw",
    ),
]
