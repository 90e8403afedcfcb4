"""The parent's meals page in a real Chromium (issue: passage, meals and sick notes, item 3): the
parent stops an allergen and an item, tops the account up through the simulated payment provider,
sees the cash desk's purchase in the history with the balance and the month's chart, and warns the
cash desk off the stop-listed item. Desk and phone, Russian and English, axe, screenshots in
test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from parta.meals.models import Account, LedgerEntry, MenuItem, MenuLine, TopUp
from parta.passage.models import Card
from parta.schools.services import machine_client_for_school_create
from parta.testing.world import World
from tests.browser.test_assessment import (
    DESK,
    PHONE,
    closed,
    fits,
    in_english,
    no_serious_axe_problems,
    open_as,
    screenshot,
)

pytestmark = pytest.mark.browser


def cafeteria(world: World) -> dict[str, Any]:
    """School A's cafeteria: a desk in the building, today's menu, a card for the student."""
    a = world.a
    building = a.group.building_id
    _desk, secret = machine_client_for_school_create(
        actor=None, school_id=a.school.pk, building_id=building, kind="cash_desk", name="Касса 1"
    )
    items = {
        key: MenuItem.objects.create(school=a.school, name_ru=ru, name_en=en, price=price, **fields)
        for key, ru, en, price, fields in (
            (
                "breakfast",
                "Завтрак «Каша»",
                "Breakfast: porridge",
                9500,
                {"kind": "complex", "meal": "breakfast", "allergens": ["milk", "gluten"]},
            ),
            ("bun", "Булочка с маком", "Poppy-seed bun", 3500, {"allergens": ["gluten", "eggs"]}),
            ("juice", "Сок яблочный", "Apple juice", 4000, {}),
            ("nut_bar", "Батончик с орехами", "Nut bar", 5500, {"allergens": ["nuts", "milk"]}),
        )
    }
    MenuLine.objects.bulk_create(
        MenuLine(school=a.school, building_id=building, day=timezone.localdate(), item=item, price=item.price)
        for item in items.values()
    )
    card = Card.objects.create(school=a.school, holder=a.student, number="04A1B2C3D4")
    return {"desk": secret, "items": items, "card": card}


def sell(place: dict[str, Any], sale_id: str, *keys: str) -> Any:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {place['desk']}")
    body = {
        "sale_id": sale_id,
        "card": place["card"].number,
        "items": [{"item": place["items"][k].pk} for k in keys],
    }
    return api.post("/api/v1/meals/sales", body, format="json")


def test_a_parent_sets_the_stop_list_tops_up_and_sees_the_history(
    chromium: Any, live_server: Any, world: World, settings: Any
) -> None:
    settings.PARTA_MEALS_SIMULATED_PROVIDER = True
    a = world.a
    place = cafeteria(world)
    url = f"{live_server.url}/meals/{a.student.pk}/"
    context, page = open_as(chromium, live_server, a.parent, DESK)
    try:
        page.goto(url)
        assert page.locator("h1").text_content() == a.student.full_name
        assert page.get_by_test_id("meals-balance").text_content() == "0,00\xa0₽"
        screenshot(page, "meals-parent-desk-ru")
        no_serious_axe_problems(page)

        # The stop-list: the nuts allergen and the juice.
        page.get_by_label("орехи").check()
        page.get_by_label("Сок яблочный").check()
        page.get_by_role("button", name="Сохранить стоп-лист").click()
        page.wait_for_load_state()
        assert "Стоп-лист сохранён" in (page.locator(".flash").text_content() or "")
        assert page.get_by_label("орехи").is_checked()
        account = Account.objects.get(student=a.student)
        assert (account.stop_items, account.stop_allergens) == ([place["items"]["juice"].pk], ["nuts"])

        # A top-up through the simulated provider.
        page.get_by_label("Сумма, ₽").fill("500")
        page.get_by_role("button", name="Пополнить").click()
        page.wait_for_url("**/meals/pay/*/")
        assert "500,00" in (page.locator("h1").text_content() or "")
        screenshot(page, "meals-simulated-provider-desk-ru")
        no_serious_axe_problems(page)
        page.get_by_role("button", name="Оплатить", exact=True).click()
        page.wait_for_url(f"**/meals/{a.student.pk}/**")
        assert page.get_by_test_id("meals-balance").text_content() == "500,00\xa0₽"
        assert TopUp.objects.get().status == TopUp.Status.PAID
        assert LedgerEntry.objects.get().amount == 50000

        # The cash desk sells; the stop-listed juice and nut bar it refuses.
        assert sell(place, "1", "breakfast", "bun").status_code == 201
        assert sell(place, "2", "juice").json()["code"] == "stop_list"
        assert sell(place, "3", "nut_bar").json()["code"] == "stop_list"
        page.reload()
        assert page.get_by_test_id("meals-balance").text_content() == "370,00\xa0₽"
        history = page.get_by_test_id("meals-history")
        assert "Завтрак «Каша», Булочка с маком" in (history.text_content() or "")
        assert "−130,00" in (history.text_content() or "")
        assert page.get_by_test_id("meals-month-paid").text_content() == "130,00\xa0₽"
        page.locator("#meals-chart").wait_for()
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('meals-chart'))")
        screenshot(page, "meals-history-desk-ru")
        no_serious_axe_problems(page)

        in_english(page)
        assert page.get_by_test_id("meals-balance").text_content() == "370.00\xa0₽"
        assert page.get_by_role("heading", name="Stop-list").is_visible()
        assert "Breakfast: porridge, Poppy-seed bun" in (
            page.get_by_test_id("meals-history").text_content() or ""
        )
        screenshot(page, "meals-history-desk-en")
        no_serious_axe_problems(page)

        # The home page's panel shows the balance.
        page.goto(f"{live_server.url}/")
        assert "370.00" in (page.get_by_test_id("meals-panel").text_content() or "")
        screenshot(page, "meals-home-panel-desk-en")
    finally:
        closed(context)

    for language in ("ru", "en"):
        context, page = open_as(chromium, live_server, a.parent, PHONE)
        try:
            page.goto(url)
            if language == "en":
                in_english(page)
            page.get_by_test_id("meals-history").wait_for()
            fits(page, PHONE["width"])
            screenshot(page, f"meals-parent-phone-{language}")
            no_serious_axe_problems(page)
        finally:
            closed(context)


def test_a_child_sees_the_balance_but_changes_nothing(chromium: Any, live_server: Any, world: World) -> None:
    a = world.a
    cafeteria(world)
    context, page = open_as(chromium, live_server, a.student, PHONE)
    try:
        page.goto(f"{live_server.url}/meals/{a.student.pk}/")
        assert page.get_by_test_id("meals-balance").is_visible()
        assert page.get_by_role("button", name="Сохранить стоп-лист").count() == 0
        assert page.locator("#top-up").count() == 0
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "meals-student-phone-ru")
    finally:
        closed(context)


def test_the_administrator_keeps_the_menu_and_the_free_meals(
    chromium: Any, live_server: Any, world: World
) -> None:
    a = world.a
    place = cafeteria(world)
    today = timezone.localdate()
    context, page = open_as(chromium, live_server, a.admin, DESK)
    try:
        page.goto(f"{live_server.url}/school/{a.school.pk}/meals/")
        no_serious_axe_problems(page)
        screenshot(page, "meals-school-desk-ru")
        page.goto(
            f"{live_server.url}/school/{a.school.pk}/meals/menus/{a.group.building_id}/{today.isoformat()}/"
        )
        page.get_by_role("checkbox", name="Сок яблочный").uncheck()
        page.get_by_label("Цена: Булочка с маком").fill("30")
        screenshot(page, "meals-menu-day-desk-ru")
        no_serious_axe_problems(page)
        page.get_by_role("button", name="Сохранить меню").click()
        page.wait_for_load_state()
        assert "Меню сохранено" in (page.locator(".flash").text_content() or "")
        prices = dict(MenuLine.objects.filter(day=today).values_list("item_id", "price"))
        assert place["items"]["juice"].pk not in prices and prices[place["items"]["bun"].pk] == 3000

        page.goto(f"{live_server.url}/school/{a.school.pk}/meals/entitlements/")
        page.get_by_label("Ученик").select_option(str(a.student.pk))
        page.get_by_label("Категория").select_option("large_family")
        page.get_by_role("button", name="Назначить").click()
        page.wait_for_load_state()
        assert a.student.full_name in (page.locator("table").text_content() or "")
        no_serious_axe_problems(page)
        screenshot(page, "meals-entitlements-desk-ru")
        assert sell(place, "1", "breakfast").json()["total"] == 0

        page.goto(f"{live_server.url}/school/{a.school.pk}/meals/students/{a.student.pk}/")
        in_english(page)
        page.get_by_label("Amount, ₽").fill("100")
        page.locator("#id_reason").fill("Opening balance")
        page.get_by_role("button", name="Record the correction").click()
        page.wait_for_load_state()
        assert LedgerEntry.objects.filter(kind="correction", amount=10000).exists()
        no_serious_axe_problems(page)
        screenshot(page, "meals-student-account-desk-en")
    finally:
        closed(context)
    context, page = open_as(chromium, live_server, a.admin, PHONE)
    try:
        for path in ("", "students/", "entitlements/", f"students/{a.student.pk}/"):
            page.goto(f"{live_server.url}/school/{a.school.pk}/meals/{path}")
            fits(page, PHONE["width"])
            no_serious_axe_problems(page)
        screenshot(page, "meals-student-account-phone-ru")
    finally:
        closed(context)
