"""The back office for meals: the catalogue and menus may be looked into and fixed; the money —
accounts, ledger entries, sales, payments, refusals — is only read here (a balance changes only
through a correction with its reason, on the school's cafeteria page)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parta.meals.models import (
    Account,
    Entitlement,
    LedgerEntry,
    MenuItem,
    MenuLine,
    Payment,
    Sale,
    SaleLine,
    SaleRefusal,
    TopUp,
)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_ru", "kind", "meal", "price", "active", "school"]
    list_filter = ["kind", "meal", "active"]
    search_fields = ["name_ru", "name_en"]
    raw_id_fields = ["school"]


@admin.register(MenuLine)
class MenuLineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["day", "building", "item", "price"]
    raw_id_fields = ["school", "building", "item"]
    date_hierarchy = "day"


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["student", "category", "breakfast", "lunch", "starts_on", "ends_on", "school"]
    list_filter = ["category"]
    raw_id_fields = ["school", "student", "granted_by"]


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["student", "balance", "daily_limit", "low_balance_threshold", "school"]
    raw_id_fields = ["student", "school", "settings_changed_by"]
    search_fields = ["student__username", "student__last_name"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ["created_at", "account", "kind", "amount", "balance_after", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["account", "school", "sale", "payment", "by"]


class SaleLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SaleLine
    raw_id_fields = ["item", "entitlement"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sale)
class SaleAdmin(ReadOnly):
    list_display = ["sold_at", "device", "sale_id", "card", "total", "subsidised_total", "refunded_at"]
    raw_id_fields = ["school", "building", "device", "card", "account"]
    search_fields = ["sale_id"]
    date_hierarchy = "day"
    inlines = [SaleLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["received_at", "provider", "payment_id", "account", "amount"]
    raw_id_fields = ["provider", "account", "school", "top_up"]
    search_fields = ["payment_id"]


@admin.register(TopUp)
class TopUpAdmin(ReadOnly):
    list_display = ["created_at", "reference", "account", "amount", "status"]
    raw_id_fields = ["account", "school", "created_by"]


@admin.register(SaleRefusal)
class SaleRefusalAdmin(ReadOnly):
    list_display = ["at", "device", "sale_id", "card_number", "code"]
    list_filter = ["code"]
    raw_id_fields = ["school", "device"]
