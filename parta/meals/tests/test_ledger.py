"""The ledger's invariant: an account's balance is the sum of its entries, each entry's
``balance_after`` is the running sum, and no balance is ever below zero — whatever sequence of
top-ups, purchases, refunds and corrections comes (hypothesis), and whatever purchases run at once
(two connections and more, on PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from parta.accounts.models import MachineClient
from parta.accounts.services import machine_client_create
from parta.meals import services
from parta.meals.models import Account, LedgerEntry, MenuItem, MenuLine, Sale
from parta.meals.providers import PaymentNotice
from parta.passage.models import Card
from parta.schools.models import StaffMembership
from parta.schools.services import machine_client_for_school_create
from parta.testing import factories as f

PRICES = (1500, 3000, 4500, 9000)


def balance_holds(account: Account) -> list[int]:
    """The account's balance, the sum of its entries and the chain of ``balance_after``, checked;
    the entries' amounts in order."""
    account.refresh_from_db()
    amounts = list(
        LedgerEntry.objects.filter(account=account).order_by("pk").values_list("amount", "balance_after")
    )
    running = 0
    for amount, after in amounts:
        running += amount
        assert after == running >= 0
    assert (
        account.balance
        == running
        == (LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0)
    )
    assert account.balance >= 0
    return [amount for amount, _after in amounts]


class Place:
    """A school with a building, an administrator, a cash desk, a provider and today's menu."""

    def __init__(self) -> None:
        self.school = f.SchoolFactory.create()
        year = f.AcademicYearFactory.create(school=self.school)
        self.building = f.BuildingFactory.create(school=self.school)
        self.group = f.ClassGroupFactory.create(year=year, building=self.building)
        self.admin = f.UserFactory.create()
        f.StaffMembershipFactory.create(school=self.school, user=self.admin, role=StaffMembership.Role.ADMIN)
        self.desk, _ = machine_client_for_school_create(
            actor=None, school_id=self.school.pk, building_id=self.building.pk, kind="cash_desk", name="Desk"
        )
        self.provider, _ = machine_client_create(
            by=None, kind="payment_provider", name="Bank", scopes=["payments:callback"]
        )
        self.items = [
            MenuItem.objects.create(school=self.school, name_ru=f"Блюдо {price}", price=price)
            for price in PRICES
        ]
        MenuLine.objects.bulk_create(
            MenuLine(
                school=self.school,
                building=self.building,
                day=timezone.localdate(),
                item=item,
                price=item.price,
            )
            for item in self.items
        )
        self.payments = 0

    def child(self) -> tuple[Any, Card]:
        student = f.UserFactory.create()
        f.EnrolmentFactory.create(class_group=self.group, student=student)
        card = Card.objects.create(school=self.school, holder=student, number=f"C-{student.pk}")
        return student, card

    def top_up(self, account: Account, amount: int) -> None:
        self.payments += 1
        services.payment_record(
            provider=self.provider,
            adapter="parta",
            notice=PaymentNotice(f"p-{account.pk}-{self.payments}", True, amount, account=account.pk),
        )


operations = st.lists(
    st.one_of(
        st.tuples(st.just("top_up"), st.integers(min_value=1, max_value=30000)),
        st.tuples(
            st.just("sell"),
            st.lists(st.tuples(st.integers(0, len(PRICES) - 1), st.integers(1, 3)), min_size=1, max_size=3),
        ),
        st.tuples(st.just("refund"), st.integers(0, 20)),
        st.tuples(st.just("correction"), st.integers(-30000, 30000).filter(bool)),
        st.tuples(st.just("limit"), st.one_of(st.none(), st.integers(0, 20000))),
    ),
    max_size=25,
)


class LedgerSequenceTests(HypothesisTestCase):
    place: Place
    student: Any
    card: Card

    @classmethod
    def setUpTestData(cls) -> None:
        cls.place = Place()
        cls.student, cls.card = cls.place.child()

    @hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations)
    def test_any_sequence_keeps_the_balance_the_sum_of_its_entries(self, ops: list[tuple[str, Any]]) -> None:
        place = self.place
        account = Account.objects.create(student=self.student, school=place.school)
        expected = 0
        spent_today = 0
        limit: int | None = None
        sales: list[tuple[int, int]] = []  # (sale pk, total)
        for number, (kind, value) in enumerate(ops):
            if kind == "top_up":
                place.top_up(account, value)
                expected += value
            elif kind == "sell":
                wanted = [(place.items[index].pk, quantity) for index, quantity in value]
                total = sum(PRICES[index] * quantity for index, quantity in value)
                try:
                    answer = services.sale_record(
                        device=place.desk, sale_id=f"s-{number}", card_number=self.card.number, items=wanted
                    )
                except services.Refused as refusal:
                    if limit is not None and spent_today + total > limit:
                        assert refusal.code == "daily_limit"
                    else:
                        assert (refusal.code, total > expected) == ("insufficient_balance", True)
                else:
                    assert total <= expected and (limit is None or spent_today + total <= limit)
                    assert answer.total == total and answer.balance == expected - total
                    expected -= total
                    spent_today += total
                    sales.append((answer.id, total))
            elif kind == "refund":
                if not sales:
                    continue
                pk, total = sales[value % len(sales)]
                try:
                    services.sale_refund(
                        actor=place.admin, school_id=place.school.pk, sale_id=pk, reason="mistake"
                    )
                except ValidationError:
                    assert Sale.objects.get(pk=pk).refunded_at is not None
                else:
                    expected += total
                    spent_today -= total
            elif kind == "correction":
                try:
                    services.correction_make(
                        actor=place.admin,
                        school_id=place.school.pk,
                        student_id=self.student.pk,
                        amount=value,
                        reason="r",
                    )
                except ValidationError:
                    assert expected + value < 0
                else:
                    expected += value
            else:
                limit = value
                Account.objects.filter(pk=account.pk).update(daily_limit=value)
            balance_holds(account)
            assert account.balance == expected


@pytest.mark.django_db(transaction=True)
@hsettings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    start=st.integers(min_value=0, max_value=40000),
    baskets=st.lists(
        st.lists(st.integers(0, len(PRICES) - 1), min_size=1, max_size=3), min_size=2, max_size=8
    ),
)
def test_purchases_at_once_never_spend_more_than_the_balance(start: int, baskets: list[list[int]]) -> None:
    """Every purchase of one card at the same moment, each on its own connection: they wait for
    each other on the account's row, so the money is spent at most once and the refused ones are
    exactly those the balance left at their turn could not pay."""
    if connection.vendor != "postgresql":
        pytest.skip("connections that wait on each other: PostgreSQL (SQLite serialises writers)")
    place = Place()
    student, card = place.child()
    account = Account.objects.create(student=student, school=place.school)
    if start:
        place.top_up(account, start)
    desk = MachineClient.objects.get(pk=place.desk.pk)
    at_once = threading.Barrier(len(baskets), timeout=20)
    answers: list[int] = []
    refusals: list[tuple[str, int]] = []
    lock = threading.Lock()

    def buy(number: int, basket: list[int]) -> None:
        total = sum(PRICES[index] for index in basket)
        try:
            at_once.wait()
            answer = services.sale_record(
                device=desk,
                sale_id=f"s-{number}",
                card_number=card.number,
                items=[(place.items[index].pk, 1) for index in basket],
            )
            with lock:
                answers.append(answer.total)
        except services.Refused as refusal:
            with lock:
                refusals.append((refusal.code, total))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(n, basket)) for n, basket in enumerate(baskets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) + len(refusals) == len(baskets)
    amounts = balance_holds(account)
    assert account.balance == start - sum(answers)
    assert sorted(-a for a in amounts if a < 0) == sorted(a for a in answers if a)
    assert all(code == "insufficient_balance" and total > account.balance for code, total in refusals)


@pytest.mark.django_db(transaction=True)
def test_six_purchases_at_once_from_enough_for_three_make_three() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("connections that wait on each other: PostgreSQL (SQLite serialises writers)")
    place = Place()
    student, card = place.child()
    account = Account.objects.create(student=student, school=place.school)
    place.top_up(account, 3 * PRICES[1] + 100)
    desk = MachineClient.objects.get(pk=place.desk.pk)
    at_once = threading.Barrier(6, timeout=20)
    codes: list[str] = []

    def buy(number: int) -> None:
        try:
            at_once.wait()
            services.sale_record(
                device=desk, sale_id=f"s-{number}", card_number=card.number, items=[(place.items[1].pk, 1)]
            )
            codes.append("sold")
        except services.Refused as refusal:
            codes.append(refusal.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == ["insufficient_balance"] * 3 + ["sold"] * 3
    balance_holds(account)
    assert account.balance == 100
