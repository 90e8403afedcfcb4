"""The back office for a school's structure. Everyday structure work has its own pages
(parta/schools/views.py); the admin is for the rest and for fixing data by hand."""

from django.contrib import admin

from parta.schools.models import (
    AcademicYear,
    Building,
    City,
    CityRole,
    ClassGroup,
    District,
    Enrolment,
    Holiday,
    Room,
    School,
    StaffMembership,
    StudyPeriod,
    Subgroup,
    SubgroupMembership,
    Subject,
    TeachingAssignment,
)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "city"]
    list_filter = ["city"]
    search_fields = ["name"]


class BuildingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Building
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["short_name", "name", "district", "city"]
    list_filter = ["city", "district"]
    search_fields = ["name", "short_name"]
    list_select_related = ["district", "city"]
    inlines = [BuildingInline]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "school", "address"]
    list_filter = ["school"]
    search_fields = ["name", "address"]
    list_select_related = ["school"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "building", "kind", "capacity", "school"]
    list_filter = ["school", "kind"]
    search_fields = ["name"]
    list_select_related = ["building", "school"]


class StudyPeriodInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StudyPeriod
    extra = 0
    exclude = ["school"]


class HolidayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Holiday
    extra = 0
    exclude = ["school"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "school", "starts_on", "ends_on"]
    list_filter = ["school"]
    list_select_related = ["school"]
    inlines = [StudyPeriodInline, HolidayInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        # Periods and holidays carry the year's school (tenancy column) without asking for it.
        for obj in formset.save(commit=False):
            obj.school_id = form.instance.school_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(StudyPeriod)
class StudyPeriodAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "year", "school", "starts_on", "ends_on"]
    list_filter = ["school", "kind"]
    list_select_related = ["year", "school"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "school", "year", "starts_on", "ends_on"]
    list_filter = ["school"]
    search_fields = ["name"]
    list_select_related = ["year", "school"]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_ru", "name_en", "order"]
    search_fields = ["code", "name_ru", "name_en"]
    ordering = ["order", "code"]


class SubgroupInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Subgroup
    extra = 0
    exclude = ["school"]


@admin.register(ClassGroup)
class ClassGroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "school", "year", "building", "class_teacher"]
    list_filter = ["school", "year", "grade"]
    search_fields = ["letter", "school__short_name"]
    autocomplete_fields = ["class_teacher"]
    raw_id_fields = ["home_room"]
    list_select_related = ["school", "year", "building", "class_teacher"]
    inlines = [SubgroupInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        for obj in formset.save(commit=False):
            obj.school_id = form.instance.school_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Subgroup)
class SubgroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "subject", "school"]
    list_filter = ["school", "subject"]
    raw_id_fields = ["class_group"]
    list_select_related = ["class_group", "subject", "school"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["student", "class_group", "year", "school"]
    list_filter = ["school", "year"]
    search_fields = ["student__last_name", "student__username"]
    autocomplete_fields = ["student"]
    raw_id_fields = ["class_group"]
    list_select_related = ["student", "class_group", "year", "school"]


@admin.register(SubgroupMembership)
class SubgroupMembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["student", "subgroup", "school"]
    list_filter = ["school"]
    search_fields = ["student__last_name", "student__username"]
    autocomplete_fields = ["student"]
    raw_id_fields = ["subgroup"]
    list_select_related = ["student", "subgroup__class_group", "school"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "school", "role", "position"]
    list_filter = ["school", "role"]
    search_fields = ["user__last_name", "user__username", "position"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "school"]


@admin.register(CityRole)
class CityRoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "city", "role"]
    list_filter = ["city", "role"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "city"]


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["subject", "class_group", "subgroup", "teacher", "hours_per_week", "year", "school"]
    list_filter = ["school", "year", "subject"]
    search_fields = ["teacher__last_name", "teacher__username"]
    autocomplete_fields = ["teacher"]
    raw_id_fields = ["class_group", "subgroup"]
    list_select_related = ["subject", "class_group", "subgroup__class_group", "teacher", "year", "school"]
