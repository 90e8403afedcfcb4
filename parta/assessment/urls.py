from django.urls import URLPattern, URLResolver

from parta.assessment.views import checking, statistics, taking

urlpatterns: list[URLPattern | URLResolver] = [
    *taking.urlpatterns,
    *checking.urlpatterns,
    *statistics.urlpatterns,
]
