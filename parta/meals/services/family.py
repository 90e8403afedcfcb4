"""What a child's guardians change: the daily limit, the low-balance threshold, the stop-list, and
a top-up started on the meals page. Each takes the acting person and goes through ``access``;
a person who is not the child's guardian gets 404."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.meals import ledger
from parta.meals.access import MealsChild, access_meals_child
from parta.meals.models import ALLERGEN_CODES, Account, MenuItem, TopUp
from parta.meals.services.common import MAX_AMOUNT

# The least a top-up may be: 10 roubles.
MIN_TOP_UP = 1_000


def _locked(child: MealsChild) -> Account:
    return ledger.account_locked(child.id, school_id=child.school_id)


def _amount(errors: FieldErrors, field: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_AMOUNT:
        errors.add(field, _("Give an amount from 0 to 100 000 roubles."))


def meal_settings_set(
    *, actor: Any, student_id: int, daily_limit: int | None, low_balance_threshold: int | None
) -> Account:
    """The parents' daily limit (None: no limit) and the balance below which they are told (None:
    never), in kopecks."""
    child = access_meals_child(actor, student_id, manage=True)
    errors = FieldErrors()
    _amount(errors, "daily_limit", daily_limit)
    _amount(errors, "low_balance_threshold", low_balance_threshold)
    errors.raise_if_any()
    with transaction.atomic():
        account = _locked(child)
        account.daily_limit = daily_limit
        account.low_balance_threshold = low_balance_threshold
        account.settings_changed_at = timezone.now()
        account.settings_changed_by = actor
        account.save(
            update_fields=[
                "daily_limit",
                "low_balance_threshold",
                "settings_changed_at",
                "settings_changed_by",
            ]
        )
    return account


def stop_list_set(*, actor: Any, student_id: int, items: Iterable[int], allergens: Iterable[str]) -> Account:
    """What the cash desk must not sell to the child: items of the school's catalogue, and any item
    with one of these allergens."""
    child = access_meals_child(actor, student_id, manage=True)
    item_ids = sorted(set(items))
    codes = sorted(set(allergens))
    errors = FieldErrors()
    unknown = set(item_ids) - set(
        MenuItem.objects.filter(school_id=child.school_id, pk__in=item_ids).values_list("pk", flat=True)
    )
    if unknown:
        errors.add("items", _("Choose items of the school's menu."))
    if set(codes) - ALLERGEN_CODES:
        errors.add("allergens", _("Choose allergens from the list."))
    errors.raise_if_any()
    with transaction.atomic():
        account = _locked(child)
        account.stop_items = item_ids
        account.stop_allergens = codes
        account.settings_changed_at = timezone.now()
        account.settings_changed_by = actor
        account.save(
            update_fields=["stop_items", "stop_allergens", "settings_changed_at", "settings_changed_by"]
        )
    return account


def top_up_start(*, actor: Any, student_id: int, amount: int) -> TopUp:
    """A top-up of ``amount`` kopecks waiting for the provider's payment page (its reference goes
    to the provider and comes back in the callback)."""
    child = access_meals_child(actor, student_id, manage=True)
    errors = FieldErrors()
    if not MIN_TOP_UP <= amount <= MAX_AMOUNT:
        errors.add("amount", _("Top up by 10 to 100 000 roubles."))
    errors.raise_if_any()
    with transaction.atomic():
        account = _locked(child)
        return TopUp.objects.create(
            reference=secrets.token_hex(16),
            account=account,
            school_id=account.school_id,
            amount=amount,
            created_by=actor,
        )
