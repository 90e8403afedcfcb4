"""The school cafeteria's pages: only the school's administrator; the catalogue, the day's menu,
entitlements, corrections, refunds and the day's report."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from parta.meals.models import Account, Entitlement, LedgerEntry, MenuItem, MenuLine, Sale
from parta.meals.tests.conftest import Cafeteria
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_the_schools_administrator_opens_the_cafeteria(world: World) -> None:
    a, b = world.a, world.b
    urls = [
        f"/school/{a.school.pk}/meals/",
        f"/school/{a.school.pk}/meals/report.xlsx",
        f"/school/{a.school.pk}/meals/items/new/",
        f"/school/{a.school.pk}/meals/entitlements/",
        f"/school/{a.school.pk}/meals/students/",
        f"/school/{a.school.pk}/meals/students/{a.student.pk}/",
        f"/school/{a.school.pk}/meals/menus/{a.group.building_id}/2026-09-07/",
    ]
    for url in urls:
        assert signed_in(a.admin).get(url).status_code == 200, url
        for stranger in (b.admin, a.class_teacher, a.parent, a.student, world.outsider):
            assert signed_in(stranger).get(url).status_code == 404, (url, stranger)
    # Another school's student or building under this school's address.
    assert signed_in(a.admin).get(f"/school/{a.school.pk}/meals/students/{b.student.pk}/").status_code == 404
    building_b = b.group.building_id
    assert (
        signed_in(a.admin).get(f"/school/{a.school.pk}/meals/menus/{building_b}/2026-09-07/").status_code
        == 404
    )


def test_the_administrator_adds_an_item_and_sets_a_days_menu(world: World) -> None:
    a = world.a
    admin = signed_in(a.admin)
    response = admin.post(
        f"/school/{a.school.pk}/meals/items/new/",
        {
            "name_ru": "Омлет",
            "name_en": "Omelette",
            "kind": "complex",
            "meal": "breakfast",
            "price": "95.50",
            "allergens": ["eggs", "milk"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    item = MenuItem.objects.get()
    assert (item.price, item.allergens, item.meal) == (9550, ["eggs", "milk"], "breakfast")
    # A complex meal without its meal is refused.
    response = admin.post(
        f"/school/{a.school.pk}/meals/items/new/", {"name_ru": "Комплекс", "kind": "complex", "price": "10"}
    )
    assert response.status_code == 400
    day = "2026-09-08"
    url = f"/school/{a.school.pk}/meals/menus/{a.group.building_id}/{day}/"
    response = admin.post(url, {f"item-{item.pk}": "1", f"price-{item.pk}": "90"})
    assert response.status_code == 302
    line = MenuLine.objects.get()
    assert (line.day, line.price, line.building_id) == (dt.date(2026, 9, 8), 9000, a.group.building_id)
    assert admin.post(url, {f"item-{item.pk}": "1", f"price-{item.pk}": "ninety"}).status_code == 400
    assert MenuLine.objects.get().price == 9000
    # The next day copies it; unticking everything empties the menu.
    next_url = f"/school/{a.school.pk}/meals/menus/{a.group.building_id}/2026-09-09/"
    assert admin.post(next_url, {"copy": day}).status_code == 302
    assert MenuLine.objects.filter(day=dt.date(2026, 9, 9)).count() == 1
    assert admin.post(url, {}).status_code == 302
    assert not MenuLine.objects.filter(day=dt.date(2026, 9, 8)).exists()


def test_entitlements_are_granted_and_ended(world: World) -> None:
    a = world.a
    admin = signed_in(a.admin)
    today = timezone.localdate()
    data = {
        "student": a.student.pk,
        "category": "large_family",
        "breakfast": "on",
        "lunch": "on",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        "note": "Удостоверение многодетной семьи",
    }
    assert admin.post(f"/school/{a.school.pk}/meals/entitlements/", data).status_code == 302
    entitlement = Entitlement.objects.get()
    assert (entitlement.student_id, entitlement.granted_by_id) == (a.student.pk, a.admin.pk)
    # Neither meal, dates the wrong way round, another school's child: refused.
    for changes in (
        {"breakfast": "", "lunch": ""},
        {"ends_on": (today - dt.timedelta(days=1)).isoformat()},
        {"student": world.b.student.pk},
    ):
        bad = {k: v for k, v in {**data, **changes}.items() if v != ""}
        assert admin.post(f"/school/{a.school.pk}/meals/entitlements/", bad).status_code == 400
    assert Entitlement.objects.count() == 1
    assert admin.post(f"/school/{a.school.pk}/meals/entitlements/{entitlement.pk}/end/").status_code == 302
    entitlement.refresh_from_db()
    assert entitlement.ends_on == today
    other = signed_in(world.b.admin)
    assert (
        other.post(f"/school/{world.b.school.pk}/meals/entitlements/{entitlement.pk}/end/").status_code == 404
    )
    entitlement.refresh_from_db()
    assert entitlement.ends_on == today


def test_a_correction_needs_a_reason_and_never_takes_the_balance_below_zero(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 10000)
    admin = signed_in(a.admin)
    url = f"/school/{a.school.pk}/meals/students/{a.student.pk}/"
    assert admin.post(url, {"amount": "-20", "reason": ""}).status_code == 400
    assert admin.post(url, {"amount": "-200", "reason": "Ошибочное зачисление"}).status_code == 400
    assert admin.post(url, {"amount": "-20", "reason": "Ошибочное зачисление"}).status_code == 302
    entry = LedgerEntry.objects.get(kind="correction")
    assert (entry.amount, entry.balance_after, entry.by_id, entry.reason) == (
        -2000,
        8000,
        a.admin.pk,
        "Ошибочное зачисление",
    )
    assert Account.objects.get(student=a.student).balance == 8000


def test_a_refund_gives_back_what_was_paid_once(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 10000)
    sale_pk = c.sell((c.bun, 2)).json()["id"]
    admin = signed_in(a.admin)
    url = f"/school/{a.school.pk}/meals/sales/{sale_pk}/refund/"
    assert admin.post(url, {"reason": "Не выдали", "student": a.student.pk}).status_code == 302
    assert admin.post(url, {"reason": "Ещё раз", "student": a.student.pk}).status_code == 302
    assert list(LedgerEntry.objects.filter(kind="refund").values_list("amount", "balance_after")) == [
        (6000, 10000)
    ]
    assert Sale.objects.get().refunded_at is not None
    assert (
        signed_in(c.world.b.admin)
        .post(f"/school/{c.world.b.school.pk}/meals/sales/{sale_pk}/refund/", {"reason": "x"})
        .status_code
        == 404
    )


def test_the_days_report_counts_sales_free_meals_desks_and_refusals(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    today = timezone.localdate()
    Entitlement.objects.create(
        school=a.school, student=a.sibling, category="primary", starts_on=today, ends_on=today, lunch=False
    )
    c.fund(a.student, 30000)
    c.sell((c.bun, 2), (c.breakfast, 1), sale_id="1")
    c.sell((c.breakfast, 1), card=c.sibling_card, sale_id="2")
    c.sell((c.lunch, 5), sale_id="3")  # refused: not enough money
    response = signed_in(a.admin).get(f"/school/{a.school.pk}/meals/report.xlsx?day={today.isoformat()}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Items", "Free meals", "Cash desks", "Refusals"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Sales"] == 2
    assert summary["Paid by families, ₽"] == 150
    assert summary["Free meals"] == 1
    assert summary["Free meals' cost (the school's budget), ₽"] == 90
    assert summary["Refused sales"] == 1
    items = {row[0]: row[3:6] for row in book["Items"].iter_rows(min_row=2, values_only=True)}
    assert items["Завтрак"] == (2, 1, 90)
    assert items["Булочка"][:2] == (2, 0)
    free = list(book["Free meals"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[2]) for row in free] == [("primary school", "breakfast", 1)]
    assert [row[2] for row in book["Cash desks"].iter_rows(min_row=2, values_only=True)] == [2]
    assert list(book["Refusals"].iter_rows(min_row=2, values_only=True)) == [("insufficient_balance", 1)]


def test_the_accounts_list_finds_a_student_by_name(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 12300)
    admin = signed_in(a.admin)
    shown = admin.get(f"/school/{a.school.pk}/meals/students/?q={a.student.last_name[:3]}").content.decode()
    assert f"/meals/students/{a.student.pk}/" in shown and "123.00" in shown
    shown = admin.get(f"/school/{a.school.pk}/meals/students/?q=Zzzz").content.decode()
    assert "Nobody found" in shown
