from django.contrib import admin

from parta.curriculum.models import Outcome, PlanItem, Section, ThematicPlan, Topic


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "title_ru", "title_en", "subject", "grade", "order"]
    list_filter = ["subject", "grade"]
    search_fields = ["code", "title_ru", "title_en"]
    list_select_related = ["subject"]


class OutcomeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Outcome
    extra = 0


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "title_ru", "title_en", "subject", "grade", "hours"]
    list_filter = ["subject", "grade"]
    search_fields = ["code", "title_ru", "title_en"]
    raw_id_fields = ["section"]
    list_select_related = ["subject"]
    inlines = [OutcomeInline]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "text_ru", "topic"]
    search_fields = ["code", "text_ru", "text_en"]
    raw_id_fields = ["topic"]
    list_select_related = ["topic"]


class PlanItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PlanItem
    extra = 0
    raw_id_fields = ["topic"]
    exclude = ["school"]


@admin.register(ThematicPlan)
class ThematicPlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "school", "updated_at"]
    list_filter = ["school"]
    search_fields = ["assignment__teacher__last_name"]
    raw_id_fields = ["assignment"]
    list_select_related = [
        "school",
        "assignment__subject",
        "assignment__class_group",
        "assignment__subgroup__class_group",
        "assignment__teacher",
    ]
    inlines = [PlanItemInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        # Plan items carry the plan's school (tenancy column) without asking for it.
        for obj in formset.save(commit=False):
            obj.school_id = form.instance.school_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
