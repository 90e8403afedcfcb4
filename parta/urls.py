from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from parta.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The API and the calendar feeds first: Django tries the patterns in order, and the pages'
    # patterns before them cost every API request ~0.1-0.3 ms of failed matches.
    path("api/v1/", include("parta.api_urls")),
    path("calendar/", include("parta.timetable.feed_urls")),
    path("", include("parta.web.urls")),
    path("", include("parta.accounts.urls")),
    path("", include("parta.schools.urls")),
    path("", include("parta.timetable.urls")),
    path("", include("parta.journal.urls")),
    path("", include("parta.homework.urls")),
    path("", include("parta.assessment.urls")),
    path("library/", include("parta.library.urls")),
    path("", include("parta.passage.urls")),
    path("", include("parta.meals.urls")),
    path("", include("parta.clinic.urls")),
    path("", include("parta.messaging.urls")),
    path("", include("parta.diary.urls")),
    path("", include("parta.interop.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler400 = "parta.web.api_errors.bad_request"
handler403 = "parta.web.api_errors.permission_denied"
handler404 = "parta.web.api_errors.page_not_found"
handler500 = "parta.web.api_errors.server_error"
