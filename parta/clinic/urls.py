"""The clinic pages."""

from django.urls import URLPattern, path

from parta.clinic import views

urlpatterns: list[URLPattern] = [
    path("clinic/notes/", views.note_list, name="clinic-notes"),
    path("clinic/notes/<int:note_pk>/", views.note_detail, name="clinic-note"),
]
