from django.urls import URLPattern, URLResolver

from parta.assessment.views import authoring, checking, prep, statistics, taking

urlpatterns: list[URLPattern | URLResolver] = [
    *taking.urlpatterns,
    *checking.urlpatterns,
    *statistics.urlpatterns,
    *prep.urlpatterns,
    *authoring.urlpatterns,
]
