from django.contrib import admin
from django.db import models

from parta.timetable.models import Bell, Lesson, TemplateSlot


@admin.register(Bell)
class BellAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "starts_at", "ends_at", "school"]
    list_filter = ["school"]
    list_select_related = ["school"]


@admin.register(TemplateSlot)
class TemplateSlotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["weekday", "number", "class_group", "subgroup", "teacher", "room", "school"]
    list_filter = ["school", "year", "weekday"]
    search_fields = ["teacher__last_name"]
    autocomplete_fields = ["teacher"]
    raw_id_fields = ["assignment", "class_group", "subgroup", "room"]
    list_select_related = ["class_group", "subgroup__class_group", "teacher", "room", "school"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "date",
        "number",
        "class_group",
        "subgroup",
        "subject",
        "teacher",
        "replaced_teacher",
        "status",
        "school",
    ]
    list_filter = ["status", "school", "subject"]
    date_hierarchy = "date"
    search_fields = ["teacher__last_name", "note"]
    autocomplete_fields = ["teacher", "replaced_teacher"]
    raw_id_fields = ["assignment", "class_group", "subgroup", "room", "topic"]
    list_select_related = [
        "class_group",
        "subgroup__class_group",
        "subject",
        "teacher",
        "replaced_teacher",
        "school",
    ]
    # Online-lesson links are https; say so rather than let Django guess the scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # A year of lessons for a city: counting them for the paginator would cost more than the page.
    show_full_result_count = False
