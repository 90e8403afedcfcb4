from django.urls import URLPattern, URLResolver, path

from parta.interop import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("school/<int:school_id>/import/", views.import_page, name="school-import"),
    path("school/<int:school_id>/import/<int:run_id>/", views.import_run, name="school-import-run"),
]
