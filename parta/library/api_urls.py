from django.urls import URLPattern, URLResolver

from parta.library.api import authoring, catalogue, files, imports, lessons, materials, moderation, usage

urlpatterns: list[URLPattern | URLResolver] = [
    *materials.urlpatterns,
    *catalogue.urlpatterns,
    *authoring.urlpatterns,
    *moderation.urlpatterns,
    *usage.urlpatterns,
    *files.urlpatterns,
    *imports.urlpatterns,
    *lessons.urlpatterns,
]
