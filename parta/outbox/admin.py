"""The outbox in the back office: what waits, what failed and why; a stuck event can be retried."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from parta.outbox.models import OutboxEvent
from parta.outbox.services import deliver


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "kind", "school_id", "created_at", "delivered_at", "attempts", "last_error")
    list_filter = ("kind", ("delivered_at", admin.EmptyFieldListFilter))
    readonly_fields = ("kind", "school_id", "payload", "created_at", "delivered_at", "attempts", "last_error")
    actions = ("deliver_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Deliver the selected events now"))
    def deliver_now(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        delivered = sum(deliver(event_id) for event_id in queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d event delivered.", "%(count)d events delivered.", delivered)
            % {"count": delivered},
            messages.SUCCESS,
        )
