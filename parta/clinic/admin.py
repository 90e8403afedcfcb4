"""The back office for sick notes: read-only, since a note is written only by its clinic through
the API (an edit here would write no history and leave the journal's entries as they were).
City registry numbers are loaded by ``manage.py clinic_numbers_load`` from the registry's file."""

from django.contrib import admin

from parta.clinic.models import PersonIdentifier, SickNote, SickNoteChange, SickNoteLesson
from parta.core.admin import ReadOnlyAdmin


@admin.register(SickNote)
class SickNoteAdmin(ReadOnlyAdmin):
    list_display = ["note_id", "clinic", "student", "starts_on", "ends_on", "status", "version", "created_at"]
    list_filter = ["status"]
    list_select_related = ["clinic", "student"]
    search_fields = ["note_id"]
    date_hierarchy = "starts_on"


@admin.register(SickNoteChange)
class SickNoteChangeAdmin(ReadOnlyAdmin):
    list_display = ["note", "version", "kind", "starts_on", "ends_on", "issued_at", "lessons_marked", "at"]
    list_filter = ["kind"]
    list_select_related = ["note"]


@admin.register(SickNoteLesson)
class SickNoteLessonAdmin(ReadOnlyAdmin):
    list_display = ["note", "lesson", "date", "version", "released_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["note", "lesson"]


@admin.register(PersonIdentifier)
class PersonIdentifierAdmin(ReadOnlyAdmin):
    list_display = ["person", "assigned_at"]
    list_select_related = ["person"]
    # Found by the exact number only: the list never shows a page of people's numbers.
    search_fields = ["=number"]
    exclude = ["number"]
