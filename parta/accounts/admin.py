from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from parta.accounts.models import ApiToken, Guardianship, MachineCall, MachineClient, User
from parta.accounts.services import password_change_done
from parta.core.admin import ReadOnlyAdmin


class WardInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Guardianship
    fk_name = "guardian"
    extra = 0
    autocomplete_fields = ["student"]
    verbose_name = _("child")
    verbose_name_plural = _("children")


class GuardianInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Guardianship
    fk_name = "student"
    extra = 0
    autocomplete_fields = ["guardian"]
    verbose_name = _("guardian")
    verbose_name_plural = _("guardians")


class PasswordChangeForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """The back office's password change (or disabling of password sign-in) revokes what the
    old password gave out, as the user's own change does."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            password_change_done(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    change_password_form = PasswordChangeForm
    list_display = ["username", "last_name", "first_name", "middle_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name", "middle_name", "email"]
    ordering = ["last_name", "first_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "middle_name", "email")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ["collapse"],
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [GuardianInline, WardInline]


@admin.register(Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["guardian", "student", "relation"]
    list_filter = ["relation"]
    search_fields = ["guardian__last_name", "guardian__username", "student__last_name", "student__username"]
    autocomplete_fields = ["guardian", "student"]
    list_select_related = ["guardian", "student"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "device", "prefix", "created", "last_used", "expires_at"]
    search_fields = ["user__username", "user__last_name", "device", "prefix"]
    list_select_related = ["user"]


@admin.register(MachineClient)
class MachineClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "school_id", "building_id", "prefix", "is_active", "last_used"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "prefix"]


@admin.register(MachineCall)
class MachineCallAdmin(ReadOnlyAdmin):
    list_display = ["at", "client", "method", "path", "status", "request_id"]
    list_filter = ["status", "method"]
    search_fields = ["path", "request_id", "client__name"]
    list_select_related = ["client"]
    date_hierarchy = "at"
