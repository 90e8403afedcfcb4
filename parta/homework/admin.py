"""The back office for homework: for fixing data by hand; teachers set homework on their pages."""

from django.contrib import admin
from django.db import models

from parta.homework.models import Homework, HomeworkCompletion, HomeworkFile, HomeworkLink


class HomeworkLinkInline(admin.TabularInline):  # type: ignore[type-arg]
    model = HomeworkLink
    extra = 0
    # Links are https; say so rather than let Django guess the scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class HomeworkFileInline(admin.TabularInline):  # type: ignore[type-arg]
    model = HomeworkFile
    extra = 0
    readonly_fields = ["size"]


@admin.register(Homework)
class HomeworkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "school", "class_group", "subject", "due_on", "created_by"]
    list_filter = ["school"]
    search_fields = ["text"]
    date_hierarchy = "due_on"
    raw_id_fields = ["lesson", "due_lesson", "class_group", "subgroup", "created_by"]
    list_select_related = ["school", "class_group", "subject", "created_by"]
    inlines = [HomeworkLinkInline, HomeworkFileInline]


@admin.register(HomeworkCompletion)
class HomeworkCompletionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["homework", "student", "done_at"]
    raw_id_fields = ["homework", "student"]
    list_filter = ["school"]
