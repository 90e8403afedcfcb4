from django.urls import URLPattern, URLResolver

from parta.library.views import authoring, catalogue, files, imports, lessons, moderation, usage

urlpatterns: list[URLPattern | URLResolver] = [
    *catalogue.urlpatterns,
    *authoring.urlpatterns,
    *moderation.urlpatterns,
    *usage.urlpatterns,
    *files.urlpatterns,
    *imports.urlpatterns,
    *lessons.urlpatterns,
]
