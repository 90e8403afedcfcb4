"""The demo school's cafeteria: a cash desk in each building, a catalogue of dishes and complex meals,
each building's menus for the past month and the week ahead, a meal account for every student with
a month of top-ups and purchases, free meals for the entitled (breakfast for grades 1–4, breakfast
and lunch for some large and low-income families), a few stop-lists and limits — and for the demo
parent's first child a stop-list, a daily limit and a low-balance warning to look at.

Deterministic for a seed and a day. Written in bulk (a month of a school is ~15,000 sales), with
each account's entries computed in order, so the ledger's rules hold exactly as if the cash desks
had sold one by one: every balance is the sum of its entries and never below zero.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from parta.accounts.models import Guardianship, MachineClient
from parta.meals.models import (
    Account,
    Entitlement,
    LedgerEntry,
    Meal,
    MenuItem,
    MenuLine,
    Payment,
    Sale,
    SaleLine,
    SaleRefusal,
)
from parta.passage.models import Card
from parta.schools.models import Building, Enrolment, Holiday, School
from parta.schools.services import machine_client_for_school_create

DEMO_PARENT = "parent"
DAYS_BACK = 30
DAYS_AHEAD = 7
BANK = "Demo bank"

# (name_ru, name_en, composition, kind, meal, price in kopecks, allergens)
CATALOGUE: tuple[tuple[str, str, str, str, str, int, tuple[str, ...]], ...] = (
    (
        "Завтрак «Каша»",
        "Breakfast: porridge",
        "Каша овсяная на молоке, бутерброд с сыром, чай",
        "complex",
        "breakfast",
        9500,
        ("milk", "gluten"),
    ),
    (
        "Завтрак «Сырники»",
        "Breakfast: syrniki",
        "Сырники со сметаной, какао",
        "complex",
        "breakfast",
        10500,
        ("milk", "eggs", "gluten"),
    ),
    (
        "Обед «Борщ»",
        "Lunch: borscht",
        "Борщ, котлета с гречкой, компот, хлеб",
        "complex",
        "lunch",
        16500,
        ("gluten", "celery"),
    ),
    (
        "Обед «Рыбный»",
        "Lunch: fish",
        "Суп куриный с лапшой, рыба с картофельным пюре, морс, хлеб",
        "complex",
        "lunch",
        17500,
        ("fish", "gluten", "milk"),
    ),
    ("Полдник", "Afternoon snack", "Запеканка творожная, кефир", "complex", "snack", 8000, ("milk", "eggs")),
    ("Булочка с маком", "Poppy-seed bun", "", "a_la_carte", "", 3500, ("gluten", "eggs")),
    ("Пирожок с капустой", "Cabbage pie", "", "a_la_carte", "", 3000, ("gluten",)),
    ("Пицца, кусочек", "Pizza slice", "", "a_la_carte", "", 6000, ("gluten", "milk")),
    ("Йогурт", "Yoghurt", "", "a_la_carte", "", 4500, ("milk",)),
    ("Сок яблочный", "Apple juice", "", "a_la_carte", "", 4000, ()),
    ("Чай с лимоном", "Tea with lemon", "", "a_la_carte", "", 1500, ()),
    ("Яблоко", "Apple", "", "a_la_carte", "", 2000, ()),
    ("Батончик с орехами", "Nut bar", "", "a_la_carte", "", 5500, ("nuts", "milk", "soy")),
    ("Салат овощной", "Vegetable salad", "", "a_la_carte", "", 4000, ("mustard",)),
)


@dataclass
class _Child:
    id: int
    grade: int
    building: int
    card: int
    card_number: str
    stop_items: set[int] = field(default_factory=set)
    stop_allergens: set[str] = field(default_factory=set)
    daily_limit: int | None = None
    threshold: int | None = None
    breakfast: int | None = None  # the entitlement's id
    lunch: int | None = None
    events: list[tuple[dt.datetime, str, Any]] = field(default_factory=list)


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _school_days(school: School, first: dt.date, last: dt.date) -> list[dt.date]:
    holidays = list(
        Holiday.objects.filter(school=school, ends_on__gte=first, starts_on__lte=last).values_list(
            "starts_on", "ends_on"
        )
    )
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [
        day for day in days if day.weekday() < 5 and not any(start <= day <= end for start, end in holidays)
    ]


def _desks(school: School) -> dict[int, MachineClient]:
    desks: dict[int, MachineClient] = {}
    for building in Building.objects.filter(school=school).order_by("pk"):
        found = MachineClient.objects.filter(
            kind=MachineClient.Kind.CASH_DESK, building_id=building.pk, is_active=True
        ).first()
        if found is None:
            found, _secret = machine_client_for_school_create(
                actor=None,
                school_id=school.pk,
                building_id=building.pk,
                kind=MachineClient.Kind.CASH_DESK,
                name=f"Касса столовой — {building.name}",
            )
        desks[building.pk] = found
    return desks


def _bank() -> MachineClient:
    bank = MachineClient.objects.filter(kind=MachineClient.Kind.PAYMENT_PROVIDER, name=BANK).first()
    if bank is None:
        bank, _secret = machine_client_for_school_create(
            actor=None, school_id=None, kind=MachineClient.Kind.PAYMENT_PROVIDER, name=BANK
        )
    return bank


def _catalogue(school: School) -> list[MenuItem]:
    return MenuItem.objects.bulk_create(
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


def _menus(
    school: School, buildings: list[int], days: list[dt.date], items: list[MenuItem]
) -> dict[tuple[int, dt.date], list[MenuItem]]:
    """A two-week rotation: one of two complex breakfasts and of two lunches a day, the snack and
    every à-la-carte item (the salad on Mondays, Wednesdays and Fridays)."""
    breakfasts = [i for i in items if i.meal == Meal.BREAKFAST]
    lunches = [i for i in items if i.meal == Meal.LUNCH]
    others = [i for i in items if i.meal not in (Meal.BREAKFAST, Meal.LUNCH)]
    menus: dict[tuple[int, dt.date], list[MenuItem]] = {}
    for day in days:
        week = day.isocalendar().week
        served = [breakfasts[(day.weekday() + week) % 2], lunches[(day.weekday() + week + 1) % 2]]
        served += [i for i in others if i.name_en != "Vegetable salad" or day.weekday() in (0, 2, 4)]
        for building in buildings:
            menus[(building, day)] = served
    MenuLine.objects.bulk_create(
        MenuLine(school=school, building_id=building, day=day, item=item, price=item.price)
        for (building, day), served in menus.items()
        for item in served
    )
    return menus


def students_today(school: School, today: dt.date) -> list[tuple[int, int, int]]:
    """(student, grade, building) of this year's students."""
    return list(
        Enrolment.objects.filter(school=school, year__starts_on__lte=today, year__ends_on__gte=today)
        .order_by("student_id")
        .values_list("student_id", "class_group__grade", "class_group__building_id")
    )


def cards_ensure(
    school: School, children: list[tuple[int, int, int]]
) -> tuple[dict[int, tuple[int, str]], int]:
    """Each child's active card of the school (id, number), issuing one to a child who has none
    (the passage demo issues them when it ran first)."""
    ids = [pk for pk, _grade, _building in children]
    cards = {
        holder: (pk, number)
        for holder, pk, number in Card.objects.filter(
            school=school, holder_id__in=ids, status=Card.Status.ACTIVE
        )
        .order_by("-pk")
        .values_list("holder_id", "pk", "number")
    }
    missing = [pk for pk in ids if pk not in cards]
    made = Card.objects.bulk_create(
        Card(school=school, holder_id=pk, number=f"77{school.pk:04d}{pk:010d}") for pk in missing
    )
    cards.update({card.holder_id: (card.pk, card.number) for card in made})
    return cards, len(made)


def meals_demo(*, school: School, today: dt.date, seed: int) -> dict[str, int]:
    """The school's cafeteria with a month of sales; the counts of what was made."""
    rng = random.Random(seed * 7919 + school.pk)
    with transaction.atomic():
        return _generate(school, today, rng)


def _generate(school: School, today: dt.date, rng: random.Random) -> dict[str, int]:
    desks = _desks(school)
    bank = _bank()
    items = _catalogue(school)
    by_name = {item.name_en: item for item in items}
    past = _school_days(school, today - dt.timedelta(days=DAYS_BACK), today)
    ahead = _school_days(school, today + dt.timedelta(days=1), today + dt.timedelta(days=DAYS_AHEAD))
    menus = _menus(school, list(desks), past + ahead, items)
    rows = students_today(school, today)
    cards, issued = cards_ensure(school, rows)
    children = [
        _Child(pk, grade, building if building in desks else next(iter(desks)), *cards[pk])
        for pk, grade, building in rows
        if desks
    ]

    # The parents' settings, a few stop-lists, and the demo parent's first child.
    for child in children:
        roll = rng.random()
        if roll < 0.04:
            child.stop_allergens = {"nuts"}
        elif roll < 0.07:
            child.stop_allergens = {"milk"}
        elif roll < 0.09:
            child.stop_items = {by_name["Pizza slice"].pk, by_name["Nut bar"].pk}
        if rng.random() < 0.3:
            child.daily_limit = rng.choice((25000, 30000, 40000))
        if rng.random() < 0.4:
            child.threshold = rng.choice((10000, 20000, 30000))
    demo_children = set(
        Guardianship.objects.filter(guardian__username=DEMO_PARENT).values_list("student_id", flat=True)
    )
    featured = next((c for c in children if c.id in demo_children), None)
    if featured is not None:
        featured.stop_allergens = {"nuts"}
        featured.stop_items = {by_name["Pizza slice"].pk}
        featured.daily_limit = 40000
        featured.threshold = 30000

    # Free meals: breakfast for the primary grades, breakfast and lunch for some families.
    year_end = dt.date(today.year + (today.month >= 6), 5, 31)
    start = today - dt.timedelta(days=DAYS_BACK + 5)
    granted: list[tuple[_Child, Entitlement]] = []
    for child in children:
        if child.grade <= 4:
            granted.append(
                (
                    child,
                    Entitlement(
                        school=school,
                        student_id=child.id,
                        category="primary",
                        breakfast=True,
                        lunch=False,
                        starts_on=start,
                        ends_on=year_end,
                        note="Приказ о бесплатном питании 1–4 классов",
                    ),
                )
            )
        elif rng.random() < 0.08:
            category = "large_family" if rng.random() < 0.7 else "low_income"
            granted.append(
                (
                    child,
                    Entitlement(
                        school=school,
                        student_id=child.id,
                        category=category,
                        breakfast=True,
                        lunch=True,
                        starts_on=start,
                        ends_on=year_end,
                        note="Справка УСЗН",
                    ),
                )
            )
    Entitlement.objects.bulk_create([entitlement for _child, entitlement in granted])
    for child, entitlement in granted:
        child.breakfast = entitlement.pk if entitlement.breakfast else None
        child.lunch = entitlement.pk if entitlement.lunch else None

    # A month of the cash desks, child by child in time order.
    sales: list[Sale] = []
    lines: dict[int, list[SaleLine]] = {}
    payments: list[Payment] = []
    a_la_carte = [i for i in items if i.kind == MenuItem.Kind.A_LA_CARTE]
    number = 0
    for child in children:
        balance = 0
        top_ups = 0
        buyer = rng.random()  # how often the child buys
        for day in past:
            served = menus[(child.building, day)]
            if balance < 20000 and (day == past[0] or rng.random() < 0.6):
                amount = rng.choice((50000, 100000, 150000, 200000))
                top_ups += 1
                payment = Payment(
                    provider=bank,
                    adapter="parta",
                    payment_id=f"demo-{school.pk}-{child.id}-{top_ups}",
                    account_id=0,  # set once the account exists
                    school=school,
                    amount=amount,
                    paid_at=_at(day, 7, 30),
                    received_at=_at(day, 7, rng.randint(30, 59)),
                )
                payments.append(payment)
                child.events.append((payment.received_at, "top_up", payment))
                balance += amount
            spent = 0
            for meal, hour, minute in ((Meal.BREAKFAST, 9, 40), (Meal.LUNCH, 12, 35)):
                if rng.random() > 0.35 + 0.6 * buyer:
                    continue
                complex_meal = next(i for i in served if i.meal == meal)
                free = child.breakfast if meal == Meal.BREAKFAST else child.lunch
                basket: list[MenuItem] = []
                if free or rng.random() < 0.5:
                    basket.append(complex_meal)
                basket += rng.sample([i for i in served if i in a_la_carte], k=rng.choice((0, 1, 1, 2)))
                basket = [
                    i
                    for i in basket
                    if i.pk not in child.stop_items and not set(i.allergens) & child.stop_allergens
                ]
                if not basket:
                    continue
                sale_lines = []
                total = 0
                for item in basket:
                    if item is complex_meal and free:
                        sale_lines.append(
                            SaleLine(
                                item=item,
                                quantity=1,
                                price=item.price,
                                amount=0,
                                meal=item.meal,
                                entitlement_id=free,
                            )
                        )
                    else:
                        sale_lines.append(
                            SaleLine(
                                item=item, quantity=1, price=item.price, amount=item.price, meal=item.meal
                            )
                        )
                        total += item.price
                if total > balance or (child.daily_limit is not None and spent + total > child.daily_limit):
                    continue
                number += 1
                sold_at = _at(day, hour, minute + rng.randint(0, 19))
                sale = Sale(
                    school=school,
                    building_id=child.building,
                    device=desks[child.building],
                    sale_id=f"demo-{number:07d}",
                    card_id=child.card,
                    account_id=0,
                    day=day,
                    sold_at=sold_at,
                    total=total,
                    subsidised_total=sum(line.price for line in sale_lines if line.entitlement_id),
                )
                sales.append(sale)
                lines[id(sale)] = sale_lines
                child.events.append((sold_at, "purchase", sale))
                balance -= total
                spent += total

    accounts = Account.objects.bulk_create(
        Account(
            student_id=child.id,
            school=school,
            daily_limit=child.daily_limit,
            low_balance_threshold=child.threshold,
            stop_items=sorted(child.stop_items),
            stop_allergens=sorted(child.stop_allergens),
        )
        for child in children
    )
    account_of = {account.student_id: account for account in accounts}
    for child in children:
        for _at_time, _kind, row in child.events:
            row.account_id = account_of[child.id].pk
    Payment.objects.bulk_create(payments)
    Sale.objects.bulk_create(sales)
    for sale in sales:
        for line in lines[id(sale)]:
            line.sale_id = sale.pk
            line.school_id = school.pk
    SaleLine.objects.bulk_create((line for sale in sales for line in lines[id(sale)]), batch_size=5000)
    entries: list[LedgerEntry] = []
    for child in children:
        account = account_of[child.id]
        balance = 0
        for at, kind, row in sorted(child.events, key=lambda event: event[0]):
            amount = row.amount if kind == "top_up" else -row.total
            balance += amount
            entries.append(
                LedgerEntry(
                    account=account,
                    school=school,
                    kind=kind,
                    amount=amount,
                    balance_after=balance,
                    payment=row if kind == "top_up" else None,
                    sale=row if kind == "purchase" else None,
                    created_at=at,
                )
            )
        account.balance = balance
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    Account.objects.bulk_update(accounts, ["balance"], batch_size=2000)

    # A few refusals of today, for the day's report.
    refused = 0
    for child in rng.sample(children, k=min(6, len(children))):
        code = "stop_list" if child.stop_allergens or child.stop_items else "insufficient_balance"
        SaleRefusal.objects.create(
            school=school,
            device=desks[child.building],
            sale_id=f"demo-refused-{child.id}",
            card_number=child.card_number,
            code=code,
            at=_at(today, 9, 45),
        )
        refused += 1
    return {
        "cash desks": len(desks),
        "menu items": len(items),
        "menu lines": MenuLine.objects.filter(school=school).count(),
        "cards issued": issued,
        "meal accounts": len(accounts),
        "entitlements": len(granted),
        "stop-lists": sum(1 for c in children if c.stop_items or c.stop_allergens),
        "sales": len(sales),
        "top-ups": len(payments),
        "refused sales": refused,
    }
