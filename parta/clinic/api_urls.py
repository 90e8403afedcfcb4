"""The clinic API (mounted at /api/v1/)."""

from django.urls import URLPattern, path

from parta.clinic.api import SickNoteDetailApi, SickNoteListApi, SickNoteWithdrawApi

urlpatterns: list[URLPattern] = [
    path("clinic/notes", SickNoteListApi.as_view(), name="api-clinic-notes"),
    path("clinic/notes/<str:note_id>", SickNoteDetailApi.as_view(), name="api-clinic-note"),
    path(
        "clinic/notes/<str:note_id>/withdraw", SickNoteWithdrawApi.as_view(), name="api-clinic-note-withdraw"
    ),
]
