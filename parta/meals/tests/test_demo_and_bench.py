"""The demo's cafeteria keeps every rule a real month would (the ledger's, the stop-lists, the
limits, the entitlements), and the benchmark's sale requests are sales that succeed."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from parta.meals.bench import balances_check, write_sales_requests
from parta.meals.demo import meals_demo
from parta.meals.models import Account, Entitlement, LedgerEntry, MenuItem, Sale, SaleLine
from parta.passage.models import Card
from parta.testing.world import World

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 14)  # a Wednesday of the world's study year


def test_the_demo_month_keeps_the_ledgers_rules(world: World) -> None:
    a = world.a
    existing = Card.objects.create(school=a.school, holder=a.student, number="PASSAGE-1")
    counts = meals_demo(school=a.school, today=TODAY, seed=7)
    assert counts["cash desks"] == 1 and counts["menu items"] == 14
    assert counts["meal accounts"] == 3 and counts["cards issued"] == 2  # a.student had a card
    assert counts["sales"] > 20 and counts["top-ups"] >= 3
    assert balances_check().exact
    assert Sale.objects.filter(account__student=a.student).exclude(card=existing).count() == 0
    spent: dict[tuple[int, dt.date], int] = defaultdict(int)
    for sale in Sale.objects.select_related("account"):
        spent[(sale.account_id, sale.day)] += sale.total
        account = sale.account
        for line in SaleLine.objects.filter(sale=sale).select_related("item"):
            assert line.item_id not in account.stop_items
            assert not set(line.item.allergens) & set(account.stop_allergens)
            if line.entitlement_id:
                entitlement = Entitlement.objects.get(pk=line.entitlement_id)
                assert entitlement.student_id == account.student_id
                assert entitlement.starts_on <= sale.day <= entitlement.ends_on
    for (account_id, _day), total in spent.items():
        limit = Account.objects.get(pk=account_id).daily_limit
        assert limit is None or total <= limit
    # The demo parent's child (a.parent is no demo account): nothing special, but every child has an account.
    assert set(Account.objects.values_list("student_id", flat=True)) == {
        a.student.pk,
        a.sibling.pk,
        a.classmate.pk,
    }
    assert MenuItem.objects.filter(school=a.school).count() == 14


def test_the_benchs_sales_are_sales_that_succeed_and_keep_the_balances(world: World, tmp_path: Path) -> None:
    a = world.a
    meals_demo(school=a.school, today=TODAY, seed=7)
    prepared = write_sales_requests(tmp_path / "sales.txt", schools=[a.school], sales=12, seed=3)
    lines = (tmp_path / "sales.txt").read_text().splitlines()
    assert len(lines) == len(prepared.lines) >= 8
    sale_ids = set()
    for line in lines:
        method, path, token, body = line.split("\t")
        assert (method, path) == ("POST", "/api/v1/meals/sales")
        data = json.loads(body)
        sale_ids.add(data["sale_id"])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = api.post(path, data, format="json")
        assert response.status_code == 201, response.json()
    assert len(sale_ids) == len(lines)
    found = balances_check()
    assert found.exact and found.entries == LedgerEntry.objects.count()
