"""What the school's cafeteria keeps (its administrator, through ``access_meals_school``): the
catalogue of items, each building's menu of the day, the entitlements to free meals, and the two
ledger entries a person makes — a correction with its reason, and a sale's refund."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.meals import ledger
from parta.meals.access import access_meals_school, student_of_school
from parta.meals.models import (
    ALLERGEN_CODES,
    Entitlement,
    LedgerEntry,
    MenuItem,
    MenuLine,
    Sale,
)
from parta.meals.services.common import MAX_AMOUNT
from parta.schools.models import Building

# --- the catalogue --------------------------------------------------------------------------


def item_save(
    *,
    actor: Any,
    school_id: int,
    item: MenuItem | None = None,
    name_ru: str,
    name_en: str = "",
    description: str = "",
    kind: str,
    meal: str = "",
    price: int,
    allergens: Iterable[str] = (),
    active: bool = True,
) -> MenuItem:
    """A new item of the school's catalogue, or ``item`` changed. A price changed here is the
    price of days whose menus are made after; menus made before keep theirs."""
    school = access_meals_school(actor, school_id)
    if item is not None and item.school_id != school.pk:
        raise Http404
    codes = sorted(set(allergens))
    errors = FieldErrors()
    if not name_ru.strip():
        errors.add("name_ru", _("Give the item a name."))
    if kind not in MenuItem.Kind.values:
        errors.add("kind", _("Choose one of the kinds offered."))
    if kind == MenuItem.Kind.COMPLEX and not meal:
        errors.add("meal", _("A complex meal is served at a meal: choose it."))
    if meal and meal not in dict(MenuItem._meta.get_field("meal").choices or ()):
        errors.add("meal", _("Choose one of the meals offered."))
    if not 0 <= price <= MAX_AMOUNT:
        errors.add("price", _("Give a price from 0 to 100 000 roubles."))
    if set(codes) - ALLERGEN_CODES:
        errors.add("allergens", _("Choose allergens from the list."))
    errors.raise_if_any()
    fields = {
        "name_ru": name_ru.strip(),
        "name_en": name_en.strip(),
        "description": description.strip(),
        "kind": kind,
        "meal": meal,
        "price": price,
        "allergens": codes,
        "active": active,
    }
    if item is None:
        return MenuItem.objects.create(school=school, **fields)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=list(fields))
    return item


def menu_day_set(
    *, actor: Any, school_id: int, building_id: int, day: dt.date, prices: Mapping[int, int]
) -> list[MenuLine]:
    """The building's menu of ``day``: these items (id → that day's price in kopecks), and no
    other. Sales made already keep the price they were made at."""
    school = access_meals_school(actor, school_id)
    if not Building.objects.filter(pk=building_id, school_id=school.pk).exists():
        raise Http404
    errors = FieldErrors()
    known = set(
        MenuItem.objects.filter(school_id=school.pk, pk__in=list(prices)).values_list("pk", flat=True)
    )
    if set(prices) - known:
        errors.add("items", _("Choose items of the school's catalogue."))
    if any(not 0 <= price <= MAX_AMOUNT for price in prices.values()):
        errors.add("items", _("Give a price from 0 to 100 000 roubles."))
    errors.raise_if_any()
    with transaction.atomic():
        lines = MenuLine.objects.filter(building_id=building_id, day=day)
        lines.exclude(item_id__in=list(prices)).delete()
        kept = {line.item_id: line for line in lines}
        changed = [line for item, line in kept.items() if line.price != prices[item]]
        for line in changed:
            line.price = prices[line.item_id]
        MenuLine.objects.bulk_update(changed, ["price"])
        MenuLine.objects.bulk_create(
            [
                MenuLine(school=school, building_id=building_id, day=day, item_id=item, price=price)
                for item, price in prices.items()
                if item not in kept
            ]
        )
    return list(MenuLine.objects.filter(building_id=building_id, day=day).order_by("item_id"))


def menu_copy(*, actor: Any, school_id: int, building_id: int, day: dt.date, source: dt.date) -> int:
    """Make the menu of ``day`` the menu of ``source`` (another day of the building): how many lines."""
    access_meals_school(actor, school_id)
    prices = dict(
        MenuLine.objects.filter(building_id=building_id, day=source).values_list("item_id", "price")
    )
    return len(
        menu_day_set(actor=actor, school_id=school_id, building_id=building_id, day=day, prices=prices)
    )


# --- entitlements ---------------------------------------------------------------------------


def entitlement_grant(
    *,
    actor: Any,
    school_id: int,
    student_id: int,
    category: str,
    breakfast: bool,
    lunch: bool,
    starts_on: dt.date,
    ends_on: dt.date,
    note: str = "",
) -> Entitlement:
    """Free breakfast and/or lunch for a student of the school, between two dates."""
    school = access_meals_school(actor, school_id)
    student_of_school(school.pk, student_id)
    errors = FieldErrors()
    if category not in Entitlement.Category.values:
        errors.add("category", _("Choose one of the categories offered."))
    if not (breakfast or lunch):
        errors.add("breakfast", _("Choose breakfast, lunch or both."))
    if ends_on < starts_on:
        errors.add("ends_on", _("The end must not be before the start."))
    errors.raise_if_any()
    return Entitlement.objects.create(
        school=school,
        student_id=student_id,
        category=category,
        breakfast=breakfast,
        lunch=lunch,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip(),
        granted_by=actor,
    )


def entitlement_end(*, actor: Any, school_id: int, entitlement_id: int, ends_on: dt.date) -> Entitlement:
    """The entitlement ends on ``ends_on`` (not before it began; free meals given stay given)."""
    school = access_meals_school(actor, school_id)
    entitlement = Entitlement.objects.filter(school_id=school.pk, pk=entitlement_id).first()
    if entitlement is None:
        raise Http404
    if ends_on < entitlement.starts_on:
        raise_field("ends_on", _("The end must not be before the start."))
    entitlement.ends_on = min(ends_on, entitlement.ends_on)
    entitlement.save(update_fields=["ends_on"])
    return entitlement


def raise_field(field: str, message: str) -> None:
    errors = FieldErrors()
    errors.add(field, message)
    errors.raise_if_any()


# --- corrections and refunds ---------------------------------------------------------------------


def correction_make(*, actor: Any, school_id: int, student_id: int, amount: int, reason: str) -> LedgerEntry:
    """A correction of a child's balance by ``amount`` kopecks (up or down), with its reason: the
    only way a person changes a balance. A balance is never taken below zero."""
    school = access_meals_school(actor, school_id)
    student_of_school(school.pk, student_id)
    errors = FieldErrors()
    if amount == 0 or abs(amount) > MAX_AMOUNT:
        errors.add("amount", _("Give an amount other than zero, at most 100 000 roubles."))
    if not reason.strip():
        errors.add("reason", _("Say why the balance is corrected."))
    errors.raise_if_any()
    with transaction.atomic():
        account = ledger.account_locked(student_id, school_id=school.pk)
        try:
            made = ledger.entry(
                account,
                kind=LedgerEntry.Kind.CORRECTION,
                amount=amount,
                reason=reason.strip()[:300],
                by=actor,
            )
        except ledger.Overdrawn:
            raise_field("amount", _("The balance would fall below zero."))
            raise
        ledger.record(account, made)
    return made


def sale_refund(*, actor: Any, school_id: int, sale_id: int, reason: str) -> LedgerEntry:
    """Give the family back what they paid for a sale of the school (once); a free meal of it no
    longer counts in the school's report."""
    school = access_meals_school(actor, school_id)
    if not reason.strip():
        raise_field("reason", _("Say why the sale is refunded."))
    with transaction.atomic():
        sale = Sale.objects.filter(school_id=school.pk, pk=sale_id).select_related("account").first()
        if sale is None:
            raise Http404
        account = ledger.account_locked(sale.account.student_id, school_id=sale.account.school_id)
        if Sale.objects.filter(pk=sale.pk, refunded_at__isnull=False).exists():
            raise_field("sale", _("This sale is refunded already."))
        made = ledger.entry(
            account,
            kind=LedgerEntry.Kind.REFUND,
            amount=sale.total,
            sale_id=sale.pk,
            reason=reason.strip()[:300],
            by=actor,
        )
        ledger.record(account, made)
        Sale.objects.filter(pk=sale.pk).update(refunded_at=timezone.now())
    return made
