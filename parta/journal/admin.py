"""The back office for the journal. Everyday work goes through the journal's pages and API, which
keep the history; the admin is for looking and for settings (scales, control forms). Marks,
attendance, period marks and absence notices are read-only here: an edit in the admin would write
no history, bump no version and notify nobody. The history itself is append-only everywhere."""

from django.contrib import admin

from parta.core.admin import ReadOnlyAdmin
from parta.journal.models import (
    AbsenceNotice,
    Attendance,
    ControlForm,
    GradingScheme,
    JournalChange,
    Mark,
    PeriodMark,
)


@admin.register(GradingScheme)
class GradingSchemeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["school", "subject", "scale", "round_up_from"]
    list_filter = ["scale"]
    list_select_related = ["school", "subject"]
    raw_id_fields = ["school", "subject"]


@admin.register(ControlForm)
class ControlFormAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_ru", "name_en", "default_weight", "order", "school"]
    list_filter = ["school"]
    search_fields = ["code", "name_ru", "name_en"]
    list_select_related = ["school"]


@admin.register(Mark)
class MarkAdmin(ReadOnlyAdmin):
    list_display = ["date", "student", "subject", "value", "weight", "control_form", "owed_until", "version"]
    list_filter = ["scale", "subject"]
    date_hierarchy = "date"
    raw_id_fields = ["school", "lesson", "student", "subject", "control_form", "created_by"]
    list_select_related = ["student", "subject", "control_form"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["date", "student", "subject", "status", "source", "version"]
    list_filter = ["status", "source"]
    date_hierarchy = "date"
    raw_id_fields = ["school", "lesson", "student", "subject", "notice", "updated_by"]
    list_select_related = ["student", "subject"]


@admin.register(PeriodMark)
class PeriodMarkAdmin(ReadOnlyAdmin):
    list_display = ["student", "subject", "class_group", "period", "value", "version"]
    raw_id_fields = ["school", "year", "period", "student", "subject", "class_group", "set_by"]
    list_select_related = ["student", "subject", "class_group", "period"]


@admin.register(AbsenceNotice)
class AbsenceNoticeAdmin(ReadOnlyAdmin):
    list_display = ["student", "starts_on", "ends_on", "reason", "reported_by", "withdrawn_at"]
    date_hierarchy = "starts_on"
    raw_id_fields = ["school", "student", "reported_by"]
    list_select_related = ["student", "reported_by"]


@admin.register(JournalChange)
class JournalChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "object_id", "actor", "principal", "student", "subject", "reason"]
    list_filter = ["kind"]
    date_hierarchy = "at"
    list_select_related = ["actor", "student", "subject"]
