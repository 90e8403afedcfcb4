"""A cash desk's sale: the card read, today's menu of the desk's building priced, the parents'
stop-list and daily limit kept, an entitled child's free breakfast and lunch given, the balance
checked and the purchase written — or a refusal with a code and nothing written.

The order of the checks is the order of the codes a desk may get: ``unknown_card``,
``blocked_card``, ``other_school``, ``unknown_item``, ``stop_list``, ``daily_limit``,
``insufficient_balance``. A sale sent again with the same ``sale_id`` by the same desk is answered
as the first time (``replayed``), whatever changed since; the same ``sale_id`` with another card
or other items is ``duplicate_sale_id`` (409).

Queries of a sale (the API's budget, tested): the card; then in one transaction the account's row
locked, one read of what today already holds (the same sale id, the day's spending, the
entitlements and the free meals already given) together with the items on the building's menu of
the day, and on PostgreSQL one statement writing the sale, its lines, its ledger entry (and the
low-balance event) and the balance (elsewhere the rows one by one, then the balance).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import rows
from parta.core.i18n import pick
from parta.meals import ledger, statements
from parta.meals.models import (
    SUBSIDISED_MEALS,
    Account,
    LedgerEntry,
    MenuItem,
    Sale,
    SaleLine,
    SaleRefusal,
)
from parta.meals.services.common import Refused
from parta.passage.selectors import ReadCard, card_read


@dataclass(frozen=True)
class Sold:
    """One line of a sale's answer."""

    item: int
    name: str
    quantity: int
    price: int
    amount: int
    free: bool


@dataclass(frozen=True)
class SaleAnswer:
    """What the desk is told of a sale it made: the same every time it asks with that sale id."""

    id: int
    sale_id: str
    card: str
    total: int
    subsidised: int
    balance: int
    lines: tuple[Sold, ...]
    replayed: bool = False


@dataclass(frozen=True)
class _MenuRow:
    item: int
    name_ru: str
    name_en: str
    kind: str
    meal: str
    price: int
    allergens: tuple[str, ...]

    @property
    def name(self) -> str:
        return pick(self.name_ru, self.name_en)

    @property
    def free_meal(self) -> str | None:
        """The meal an entitled child gets this item free at, if it is such a complex."""
        if self.kind == MenuItem.Kind.COMPLEX and self.meal in SUBSIDISED_MEALS:
            return self.meal
        return None


def merged(items: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Item id → quantity, an item sent twice counted once with both quantities (first-seen order)."""
    wanted: dict[int, int] = {}
    for item, quantity in items:
        wanted[item] = wanted.get(item, 0) + quantity
    return wanted


def sale_record(
    *, device: object, sale_id: str, card_number: str, items: Sequence[tuple[int, int]]
) -> SaleAnswer:
    """Sell ``items`` (item id, quantity) to the card's holder at the cash desk ``device`` (a
    machine principal with its school and building), or raise :class:`Refused`."""
    wanted = merged(items)
    try:
        return _sell(device, sale_id, card_number, wanted)
    except IntegrityError:
        # The same sale id committed by a request running beside this one, for another card (the
        # same card's requests wait for each other on the account's row and replay).
        replayed = _replay(getattr(device, "pk", None), sale_id, card_number, wanted)
        if replayed is None:
            raise
        return replayed


def _place(device: object) -> tuple[int, int, int]:
    pk = getattr(device, "pk", None)
    school_id = getattr(device, "school_id", None)
    building_id = getattr(device, "building_id", None)
    if pk is None or school_id is None or building_id is None:
        raise Refused(
            "device_not_placed",
            _("This cash desk belongs to no building: the school's administrator makes it again in one."),
            status=403,
        )
    return pk, school_id, building_id


def _card_refusal(card: ReadCard | None, school_id: int) -> Refused | None:
    if card is None:
        return Refused("unknown_card", _("No card has this number."), field="card")
    if not card.active:
        return Refused("blocked_card", _("This card is blocked."), field="card")
    if card.school_id != school_id:
        return Refused("other_school", _("This card belongs to another school."), field="card")
    return None


def _sell(device: object, sale_id: str, card_number: str, wanted: dict[int, int]) -> SaleAnswer:
    device_id, school_id, building_id = _place(device)
    card = card_read(card_number)
    refusal = _card_refusal(card, school_id)
    if refusal is not None:
        # A refusal now may be a retry of a sale made before the card was blocked.
        replayed = _replay(device_id, sale_id, card_number, wanted)
        if replayed is not None:
            return replayed
        raise refusal
    assert card is not None
    today = timezone.localdate()
    with transaction.atomic():
        account = ledger.account_locked(card.holder_id, school_id=card.school_id)
        facts, menu = _today(
            account, device_id=device_id, sale_id=sale_id, today=today, building_id=building_id, wanted=wanted
        )
        if facts.sale is not None:
            # A retry, answered as the first time even if the menu has changed since.
            replayed = _replay(device_id, sale_id, card_number, wanted)
            assert replayed is not None
            return replayed
        missing = [item for item in wanted if item not in menu]
        if missing:
            raise Refused(
                "unknown_item",
                _("Not on today's menu of this building: %(items)s.")
                % {"items": ", ".join(map(str, missing))},
                field="items",
                items=missing,
            )
        _stop_list(account, menu, wanted)
        lines = _priced(menu, wanted, facts)
        total = sum(line.amount for line in lines)
        subsidised = sum(line.price for line in lines if line.entitlement_id is not None)
        if account.daily_limit is not None and facts.spent + total > account.daily_limit:
            raise Refused(
                "daily_limit",
                _("This would pass the daily limit the parents set."),
                daily_limit=account.daily_limit,
                spent_today=facts.spent,
                total=total,
            )
        if total > account.balance:
            raise Refused(
                "insufficient_balance",
                _("There is not enough money in the account."),
                balance=account.balance,
                total=total,
            )
        now = timezone.now()
        sale = Sale(
            school_id=school_id,
            building_id=building_id,
            device_id=device_id,
            sale_id=sale_id,
            card_id=card.id,
            account_id=account.pk,
            day=today,
            sold_at=now,
            total=total,
            subsidised_total=subsidised,
        )
        made = ledger.entry(
            account,
            kind=LedgerEntry.Kind.PURCHASE,
            amount=-total,
            sale_id=rows.NEW_KEY,
            school_id=school_id,
            created_at=now,
        )
        for line in lines:
            line.sale_id = rows.NEW_KEY
            line.school_id = school_id
        ledger.record_sale(account, made, sale, lines)
    return _answer(sale, card_number, made.balance_after, lines, menu)


def _today(
    account: Account, *, device_id: int, sale_id: str, today: dt.date, building_id: int, wanted: Iterable[int]
) -> tuple[statements.Day, dict[int, _MenuRow]]:
    """One statement, run after the account's row is locked so that it sees every sale committed
    before: this desk's sale of the same id, today's spending, the entitlements that cover today
    and the free meals already given; and the wanted items on the building's menu of the day."""
    day = statements.day_read(
        account_id=account.pk,
        student_id=account.student_id,
        device_id=device_id,
        sale_id=sale_id,
        day=today,
        building_id=building_id,
        item_ids=list(wanted),
    )
    menu = {
        item: _MenuRow(item, name_ru, name_en, kind, meal, price, tuple(allergens))
        for item, name_ru, name_en, kind, meal, price, allergens in day.menu
    }
    return day, menu


def _stop_list(account: Account, menu: Mapping[int, _MenuRow], wanted: Mapping[int, int]) -> None:
    stopped_items = set(account.stop_items or ())
    stopped_allergens = set(account.stop_allergens or ())
    if not stopped_items and not stopped_allergens:
        return
    for item in wanted:
        row = menu[item]
        if item in stopped_items:
            raise Refused(
                "stop_list",
                _("The parents asked not to sell “%(item)s” to this child.") % {"item": row.name},
                field="items",
                item=item,
                allergen=None,
            )
        for allergen in row.allergens:
            if allergen in stopped_allergens:
                raise Refused(
                    "stop_list",
                    _("“%(item)s” contains an allergen the parents stopped: %(allergen)s.")
                    % {"item": row.name, "allergen": allergen},
                    field="items",
                    item=item,
                    allergen=allergen,
                )


def _priced(menu: Mapping[int, _MenuRow], wanted: Mapping[int, int], facts: statements.Day) -> list[SaleLine]:
    """The sale's lines at today's prices: one complex breakfast and one complex lunch a day free
    for a child entitled to them (a line of its own), the rest paid."""
    lines: list[SaleLine] = []
    free_left = {meal: pk for meal, pk in facts.entitlements.items() if meal not in facts.given}
    for item, asked in wanted.items():
        row = menu[item]
        quantity = asked
        meal = row.free_meal
        entitlement = free_left.pop(meal, None) if meal else None
        if entitlement is not None:
            lines.append(
                SaleLine(
                    item_id=item,
                    quantity=1,
                    price=row.price,
                    amount=0,
                    meal=row.meal,
                    entitlement_id=entitlement,
                )
            )
            quantity -= 1
        if quantity:
            lines.append(
                SaleLine(
                    item_id=item,
                    quantity=quantity,
                    price=row.price,
                    amount=row.price * quantity,
                    meal=row.meal,
                )
            )
    return lines


def _answer(
    sale: Sale, card_number: str, balance: int, lines: Sequence[SaleLine], menu: Mapping[int, _MenuRow] | None
) -> SaleAnswer:
    names = {item: row.name for item, row in (menu or {}).items()}
    return SaleAnswer(
        id=sale.pk,
        sale_id=sale.sale_id,
        card=card_number,
        total=sale.total,
        subsidised=sale.subsidised_total,
        balance=balance,
        lines=tuple(
            Sold(
                item=line.item_id,
                name=names.get(line.item_id, ""),
                quantity=line.quantity,
                price=line.price,
                amount=line.amount,
                free=line.entitlement_id is not None,
            )
            for line in lines
        ),
    )


def _replay(
    device_id: int | None, sale_id: str, card_number: str, wanted: Mapping[int, int]
) -> SaleAnswer | None:
    """The answer of the desk's sale with this id, if it made one: as it was the first time when
    the request is the same (card and items), else ``duplicate_sale_id``."""
    sale = Sale.objects.filter(device_id=device_id, sale_id=sale_id).select_related("card").first()
    if sale is None:
        return None
    lines = list(SaleLine.objects.filter(sale=sale).order_by("pk").select_related("item"))
    sold: dict[int, int] = {}
    for line in lines:
        sold[line.item_id] = sold.get(line.item_id, 0) + line.quantity
    if sale.card.number != card_number or sold != dict(wanted):
        raise Refused(
            "duplicate_sale_id",
            _("This sale id was used by this desk for another sale."),
            field="sale_id",
            status=409,
            sale=sale.pk,
        )
    balance = (
        LedgerEntry.objects.filter(sale=sale, kind=LedgerEntry.Kind.PURCHASE)
        .values_list("balance_after", flat=True)
        .get()
    )
    menu = {
        line.item_id: _MenuRow(line.item_id, line.item.name_ru, line.item.name_en, "", "", line.price, ())
        for line in lines
    }
    return replace(_answer(sale, card_number, balance, lines, menu), replayed=True)


def refusal_record(*, device: Any, sale_id: str, card_number: str, code: str) -> SaleRefusal:
    """The cafeteria's record of a refused sale (the refused sale's own transaction wrote nothing)."""
    return SaleRefusal.objects.create(
        school_id=getattr(device, "school_id", None),
        device_id=device.pk,
        sale_id=sale_id[:64],
        card_number=card_number[:64],
        code=code,
    )
