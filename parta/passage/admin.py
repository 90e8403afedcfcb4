"""The back office for cards and passages: for looking into what a turnstile reported. Passages
are the devices' record and are not edited here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parta.passage.models import Card, FlagDecision, PassageEvent


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "kind", "status", "holder", "school", "issued_at", "blocked_at"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "holder__username", "holder__last_name"]
    raw_id_fields = ["holder", "school", "issued_by", "blocked_by", "replaced_by"]


@admin.register(PassageEvent)
class PassageEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["occurred_at", "direction", "card_number", "card_state", "holder", "device", "building"]
    list_filter = ["direction", "card_state"]
    search_fields = ["card_number", "event_id"]
    raw_id_fields = ["school", "building", "device", "card", "holder"]
    date_hierarchy = "day"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(FlagDecision)
class FlagDecisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["lesson", "student", "flag", "decision", "decided_by", "decided_at"]
    raw_id_fields = ["school", "lesson", "student", "decided_by"]
