"""The family's meals page: who sees it, what the guardians change, the top-up through the
simulated provider, the statement, the home page's panel and the low-balance warning."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parta.meals.access import access_meals_child
from parta.meals.models import Account, LedgerEntry, MenuItem, TopUp
from parta.meals.reports import statement
from parta.meals.tests.conftest import Cafeteria
from parta.messaging.models import Notification
from parta.messaging.notifications import row_of
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user: Any, student: Any) -> Any:
    return signed_in(user).get(f"/meals/{student.pk}/")


def test_the_guardians_and_the_child_see_the_page_and_nobody_else(world: World) -> None:
    a, b = world.a, world.b
    for reader in (a.parent, a.student):
        assert page(reader, a.student).status_code == 200
    for stranger in (
        a.classmate_parent,
        a.classmate,
        a.sibling,
        a.class_teacher,
        a.admin,
        b.parent,
        world.outsider,
    ):
        assert page(stranger, a.student).status_code == 404, stranger
    assert Client().get(f"/meals/{a.student.pk}/").status_code == 302


def test_only_a_guardian_may_change_anything(cafeteria: Cafeteria, settings: Any) -> None:
    settings.PARTA_MEALS_SIMULATED_PROVIDER = True
    a, b = cafeteria.world.a, cafeteria.world.b
    posts = {
        "limits": {"daily_limit": "300", "low_balance_threshold": "100"},
        "stop-list": {"allergens": ["nuts"]},
        "top-up": {"amount": "500"},
    }
    for person in (a.student, a.classmate_parent, b.parent, a.admin):
        for path, data in posts.items():
            assert signed_in(person).post(f"/meals/{a.student.pk}/{path}/", data).status_code == 404
    assert not Account.objects.exists() and not TopUp.objects.exists()
    assert 'id="top-up"' not in page(a.student, a.student).content.decode()


def test_a_parent_sets_the_limits_and_the_stop_list(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    parent = signed_in(a.parent)
    response = parent.post(
        f"/meals/{a.student.pk}/limits/", {"daily_limit": "300.50", "low_balance_threshold": ""}
    )
    assert response.status_code == 302
    response = parent.post(
        f"/meals/{a.student.pk}/stop-list/", {"allergens": ["nuts", "milk"], "items": [str(c.juice.pk)]}
    )
    assert response.status_code == 302
    account = Account.objects.get(student=a.student)
    assert (account.daily_limit, account.low_balance_threshold) == (30050, None)
    assert (account.stop_items, account.stop_allergens) == ([c.juice.pk], ["milk", "nuts"])
    assert account.settings_changed_by == a.parent
    c.fund(a.student, 50000)
    assert c.sell((c.juice, 1)).json()["code"] == "stop_list"
    shown = page(a.parent, a.student).content.decode()
    assert 'value="nuts" checked' in shown.replace("\n", " ") or "checked" in shown


def test_bad_limits_and_items_of_another_school_are_refused_on_the_form(cafeteria: Cafeteria) -> None:
    a = cafeteria.world.a
    parent = signed_in(a.parent)
    response = parent.post(
        f"/meals/{a.student.pk}/limits/", {"daily_limit": "-5", "low_balance_threshold": "abc"}
    )
    assert response.status_code == 400
    assert not Account.objects.exists()
    foreign = MenuItem.objects.create(school=cafeteria.world.b.school, name_ru="Чужое", price=100)
    response = parent.post(f"/meals/{a.student.pk}/stop-list/", {"items": [str(foreign.pk)]})
    assert response.status_code == 400
    assert not Account.objects.exists()


def test_a_top_up_goes_through_the_simulated_provider_to_the_callback(
    cafeteria: Cafeteria, settings: Any
) -> None:
    settings.PARTA_MEALS_SIMULATED_PROVIDER = True
    a = cafeteria.world.a
    parent = signed_in(a.parent)
    response = parent.post(f"/meals/{a.student.pk}/top-up/", {"amount": "750"})
    assert response.status_code == 302
    top_up = TopUp.objects.get()
    assert response["Location"] == f"/meals/pay/{top_up.reference}/"
    assert parent.get(response["Location"]).status_code == 200
    # Another parent cannot open or pay it.
    assert signed_in(a.classmate_parent).get(response["Location"]).status_code == 404
    response = parent.post(f"/meals/pay/{top_up.reference}/", {"action": "pay"})
    assert response.status_code == 302
    top_up.refresh_from_db()
    assert top_up.status == TopUp.Status.PAID
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.balance_after) == ("top_up", 75000, 75000)
    assert Account.objects.get(student=a.student).balance == 75000
    # Paid: the page is gone.
    assert parent.get(f"/meals/pay/{top_up.reference}/").status_code == 404
    shown = parent.get(f"/meals/{a.student.pk}/").content.decode()
    assert "750.00" in shown


def test_a_declined_payment_credits_nothing(cafeteria: Cafeteria, settings: Any) -> None:
    settings.PARTA_MEALS_SIMULATED_PROVIDER = True
    a = cafeteria.world.a
    parent = signed_in(a.parent)
    parent.post(f"/meals/{a.student.pk}/top-up/", {"amount": "100"})
    top_up = TopUp.objects.get()
    parent.post(f"/meals/pay/{top_up.reference}/", {"action": "decline"})
    top_up.refresh_from_db()
    assert top_up.status == TopUp.Status.FAILED
    assert not LedgerEntry.objects.exists()


def test_without_the_simulated_provider_there_is_no_payment_page(cafeteria: Cafeteria, settings: Any) -> None:
    settings.PARTA_MEALS_SIMULATED_PROVIDER = False
    a = cafeteria.world.a
    assert "meals-top-up" not in page(a.parent, a.student).content.decode()
    assert signed_in(a.parent).get("/meals/pay/" + "0" * 32 + "/").status_code == 404


def test_a_top_up_below_ten_roubles_is_refused(cafeteria: Cafeteria, settings: Any) -> None:
    settings.PARTA_MEALS_SIMULATED_PROVIDER = True
    a = cafeteria.world.a
    assert signed_in(a.parent).post(f"/meals/{a.student.pk}/top-up/", {"amount": "5"}).status_code == 400
    assert not TopUp.objects.exists()


def test_the_history_shows_purchases_with_their_items(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 20000)
    c.sell((c.bun, 2), (c.juice, 1))
    shown = page(a.parent, a.student).content.decode()
    assert "Булочка × 2" in shown and "Сок" in shown
    assert "−11,000.00" in shown or "−110.00" in shown
    assert 'data-testid="meals-balance">90.00' in shown


def test_the_page_costs_a_fixed_number_of_queries(
    cafeteria: Cafeteria, django_assert_max_num_queries: Any
) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 50000)
    for n in range(5):
        c.sell((c.bun, 1), (c.juice, 1), sale_id=f"s-{n}")
    client = signed_in(a.parent)
    # The session, the user, the roles and the header's two counts; the child, the class, the account,
    # the entries, their items, the entitlements, the building, the catalogue, the menu, the tabs.
    with django_assert_max_num_queries(17):
        assert client.get(f"/meals/{a.student.pk}/").status_code == 200


def test_the_statement_is_a_pdf_of_the_month(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 20000)
    c.sell((c.bun, 1))
    month = timezone.localdate().strftime("%Y-%m")
    response = signed_in(a.parent).get(f"/meals/{a.student.pk}/statement.pdf?month={month}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    child = access_meals_child(a.parent, a.student.pk)
    data = statement(child, timezone.localdate().replace(day=1))
    assert (data.opening, data.closing, data.total("top_up"), data.total("purchase")) == (
        0,
        17000,
        20000,
        -3000,
    )
    assert [(row.kind, [line.name for line in row.lines]) for row in data.rows] == [
        ("top_up", []),
        ("purchase", ["Булочка"]),
    ]
    assert signed_in(a.classmate_parent).get(f"/meals/{a.student.pk}/statement.pdf").status_code == 404


def test_the_home_page_shows_each_childs_balance(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 20000)
    c.sell((c.bun, 1))
    shown = signed_in(a.parent).get("/").content.decode()
    assert shown.count('data-testid="meals-panel"') == 1  # the sibling has no account
    assert "170.00" in shown and "30.00" in shown


def test_a_purchase_below_the_threshold_warns_the_guardians_once(
    cafeteria: Cafeteria, django_capture_on_commit_callbacks: Any
) -> None:
    c = cafeteria
    a = c.world.a
    c.fund(a.student, 20000)
    Account.objects.filter(student=a.student).update(low_balance_threshold=15000)
    with django_capture_on_commit_callbacks(execute=True):
        c.sell((c.juice, 1), sale_id="1")  # 150.00: not below
        c.sell((c.bun, 1), sale_id="2")  # 120.00: crosses
        c.sell((c.bun, 1), sale_id="3")  # 90.00: below already, nothing new
    told = list(Notification.objects.filter(kind="meals_low_balance"))
    assert [n.recipient_id for n in told] == [a.parent.pk]
    assert row_of(told[0]).text.endswith("Meal account: 120.00\u00a0₽ left, below 150.00\u00a0₽")
    assert row_of(told[0]).link == f"/meals/{a.student.pk}/"
