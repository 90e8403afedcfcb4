"""Reads of meals for the cash desk, the family's page, the home page's panel and the cafeteria's
pages: plain data, a fixed number of queries each. Access is checked by the caller (``access``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from parta.accounts.selectors import names_of
from parta.core.i18n import picker
from parta.core.names import full_name
from parta.meals.access import MealsChild
from parta.meals.models import (
    ALLERGENS,
    Account,
    Entitlement,
    LedgerEntry,
    MenuItem,
    MenuLine,
    Payment,
    Sale,
    SaleLine,
    SaleRefusal,
)
from parta.schools.models import Building, Enrolment

# --- money and months -------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


def parse_month(raw: str | None, today: dt.date) -> dt.date:
    """``YYYY-MM`` as the month's first day; this month for anything else (and for the future)."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        return month_start(today)
    return min(first, month_start(today)) if first.year >= 1900 else month_start(today)


def local_range(first: dt.date, after: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of ``first`` to the start of ``after``, in the city's zone."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(after, dt.time.min, tzinfo=zone),
    )


def allergen_labels() -> dict[str, str]:
    return {code: str(label) for code, label in ALLERGENS}


# --- the menu ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuRow:
    id: int
    name: str
    description: str
    kind: str
    meal: str
    price: int
    allergens: list[str]


def menu_of(building_id: int, day: dt.date) -> list[MenuRow]:
    """A building's menu of the day: complex meals first (by meal), then the rest, by name."""
    name = picker()
    found = (
        MenuLine.objects.filter(building_id=building_id, day=day)
        .order_by("item__kind", "item__meal", "item__name_ru")
        .values_list(
            "item_id",
            "item__name_ru",
            "item__name_en",
            "item__description",
            "item__kind",
            "item__meal",
            "price",
            "item__allergens",
        )
    )
    return [
        MenuRow(pk, name(ru, en), description, kind, meal, price, list(allergens or ()))
        for pk, ru, en, description, kind, meal, price, allergens in found
    ]


# --- the family's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    number: int | None
    balance: int
    daily_limit: int | None
    low_balance_threshold: int | None
    stop_items: list[int]
    stop_allergens: list[str]

    @property
    def is_low(self) -> bool:
        return self.low_balance_threshold is not None and self.balance < self.low_balance_threshold


EMPTY_ACCOUNT = AccountView(None, 0, None, None, [], [])


@dataclass(frozen=True)
class HistoryLine:
    name: str
    quantity: int
    amount: int
    free: bool


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    kind: str
    amount: int
    balance_after: int
    reason: str
    sale_id: int | None
    refunded: bool
    lines: list[HistoryLine] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(LedgerEntry.Kind(self.kind).label)


@dataclass(frozen=True)
class DaySpent:
    day: dt.date
    paid: int
    free_meals: int


@dataclass(frozen=True)
class ItemChoice:
    id: int
    name: str
    kind: str
    allergens: list[str]


@dataclass(frozen=True)
class EntitlementRow:
    id: int
    student_id: int
    category: str
    breakfast: bool
    lunch: bool
    starts_on: dt.date
    ends_on: dt.date
    note: str

    @property
    def category_label(self) -> str:
        return str(Entitlement.Category(self.category).label)


@dataclass
class FamilyMeals:
    child: MealsChild
    account: AccountView
    month: dt.date
    history: list[HistoryRow]
    days: list[DaySpent]
    items: list[ItemChoice]
    entitlements: list[EntitlementRow]
    today_menu: list[MenuRow]

    @property
    def paid(self) -> int:
        return sum(day.paid for day in self.days)

    @property
    def free_meals(self) -> int:
        return sum(day.free_meals for day in self.days)

    @property
    def topped_up(self) -> int:
        return sum(row.amount for row in self.history if row.kind == LedgerEntry.Kind.TOP_UP)

    @property
    def stopped_ids(self) -> set[int]:
        """Today's menu items the cash desk will not sell the child (the item or an allergen of it)."""
        allergens = set(self.account.stop_allergens)
        return {
            row.id
            for row in self.today_menu
            if row.id in self.account.stop_items or allergens & set(row.allergens)
        }

    def chart(self) -> dict[str, Any]:
        return {"labels": [d.day.isoformat() for d in self.days], "paid": [d.paid / 100 for d in self.days]}


def account_view(student_id: int) -> AccountView:
    row = (
        Account.objects.filter(student_id=student_id)
        .values_list("pk", "balance", "daily_limit", "low_balance_threshold", "stop_items", "stop_allergens")
        .first()
    )
    if row is None:
        return EMPTY_ACCOUNT
    pk, balance, limit, threshold, items, allergens = row
    return AccountView(pk, balance, limit, threshold, list(items or ()), list(allergens or ()))


def history(account_id: int | None, first: dt.date, after: dt.date) -> list[HistoryRow]:
    """The account's entries from ``first`` to before ``after`` (local days), the newest first, each
    purchase with what was bought: two queries."""
    if account_id is None:
        return []
    start, end = local_range(first, after)
    entries = list(
        LedgerEntry.objects.filter(account_id=account_id, created_at__gte=start, created_at__lt=end)
        .order_by("-created_at", "-pk")
        .values_list(
            "created_at", "kind", "amount", "balance_after", "reason", "sale_id", "sale__refunded_at"
        )
    )
    sale_ids = {sale for *_rest, sale, _refunded in entries if sale is not None}
    name = picker()
    lines: dict[int, list[HistoryLine]] = defaultdict(list)
    found = (
        SaleLine.objects.filter(sale_id__in=sale_ids)
        .order_by("pk")
        .values_list("sale_id", "item__name_ru", "item__name_en", "quantity", "amount", "entitlement_id")
    )
    for sale, ru, en, quantity, amount, entitlement in found if sale_ids else ():
        lines[sale].append(HistoryLine(name(ru, en), quantity, amount, entitlement is not None))
    return [
        HistoryRow(
            timezone.localtime(at),
            kind,
            amount,
            balance,
            reason,
            sale,
            refunded is not None,
            lines.get(sale, []),
        )
        for at, kind, amount, balance, reason, sale, refunded in entries
    ]


def spending_by_day(rows: Sequence[HistoryRow], first: dt.date, last: dt.date) -> list[DaySpent]:
    """What was paid and how many free meals were had each day (refunded sales left out)."""
    paid: Counter[dt.date] = Counter()
    free: Counter[dt.date] = Counter()
    for row in rows:
        if row.kind != LedgerEntry.Kind.PURCHASE or row.refunded:
            continue
        paid[row.at.date()] += -row.amount
        free[row.at.date()] += sum(1 for line in row.lines if line.free)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [DaySpent(day, paid[day], free[day]) for day in days]


def catalogue(school_id: int, *, active_only: bool = True) -> list[ItemChoice]:
    name = picker()
    items = MenuItem.objects.filter(school_id=school_id)
    if active_only:
        items = items.filter(active=True)
    found = items.order_by("kind", "name_ru").values_list("pk", "name_ru", "name_en", "kind", "allergens")
    return [
        ItemChoice(pk, name(ru, en), kind, list(allergens or ())) for pk, ru, en, kind, allergens in found
    ]


def _entitlement_rows(queryset: Any) -> list[EntitlementRow]:
    return [
        EntitlementRow(*row)
        for row in queryset.values_list(
            "pk", "student_id", "category", "breakfast", "lunch", "starts_on", "ends_on", "note"
        )
    ]


def child_building(student_id: int, school_id: int, day: dt.date) -> int | None:
    """The building of the child's class group this year (where they eat)."""
    return (
        Enrolment.objects.filter(
            student_id=student_id, school_id=school_id, year__starts_on__lte=day, year__ends_on__gte=day
        )
        .values_list("class_group__building_id", flat=True)
        .first()
    )


def family_meals(child: MealsChild, month: dt.date, today: dt.date) -> FamilyMeals:
    """The family's meals page of a child for a month: a fixed number of queries."""
    account = account_view(child.id)
    after = next_month(month)
    rows = history(account.number, month, after)
    last = min(after - dt.timedelta(days=1), today) if month <= today else month
    entitlements = _entitlement_rows(
        Entitlement.objects.filter(student_id=child.id, ends_on__gte=today).order_by("starts_on", "pk")
    )
    building = child_building(child.id, child.school_id, today)
    return FamilyMeals(
        child=child,
        account=account,
        month=month,
        history=rows,
        days=spending_by_day(rows, month, last),
        items=catalogue(child.school_id),
        entitlements=entitlements,
        today_menu=menu_of(building, today) if building is not None else [],
    )


# --- the home page's panel --------------------------------------------------------------------------


def home_panels(viewer: Any, student_ids: list[int], today: dt.date) -> dict[int, dict[str, Any]]:
    """Each child's balance and this month's spending by day, for those with an account: two
    queries for all the children."""
    accounts = {
        student: (balance, threshold)
        for student, balance, threshold in Account.objects.filter(student_id__in=student_ids).values_list(
            "student_id", "balance", "low_balance_threshold"
        )
    }
    if not accounts:
        return {}
    first = month_start(today)
    spent: dict[int, Counter[dt.date]] = defaultdict(Counter)
    found = (
        Sale.objects.filter(
            account__student_id__in=list(accounts), day__gte=first, day__lte=today, refunded_at__isnull=True
        )
        .values("account__student_id", "day")
        .annotate(paid=Sum("total"))
        .order_by()
        .values_list("account__student_id", "day", "paid")
    )
    for student, day, paid in found:
        spent[student][day] += paid
    days = [first + dt.timedelta(days=n) for n in range(today.day)]
    panels: dict[int, dict[str, Any]] = {}
    for student, (balance, threshold) in accounts.items():
        by_day = [spent[student][day] for day in days]
        top = max(by_day) or 1
        panels[student] = {
            "balance": balance,
            "is_low": threshold is not None and balance < threshold,
            "month_paid": sum(by_day),
            "bars": [
                {"x": index * 6, "y": 20 - height, "height": height}
                for index, paid in enumerate(by_day)
                if (height := round(20 * paid / top))
            ],
            # The whole month's width, so that a bar keeps its width whatever the day of the month.
            "width": (next_month(first) - first).days * 6,
        }
    return panels


# --- the cafeteria's pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    id: int
    name: str
    kind: str
    meal: str
    price: int
    allergens: list[str]
    active: bool


def items_of_school(school_id: int) -> list[ItemRow]:
    name = picker()
    found = (
        MenuItem.objects.filter(school_id=school_id)
        .order_by("-active", "kind", "meal", "name_ru")
        .values_list("pk", "name_ru", "name_en", "kind", "meal", "price", "allergens", "active")
    )
    return [
        ItemRow(pk, name(ru, en), kind, meal, price, list(allergens or ()), active)
        for pk, ru, en, kind, meal, price, allergens, active in found
    ]


@dataclass(frozen=True)
class BuildingWeek:
    id: int
    name: str
    days: list[tuple[dt.date, int]]  # each day and how many items its menu has


def menus_week(school_id: int, monday: dt.date) -> list[BuildingWeek]:
    """Each building of the school and the number of items on its menu each day of the week."""
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    counts = Counter(
        {
            (building, day): n
            for building, day, n in MenuLine.objects.filter(
                school_id=school_id, day__gte=days[0], day__lte=days[-1]
            )
            .values("building_id", "day")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("building_id", "day", "n")
        }
    )
    return [
        BuildingWeek(pk, name, [(day, counts[(pk, day)]) for day in days])
        for pk, name in Building.objects.filter(school_id=school_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ]


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    sales: int
    paid: int
    free_meals: int
    subsidised: int
    topped_up: int
    refusals: dict[str, int]


def school_day(school_id: int, day: dt.date) -> DayFigures:
    """The school's cafeteria on a day: sales, money, free meals, top-ups and refusals (four queries)."""
    sales = Sale.objects.filter(school_id=school_id, day=day, refunded_at__isnull=True).aggregate(
        n=Count("pk"), paid=Sum("total"), subsidised=Sum("subsidised_total")
    )
    free = SaleLine.objects.filter(
        sale__school_id=school_id, sale__day=day, sale__refunded_at__isnull=True, entitlement__isnull=False
    ).count()
    start, end = local_range(day, day + dt.timedelta(days=1))
    topped = Payment.objects.filter(
        school_id=school_id, received_at__gte=start, received_at__lt=end
    ).aggregate(total=Sum("amount"))
    refusals = dict(
        SaleRefusal.objects.filter(school_id=school_id, at__gte=start, at__lt=end)
        .values("code")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("code", "n")
    )
    return DayFigures(
        day=day,
        sales=sales["n"] or 0,
        paid=sales["paid"] or 0,
        free_meals=free,
        subsidised=sales["subsidised"] or 0,
        topped_up=topped["total"] or 0,
        refusals=refusals,
    )


@dataclass(frozen=True)
class StudentRow:
    id: int
    name: str
    class_group: str
    balance: int | None
    entitled: bool


def students_of_school(school_id: int, day: dt.date, query: str = "", limit: int = 50) -> list[StudentRow]:
    """The school's students this year with their balances (by class, then name), those whose
    name begins with ``query`` when given: three queries."""
    enrolments = Enrolment.objects.filter(
        school_id=school_id, year__starts_on__lte=day, year__ends_on__gte=day
    ).order_by("class_group__grade", "class_group__letter", "student__last_name", "student__first_name")
    words = query.split()
    for word in words[:3]:
        enrolments = enrolments.filter(
            Q(student__last_name__istartswith=word) | Q(student__first_name__istartswith=word)
        )
    found = list(
        enrolments.values_list(
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "class_group__grade",
            "class_group__letter",
        )[:limit]
    )
    ids = [row[0] for row in found]
    balances = dict(Account.objects.filter(student_id__in=ids).values_list("student_id", "balance"))
    entitled = set(
        Entitlement.objects.filter(student_id__in=ids, starts_on__lte=day, ends_on__gte=day).values_list(
            "student_id", flat=True
        )
    )
    return [
        StudentRow(pk, full_name(last, first, middle), f"{grade}{letter}", balances.get(pk), pk in entitled)
        for pk, last, first, middle, grade, letter in found
    ]


def student_choices(school_id: int, day: dt.date) -> list[tuple[int, str]]:
    """The school's students this year as a form's choices, «7А · Иванова Анна Петровна»: one query."""
    found = (
        Enrolment.objects.filter(school_id=school_id, year__starts_on__lte=day, year__ends_on__gte=day)
        .order_by("class_group__grade", "class_group__letter", "student__last_name", "student__first_name")
        .values_list(
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "class_group__grade",
            "class_group__letter",
        )
    )
    return [
        (pk, f"{grade}{letter} · {full_name(last, first, middle)}")
        for pk, last, first, middle, grade, letter in found
    ]


def entitlements_of_school(school_id: int, day: dt.date) -> list[EntitlementRow]:
    """The school's entitlements that have not ended before ``day``."""
    return _entitlement_rows(
        Entitlement.objects.filter(school_id=school_id, ends_on__gte=day).order_by("starts_on", "pk")
    )


def names_by_id(ids: Iterable[int]) -> dict[int, str]:
    return {pk: full_name(n.last, n.first, n.middle) or n.username for pk, n in names_of(ids).items()}
