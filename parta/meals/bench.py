"""The cash desks' break, for the benchmark: ``POST /api/v1/meals/sales`` from every building's
desk, each request another sale (a unique ``sale_id``: the request file is sent "once"), and the
check afterwards that every balance is still the sum of its entries, to the kopeck.

``sales_prepare`` gets the schools ready — a bench cash desk per building (its credential made
anew), today's menu where a building has none, a card for every student without one, and enough
money on every account for its share of the sales (bench top-ups, written as a provider's would be:
a payment and its ledger entry each) — and returns the request lines, in the format of the
benchmark's request files (``METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY``, bench/load/requests.lua).
A child's basket keeps the parents' stop-list and what is left of their daily limit today, so that
every line is a sale that succeeds (a refusal would count as an error in the run). Prepare and run
on the same day: a sale sells only what is on today's menu.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from parta.accounts.models import MachineClient
from parta.accounts.services import machine_client_rotate
from parta.core.load_lines import request_line
from parta.meals.demo import CATALOGUE, cards_ensure, students_today
from parta.meals.models import Account, LedgerEntry, MenuItem, MenuLine, Payment, Sale
from parta.schools.models import Building, School
from parta.schools.services import machine_client_for_school_create

SALES_PATH = "/api/v1/meals/sales"
DESK_NAME = "Bench cash desk"
PROVIDER_NAME = "Bench payments"


@dataclass(frozen=True)
class Prepared:
    lines: list[str]
    desks: int
    cards: int
    funded: int  # accounts topped up


def _desk(school: School, building: Building) -> str:
    """The building's bench cash desk, its credential made anew (the old one stops working)."""
    name = f"{DESK_NAME} — {building.pk}"
    desk = MachineClient.objects.filter(kind=MachineClient.Kind.CASH_DESK, name=name, is_active=True).first()
    if desk is not None:
        return machine_client_rotate(by=None, client=desk)
    _desk_client, secret = machine_client_for_school_create(
        actor=None, school_id=school.pk, building_id=building.pk, kind=MachineClient.Kind.CASH_DESK, name=name
    )
    return secret


def _today_menu(school: School, building_id: int, day: dt.date) -> list[tuple[int, int, frozenset[str]]]:
    """(item, price, allergens) of the building's menu today, made from the catalogue (the demo's,
    when the school has none) when there is none."""
    if not MenuLine.objects.filter(building_id=building_id, day=day).exists():
        items = list(MenuItem.objects.filter(school=school, active=True))
        if not items:
            items = MenuItem.objects.bulk_create(
                MenuItem(
                    school=school,
                    name_ru=ru,
                    name_en=en,
                    description=composition,
                    kind=kind,
                    meal=meal,
                    price=price,
                    allergens=list(allergens),
                )
                for ru, en, composition, kind, meal, price, allergens in CATALOGUE
            )
        MenuLine.objects.bulk_create(
            MenuLine(school=school, building_id=building_id, day=day, item=item, price=item.price)
            for item in items
        )
    return [
        (item, price, frozenset(allergens or ()))
        for item, price, allergens in MenuLine.objects.filter(building_id=building_id, day=day).values_list(
            "item_id", "price", "item__allergens"
        )
    ]


def _provider() -> MachineClient:
    provider = MachineClient.objects.filter(
        kind=MachineClient.Kind.PAYMENT_PROVIDER, name=PROVIDER_NAME
    ).first()
    if provider is None:
        provider, _secret = machine_client_for_school_create(
            actor=None, school_id=None, kind=MachineClient.Kind.PAYMENT_PROVIDER, name=PROVIDER_NAME
        )
    return provider


def _fund(school: School, needs: dict[int, int], run: str) -> int:
    """Top each student's account up by what their sales need (in one transaction, the accounts'
    rows locked, each top-up a payment and its entry, as ``ledger.record`` writes them one by one)."""
    if not needs:
        return 0
    Account.objects.bulk_create(
        [Account(student_id=student, school=school) for student in needs], ignore_conflicts=True
    )
    provider = _provider()
    with transaction.atomic():
        accounts = list(Account.objects.select_for_update().filter(student_id__in=list(needs)).order_by("pk"))
        now = timezone.now()
        payments = Payment.objects.bulk_create(
            Payment(
                provider=provider,
                adapter="parta",
                payment_id=f"bench-{run}-{account.pk}",
                account=account,
                school_id=account.school_id,
                amount=needs[account.student_id],
                received_at=now,
            )
            for account in accounts
        )
        entries = []
        for account, payment in zip(accounts, payments, strict=True):
            account.balance += payment.amount
            entries.append(
                LedgerEntry(
                    account=account,
                    school_id=account.school_id,
                    kind=LedgerEntry.Kind.TOP_UP,
                    amount=payment.amount,
                    balance_after=account.balance,
                    payment=payment,
                    created_at=now,
                )
            )
        LedgerEntry.objects.bulk_create(entries, batch_size=5000)
        Account.objects.bulk_update(accounts, ["balance"], batch_size=5000)
    return len(accounts)


def sales_prepare(*, schools: Iterable[School], sales: int, seed: int = 1) -> Prepared:
    """``sales`` sale requests spread over the students of ``schools`` (a student buys again when
    there are more sales than students), in an order that mixes the desks and the children."""
    rng = random.Random(seed)
    today = timezone.localdate()
    run = f"{timezone.now():%Y%m%d%H%M%S}-{seed}"
    buyers: list[
        tuple[str, str, list[tuple[int, int, frozenset[str]]], int]
    ] = []  # token, card, menu, student
    desks = cards_count = funded = 0
    limits_and_stops: dict[int, tuple[int | None, frozenset[int], frozenset[str]]] = {}
    school_list = list(schools)
    for school in school_list:
        buildings = {b.pk: b for b in Building.objects.filter(school=school).order_by("pk")}
        if not buildings:
            continue
        tokens = {pk: _desk(school, building) for pk, building in buildings.items()}
        desks += len(tokens)
        menus = {pk: _today_menu(school, pk, today) for pk in buildings}
        children = students_today(school, today)
        cards, _issued = cards_ensure(school, children)
        limits_and_stops.update(
            {
                student: (limit, frozenset(items or ()), frozenset(allergens or ()))
                for student, limit, items, allergens in Account.objects.filter(
                    student_id__in=[pk for pk, _g, _b in children]
                ).values_list("student_id", "daily_limit", "stop_items", "stop_allergens")
            }
        )
        for student, _grade, building in children:
            where = building if building in buildings else next(iter(buildings))
            buyers.append((tokens[where], cards[student][1], menus[where], student))
        cards_count += len(cards)
    if not buyers:
        return Prepared([], desks, cards_count, funded)
    # What a child with a daily limit may still spend today: their baskets stay within it.
    limited = [student for student, (limit, _i, _a) in limits_and_stops.items() if limit is not None]
    spent = dict(
        Sale.objects.filter(account__student_id__in=limited, day=today, refunded_at__isnull=True)
        .values("account__student_id")
        .annotate(paid=Sum("total"))
        .order_by()
        .values_list("account__student_id", "paid")
    )
    left: dict[int, int] = {
        student: max(0, (limits_and_stops[student][0] or 0) - spent.get(student, 0)) for student in limited
    }
    rng.shuffle(buyers)
    lines: list[str] = []
    needs: dict[int, int] = {}
    index = 0
    idle = 0  # buyers in a row who could buy nothing more
    while len(lines) < sales and idle < len(buyers):
        token, card, menu, student = buyers[index % len(buyers)]
        index += 1
        _limit, stopped_items, stopped_allergens = limits_and_stops.get(
            student, (None, frozenset(), frozenset())
        )
        allowed = [row for row in menu if row[0] not in stopped_items and not row[2] & stopped_allergens]
        basket = rng.sample(allowed, k=min(len(allowed), rng.choice((1, 1, 2, 3))))
        total = sum(price for _item, price, _a in basket)
        if student in left and total > left[student]:
            basket = [row for row in sorted(allowed, key=lambda row: row[1])[:1] if row[1] <= left[student]]
            total = sum(price for _item, price, _a in basket)
        if not basket:
            idle += 1
            continue
        idle = 0
        if student in left:
            left[student] -= total
        needs[student] = needs.get(student, 0) + total
        body = {
            "sale_id": f"bench-{run}-{len(lines)}",
            "card": card,
            "items": [{"item": item} for item, _price, _a in basket],
        }
        lines.append(request_line("POST", SALES_PATH, token, body))
    for school in school_list:
        students = {pk for pk, _grade, _building in students_today(school, today)}
        funded += _fund(school, {s: n for s, n in needs.items() if s in students}, run)
    return Prepared(lines, desks, cards_count, funded)


def write_sales_requests(path: Path, *, schools: Sequence[School], sales: int, seed: int = 1) -> Prepared:
    """Prepare and write the request file; what was prepared."""
    prepared = sales_prepare(schools=schools, sales=sales, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in prepared.lines), encoding="utf-8")
    return prepared


@dataclass(frozen=True)
class Balances:
    accounts: int
    entries: int
    mismatched: list[tuple[int, int, int]]  # account, balance, sum of its entries
    negative: int

    @property
    def exact(self) -> bool:
        return not self.mismatched and not self.negative


def balances_check() -> Balances:
    """Every account's balance against the sum of its entries (and the last entry's balance after
    it), over the whole database: after a run, ``exact`` must be true."""
    sums = dict(
        LedgerEntry.objects.values("account_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("account_id", "total")
    )
    mismatched = []
    accounts = 0
    for pk, balance in Account.objects.values_list("pk", "balance").iterator(chunk_size=10000):
        accounts += 1
        if balance != sums.get(pk, 0):
            mismatched.append((pk, balance, sums.get(pk, 0)))
    with connection.cursor() as cursor:
        # The chain: each account's last entry (entries are written one after another under the
        # account's lock, so in the order of their keys) says the balance the account holds.
        cursor.execute(
            "SELECT COUNT(*) FROM meals_account a WHERE a.balance <> COALESCE((SELECT e.balance_after"
            " FROM meals_ledgerentry e WHERE e.account_id = a.id ORDER BY e.id DESC LIMIT 1), 0)"
        )
        broken_chain = cursor.fetchone()[0]
    if broken_chain and not mismatched:
        mismatched.append((0, broken_chain, -1))
    return Balances(
        accounts=accounts,
        entries=LedgerEntry.objects.count(),
        mismatched=mismatched,
        negative=Account.objects.filter(balance__lt=0).count(),
    )
