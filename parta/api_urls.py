"""The HTTP API, version 1 (mounted at /api/v1/). Paths have no trailing slash, as mobile clients expect."""

from django.urls import URLPattern, URLResolver, include, path

from parta.accounts.api import (
    AuthPasswordApi,
    AuthTokenApi,
    AuthTokenDetailApi,
    AuthTokenListApi,
    CalendarTokenResetApi,
    PingApi,
)
from parta.curriculum.api import ThematicPlanDetailApi, ThematicPlanListApi, TopicDetailApi, TopicListApi
from parta.schools.api import (
    ClassGroupDetailApi,
    ClassGroupListApi,
    MeApi,
    SchoolDetailApi,
    SchoolListApi,
    StudyPeriodListApi,
    SubjectListApi,
)
from parta.timetable.api import PersonTimetableApi
from parta.timetable.api_changes import CancellationApi, LessonChangesApi, SubstitutesApi, SubstitutionApi
from parta.timetable.api_template import (
    PublicationDetailApi,
    PublicationListApi,
    SlotDetailApi,
    SlotListApi,
    TemplateApi,
    TemplateDraftApi,
    UnavailabilityApi,
)

# Django tries the patterns in order: the most requested first (the diary, the journal, marks, a
# test's answers as students give them).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("parta.diary.api_urls")),
    path("", include("parta.journal.api_urls")),
    path("", include("parta.assessment.api_urls")),
    path("", include("parta.library.api_urls")),
    path("", include("parta.passage.api_urls")),
    path("", include("parta.meals.api_urls")),
    path("", include("parta.clinic.api_urls")),
    path("auth/token", AuthTokenApi.as_view(), name="api-auth-token"),
    path("auth/password", AuthPasswordApi.as_view(), name="api-auth-password"),
    path("auth/tokens", AuthTokenListApi.as_view(), name="api-auth-tokens"),
    path("auth/tokens/<int:token_id>", AuthTokenDetailApi.as_view(), name="api-auth-token-detail"),
    path("ping", PingApi.as_view(), name="api-ping"),
    path("me", MeApi.as_view(), name="api-me"),
    path("me/calendar-token", CalendarTokenResetApi.as_view(), name="api-me-calendar-token"),
    path("schools", SchoolListApi.as_view(), name="api-schools"),
    path("schools/<int:school_id>", SchoolDetailApi.as_view(), name="api-school"),
    path("schools/<int:school_id>/class-groups", ClassGroupListApi.as_view(), name="api-school-class-groups"),
    path(
        "schools/<int:school_id>/study-periods", StudyPeriodListApi.as_view(), name="api-school-study-periods"
    ),
    path("class-groups/<int:class_group_id>", ClassGroupDetailApi.as_view(), name="api-class-group"),
    path("subjects", SubjectListApi.as_view(), name="api-subjects"),
    path("topics", TopicListApi.as_view(), name="api-topics"),
    path("topics/<str:code>", TopicDetailApi.as_view(), name="api-topic"),
    path("thematic-plans", ThematicPlanListApi.as_view(), name="api-thematic-plans"),
    path("thematic-plans/<int:plan_id>", ThematicPlanDetailApi.as_view(), name="api-thematic-plan"),
    path("people/<int:person_id>/timetable", PersonTimetableApi.as_view(), name="api-person-timetable"),
    path(
        "academic-years/<int:year_id>/timetable-template",
        TemplateApi.as_view(),
        name="api-timetable-template",
    ),
    path(
        "academic-years/<int:year_id>/timetable-template/draft",
        TemplateDraftApi.as_view(),
        name="api-timetable-template-draft",
    ),
    path(
        "academic-years/<int:year_id>/timetable-template/slots",
        SlotListApi.as_view(),
        name="api-timetable-slots",
    ),
    path(
        "academic-years/<int:year_id>/timetable-template/slots/<int:slot_id>",
        SlotDetailApi.as_view(),
        name="api-timetable-slot",
    ),
    path(
        "academic-years/<int:year_id>/teachers/<int:teacher_id>/unavailability",
        UnavailabilityApi.as_view(),
        name="api-timetable-unavailability",
    ),
    path(
        "academic-years/<int:year_id>/timetable-publications",
        PublicationListApi.as_view(),
        name="api-timetable-publications",
    ),
    path(
        "academic-years/<int:year_id>/timetable-publications/<int:publication_id>",
        PublicationDetailApi.as_view(),
        name="api-timetable-publication",
    ),
    path("lessons/<int:lesson_id>/substitutes", SubstitutesApi.as_view(), name="api-lesson-substitutes"),
    path("lessons/<int:lesson_id>/substitution", SubstitutionApi.as_view(), name="api-lesson-substitution"),
    path("lessons/<int:lesson_id>/cancellation", CancellationApi.as_view(), name="api-lesson-cancellation"),
    path("lessons/<int:lesson_id>/changes", LessonChangesApi.as_view(), name="api-lesson-changes"),
    path("", include("parta.homework.api_urls")),
    path("", include("parta.messaging.api_urls")),
]
