"""``POST /api/v1/meals/sales``: a cash desk's sale, its refusals with their codes, its retries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from parta.accounts.models import MachineCall
from parta.accounts.services import machine_client_create
from parta.core.ids import MAX_ID
from parta.meals.api import SaleApi, plain_sale
from parta.meals.models import Account, Entitlement, LedgerEntry, MenuLine, Sale, SaleLine, SaleRefusal
from parta.meals.tests.conftest import Cafeteria
from parta.passage.models import Card
from parta.testing.factories import api_key

pytestmark = pytest.mark.django_db


def written() -> tuple[int, int, int]:
    return Sale.objects.count(), SaleLine.objects.count(), LedgerEntry.objects.count()


def account_of(student: Any) -> Account:
    return Account.objects.get(student=student)


def test_a_sale_is_paid_from_the_balance_and_answered_with_its_lines(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 30000)
    response = c.sell((c.bun, 2), (c.juice, 1))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sale_id"], body["card"], body["total"], body["subsidised"], body["balance"]) == (
        "s-1",
        c.card.number,
        11000,
        0,
        19000,
    )
    assert [
        (line["item"], line["quantity"], line["price"], line["amount"], line["free"])
        for line in body["lines"]
    ] == [
        (c.bun.pk, 2, 3000, 6000, False),
        (c.juice.pk, 1, 5000, 5000, False),
    ]
    account = account_of(c.world.a.student)
    assert account.balance == 19000
    entry = LedgerEntry.objects.get(kind="purchase")
    assert (entry.amount, entry.balance_after, entry.sale_id) == (-11000, 19000, body["id"])
    sale = Sale.objects.get()
    assert (sale.device_id, sale.building_id, sale.school_id, sale.card_id) == (
        c.desk.pk,
        c.world.a.group.building_id,
        c.world.a.school.pk,
        c.card.pk,
    )


def test_the_price_is_the_days_menu_price_not_the_catalogues(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 30000)
    MenuLine.objects.filter(item=c.bun).update(price=2500)
    assert c.sell((c.bun, 1)).json()["total"] == 2500


def test_an_item_sent_twice_is_one_line(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 30000)
    body = c.sell((c.bun, 1), (c.bun, 2)).json()
    assert [(line["item"], line["quantity"]) for line in body["lines"]] == [(c.bun.pk, 3)]


def test_a_retry_is_answered_as_the_first_time_and_writes_nothing(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 12000)
    first = c.sell((c.bun, 2), (c.juice, 1))
    assert first.status_code == 201
    # The balance is now too small for the same sale: a retry must not be refused for it.
    again = c.sell((c.bun, 2), (c.juice, 1))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert written() == (1, 2, 2)
    assert account_of(c.world.a.student).balance == 1000


def test_a_retry_after_the_card_was_blocked_is_still_the_first_answer(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 12000)
    first = c.sell((c.bun, 1))
    Card.objects.filter(pk=c.card.pk).update(status=Card.Status.BLOCKED)
    again = c.sell((c.bun, 1))
    assert (again.status_code, again.json()) == (201, first.json())


def test_a_retry_after_the_item_left_the_menu_is_still_the_first_answer(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 12000)
    first = c.sell((c.bun, 1))
    MenuLine.objects.filter(item=c.bun).delete()
    again = c.sell((c.bun, 1))
    assert (again.status_code, again.json()) == (201, first.json())
    assert c.sell((c.bun, 1), sale_id="s-2").json()["code"] == "unknown_item"
    assert written() == (1, 1, 2)


def test_the_same_sale_id_for_another_sale_is_a_409_and_writes_nothing(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 30000)
    c.fund(c.world.a.sibling, 30000)
    assert c.sell((c.bun, 1)).status_code == 201
    for other in (c.sell((c.bun, 2)), c.sell((c.bun, 1), card=c.sibling_card)):
        assert other.status_code == 409
        assert other.json()["code"] == "duplicate_sale_id"
    assert written() == (1, 1, 3)


def test_an_idempotency_key_sent_again_with_another_sale_is_a_422_and_writes_nothing(
    cafeteria: Cafeteria,
) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 100000)
    url = "/api/v1/meals/sales"
    body = {"sale_id": "k-1", "card": c.card.number, "items": [{"item": c.bun.pk, "quantity": 1}]}
    first = c.desk_api().post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="desk-1")
    again = c.desk_api().post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="desk-1")
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = c.desk_api().post(url, {**body, "sale_id": "k-2"}, format="json", HTTP_IDEMPOTENCY_KEY="desk-1")
    assert other.status_code == 422
    assert Sale.objects.count() == 1


def test_another_desk_may_use_the_same_sale_id(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 30000)
    assert c.sell((c.bun, 1)).status_code == 201
    _desk, secret = machine_client_create(
        by=None,
        kind="cash_desk",
        name="Desk 2",
        scopes=["meals:write"],
        school_id=c.world.a.school.pk,
        building_id=c.world.a.group.building_id,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"sale_id": "s-1", "card": c.card.number, "items": [{"item": c.bun.pk}]}
    assert api.post("/api/v1/meals/sales", body, format="json").status_code == 201
    assert account_of(c.world.a.student).balance == 24000


# --- refusals -----------------------------------------------------------------------------------------


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.json()
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["detail"] and body["errors"]
    return body


def test_not_enough_money_is_refused_with_the_balance(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 5000)
    body = refused(c.sell((c.bun, 1), (c.juice, 1)), 422, "insufficient_balance")
    assert (body["balance"], body["total"]) == (5000, 8000)
    assert written() == (0, 0, 1)
    assert SaleRefusal.objects.get().code == "insufficient_balance"


def test_a_child_without_an_account_has_nothing_to_spend(cafeteria: Cafeteria) -> None:
    c = cafeteria
    refused(c.sell((c.bun, 1)), 422, "insufficient_balance")
    # The account opened for the sale went with the refused sale's transaction.
    assert not Account.objects.exists()


def test_the_daily_limit_counts_todays_sales(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 50000)
    Account.objects.filter(student=c.world.a.student).update(daily_limit=10000)
    assert c.sell((c.bun, 2), sale_id="1").status_code == 201
    body = refused(c.sell((c.juice, 1), sale_id="2"), 422, "daily_limit")
    assert (body["daily_limit"], body["spent_today"], body["total"]) == (10000, 6000, 5000)
    assert c.sell((c.bun, 1), sale_id="3").status_code == 201


def test_yesterdays_and_refunded_sales_do_not_count_in_the_daily_limit(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 50000)
    Account.objects.filter(student=c.world.a.student).update(daily_limit=10000)
    assert c.sell((c.bun, 3), sale_id="1").status_code == 201
    Sale.objects.update(day=timezone.localdate() - dt.timedelta(days=1))
    assert c.sell((c.bun, 3), sale_id="2").status_code == 201
    Sale.objects.filter(sale_id="2").update(refunded_at=timezone.now())
    assert c.sell((c.bun, 3), sale_id="3").status_code == 201


def test_a_stop_listed_item_is_refused_naming_it(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 50000)
    Account.objects.filter(student=c.world.a.student).update(stop_items=[c.juice.pk])
    body = refused(c.sell((c.bun, 1), (c.juice, 1)), 422, "stop_list")
    assert (body["item"], body["allergen"]) == (c.juice.pk, None)
    assert c.sell((c.bun, 1)).status_code == 201


def test_an_item_with_a_stop_listed_allergen_is_refused_naming_the_allergen(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 50000)
    Account.objects.filter(student=c.world.a.student).update(stop_allergens=["nuts"])
    body = refused(c.sell((c.nut_bar, 1)), 422, "stop_list")
    assert (body["item"], body["allergen"]) == (c.nut_bar.pk, "nuts")
    assert written() == (0, 0, 1)


def test_the_stop_list_refuses_even_a_free_meal(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    today = timezone.localdate()
    Entitlement.objects.create(
        school=a.school, student=a.student, category="primary", starts_on=today, ends_on=today, lunch=False
    )
    Account.objects.create(student=a.student, school=a.school, stop_allergens=["milk"])
    refused(c.sell((c.breakfast, 1)), 422, "stop_list")


def test_unknown_and_blocked_cards_are_refused(cafeteria: Cafeteria) -> None:
    c = cafeteria
    refused(c.sell((c.bun, 1), card=Card(number="NO-SUCH")), 422, "unknown_card")
    Card.objects.filter(pk=c.card.pk).update(status=Card.Status.BLOCKED)
    refused(c.sell((c.bun, 1)), 422, "blocked_card")
    assert written() == (0, 0, 0)
    assert list(SaleRefusal.objects.order_by("pk").values_list("code", "card_number")) == [
        ("unknown_card", "NO-SUCH"),
        ("blocked_card", c.card.number),
    ]


def test_a_card_of_another_school_is_refused(cafeteria: Cafeteria) -> None:
    c = cafeteria
    refused(c.sell((c.bun, 1), card=c.other_school_card), 422, "other_school")
    assert not Account.objects.exists()


def test_an_item_not_on_todays_menu_of_the_building_is_refused(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 50000)
    MenuLine.objects.filter(item=c.juice).update(day=timezone.localdate() + dt.timedelta(days=1))
    body = refused(c.sell((c.bun, 1), (c.juice, 1)), 422, "unknown_item")
    assert body["items"] == [c.juice.pk]
    refused(c.sell((c.bun, 1), (999999, 1)), 422, "unknown_item")
    assert written() == (0, 0, 1)


# --- free meals ------------------------------------------------------------------------------------


def test_an_entitled_child_gets_one_free_breakfast_a_day_and_pays_for_the_rest(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    today = timezone.localdate()
    entitlement = Entitlement.objects.create(
        school=a.school,
        student=a.student,
        category="large_family",
        starts_on=today,
        ends_on=today,
        lunch=False,
    )
    c.fund(a.student, 20000)
    body = c.sell((c.breakfast, 2), (c.bun, 1), sale_id="1").json()
    assert (body["total"], body["subsidised"], body["balance"]) == (12000, 9000, 8000)
    assert [(line["item"], line["quantity"], line["amount"], line["free"]) for line in body["lines"]] == [
        (c.breakfast.pk, 1, 0, True),
        (c.breakfast.pk, 1, 9000, False),
        (c.bun.pk, 1, 3000, False),
    ]
    assert SaleLine.objects.filter(entitlement=entitlement).count() == 1
    # The breakfast of the day is given: another one is paid; lunch is not in the entitlement.
    assert c.sell((c.breakfast, 1), sale_id="2").status_code == 422


def test_a_fully_free_meal_costs_nothing_and_is_recorded(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    today = timezone.localdate()
    Entitlement.objects.create(
        school=a.school, student=a.student, category="primary", starts_on=today, ends_on=today
    )
    body = c.sell((c.breakfast, 1), (c.lunch, 1)).json()
    assert (body["total"], body["subsidised"], body["balance"]) == (0, 24000, 0)
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.balance_after) == ("purchase", 0, 0)


def test_an_entitlement_outside_its_dates_gives_nothing(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Entitlement.objects.create(
        school=a.school, student=a.student, category="primary", starts_on=yesterday, ends_on=yesterday
    )
    refused(c.sell((c.breakfast, 1)), 422, "insufficient_balance")


def test_a_refunded_free_breakfast_may_be_given_again(cafeteria: Cafeteria) -> None:
    c = cafeteria
    a = c.world.a
    today = timezone.localdate()
    Entitlement.objects.create(
        school=a.school, student=a.student, category="primary", starts_on=today, ends_on=today
    )
    assert c.sell((c.breakfast, 1), sale_id="1").json()["total"] == 0
    Sale.objects.update(refunded_at=timezone.now())
    assert c.sell((c.breakfast, 1), sale_id="2").json()["total"] == 0


# --- bad input and bad callers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"card": "CARD-student", "items": [{"item": 1}]}, "sale_id", "required"),
        ({"sale_id": "x", "items": [{"item": 1}]}, "card", "required"),
        ({"sale_id": "x", "card": "CARD-student"}, "items", "required"),
        ({"sale_id": "x", "card": "CARD-student", "items": []}, "items", "min_length"),
        (
            {"sale_id": "x", "card": "CARD-student", "items": [{"item": 1, "quantity": -1}]},
            "items",
            "min_value",
        ),
        (
            {"sale_id": "x", "card": "CARD-student", "items": [{"item": 1, "quantity": 0}]},
            "items",
            "min_value",
        ),
        ({"sale_id": "x", "card": "CARD-student", "items": [{"item": "bun"}]}, "items", "invalid"),
        ({"sale_id": "x" * 65, "card": "CARD-student", "items": [{"item": 1}]}, "sale_id", "invalid"),
        ({"sale_id": "a b", "card": "CARD-student", "items": [{"item": 1}]}, "sale_id", "invalid"),
    ],
)
def test_malformed_input_is_a_400_with_the_fields_code_and_writes_nothing(
    cafeteria: Cafeteria, body: dict[str, Any], field: str, code: str
) -> None:
    response = cafeteria.desk_api().post("/api/v1/meals/sales", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert response.json()["code"] == code
    assert written() == (0, 0, 0)
    assert not SaleRefusal.objects.exists()


def test_a_body_the_serializer_converts_is_sold_alike(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.fund(c.world.a.student, 30000)
    body = {
        "sale_id": " s-1 ",
        "card": c.card.number,
        "items": [{"item": str(c.bun.pk), "quantity": "2", "note": "hot"}, {"item": c.juice.pk}],
    }
    assert plain_sale(body) is None  # read by the serializer, which trims and converts
    response = c.desk_api().post("/api/v1/meals/sales", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["sale_id"], response.json()["total"]) == ("s-1", 11000)
    assert plain_sale({**body, "sale_id": "s-1", "items": [{"item": c.bun.pk, "quantity": 2}]}) == (
        "s-1",
        c.card.number,
        [(c.bun.pk, 2)],
    )


_anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=2**64),
    st.sampled_from([0, 1, 20, 21, 30, 31, MAX_ID, MAX_ID + 1]),
    st.floats(allow_nan=False),
    st.sampled_from(["", "7", " 7", "a b", "CARD-1\n", "é", "x" * 65, "12.0"]),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["item", "quantity"]), st.integers(0, 3)),
)
_line = st.fixed_dictionaries({"item": st.integers(1, MAX_ID)}, optional={"quantity": st.integers(1, 20)})
_lines = st.lists(_line, min_size=1, max_size=30)


@st.composite
def _bodies(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A body the plain reading takes, and where it was then changed to anything ("" for nowhere)."""
    text = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64)
    body: dict[str, Any] = {"sale_id": draw(text), "card": draw(text), "items": draw(_lines)}
    where = draw(st.sampled_from(["", "sale_id", "card", "items", "line", "item", "quantity", "other"]))
    line = body["items"][draw(st.integers(0, len(body["items"]) - 1))]
    anything = draw(st.one_of(_anything, st.lists(_line, max_size=32)) if where == "items" else _anything)
    if where in {"sale_id", "card", "items"}:
        body[where] = anything
    elif where == "line":
        body["items"][body["items"].index(line)] = anything
    elif where:
        line[where] = anything
    return body, where


def _edge(where: str, value: Any, *, sale_id: Any = "s-1", items: Any = None) -> tuple[dict[str, Any], str]:
    line = {"item": 1, "quantity": 1} if where not in {"item", "quantity"} else {"item": 1, where: value}
    return {"sale_id": sale_id, "card": "C-1", "items": [line] if items is None else items}, where


@hsettings(max_examples=400, deadline=None)
@given(_bodies())
@example(_edge("item", True))
@example(_edge("item", 0))
@example(_edge("item", MAX_ID + 1))
@example(_edge("item", "1"))
@example(_edge("quantity", 0))
@example(_edge("quantity", 21))
@example(_edge("quantity", 1.0))
@example(_edge("quantity", None))
@example(_edge("items", None, items=[]))
@example(_edge("items", None, items=[{"item": 1}] * 31))
@example(_edge("sale_id", None, sale_id="x" * 65))
@example(_edge("sale_id", None, sale_id="a b"))
@example(_edge("sale_id", None, sale_id="s-1\n"))
def test_the_plain_reading_takes_only_what_the_serializer_takes_and_reads_it_alike(
    changed: tuple[dict[str, Any], str],
) -> None:
    """The view reads a body by hand when it can (``plain_sale``): it must take nothing the input
    serializer refuses, and read what it takes as the serializer would. The examples are the edges."""
    body, where = changed
    plain = plain_sale(body)
    if plain is None:
        assert where, body  # every body of the desks' usual form is read plainly
        return
    data = SaleApi.InputSerializer(data=body)
    assert data.is_valid(), data.errors
    v = data.validated_data
    assert plain == (v["sale_id"], v["card"], [(line["item"], line["quantity"]) for line in v["items"]])


def test_a_body_that_is_not_json_is_a_400(cafeteria: Cafeteria) -> None:
    response = cafeteria.desk_api().post("/api/v1/meals/sales", b"{nope", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_an_unknown_or_wrong_credential_is_a_401_and_writes_nothing(cafeteria: Cafeteria) -> None:
    c = cafeteria
    body = {"sale_id": "x", "card": c.card.number, "items": [{"item": c.bun.pk}]}
    for credential in ("pm_not-a-desk", c.desk_secret + "x"):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
        response = api.post("/api/v1/meals/sales", body, format="json")
        assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    response = APIClient().post("/api/v1/meals/sales", body, format="json")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert written() == (0, 0, 0)


def test_a_turnstile_and_a_person_are_refused_with_403(cafeteria: Cafeteria) -> None:
    c = cafeteria
    body = {"sale_id": "x", "card": c.card.number, "items": [{"item": c.bun.pk}]}
    _gate, secret = machine_client_create(
        by=None, kind="turnstile", name="Gate", scopes=["passage:write"], school_id=c.world.a.school.pk
    )
    for credential in (secret, api_key(c.world.a.admin)):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
        response = api.post("/api/v1/meals/sales", body, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert written() == (0, 0, 0)


def test_a_desk_in_no_building_is_refused(cafeteria: Cafeteria) -> None:
    c = cafeteria
    _desk, secret = machine_client_create(
        by=None, kind="cash_desk", name="Loose", scopes=["meals:write"], school_id=c.world.a.school.pk
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"sale_id": "x", "card": c.card.number, "items": [{"item": c.bun.pk}]}
    refused(api.post("/api/v1/meals/sales", body, format="json"), 403, "device_not_placed")


def test_every_refusal_is_logged_as_the_desks_call(cafeteria: Cafeteria) -> None:
    c = cafeteria
    c.sell((c.bun, 1))
    call = MachineCall.objects.get(client=c.desk)
    assert (call.method, call.path, call.status) == ("POST", "/api/v1/meals/sales", 422)


def test_a_sale_costs_a_handful_of_queries(cafeteria: Cafeteria, django_assert_max_num_queries: Any) -> None:
    c = cafeteria
    a = c.world.a
    today = timezone.localdate()
    Entitlement.objects.create(
        school=a.school, student=a.student, category="primary", starts_on=today, ends_on=today
    )
    Account.objects.create(student=a.student, school=a.school, daily_limit=100000, low_balance_threshold=100)
    c.fund(a.student, 50000)
    c.sell((c.bun, 1), sale_id="warm")  # the desk's last use is written once in a while
    # The credential, the card, the account locked, today's facts with the menu, the sale with its
    # lines, entry and balance, the call's log; the transaction's two. SQLite writes the sale, its
    # entry and its four lines one by one (in a savepoint of their own), then the balance.
    budget = 8 if connection.vendor == "postgresql" else 8 + 5 + 2 + 1
    with django_assert_max_num_queries(budget):
        response = c.sell((c.breakfast, 1), (c.lunch, 1), (c.bun, 2), (c.juice, 1))
    assert response.status_code == 201


# --- the desk's menu --------------------------------------------------------------------------------


def test_the_desk_reads_todays_menu_of_its_building(cafeteria: Cafeteria) -> None:
    c = cafeteria
    body = c.desk_api().get("/api/v1/meals/menu").json()
    assert body["building"] == c.world.a.group.building_id
    assert body["date"] == timezone.localdate().isoformat()
    by_id = {row["id"]: row for row in body["items"]}
    assert set(by_id) == {c.breakfast.pk, c.lunch.pk, c.bun.pk, c.juice.pk, c.nut_bar.pk}
    assert by_id[c.breakfast.pk] | {"name": ""} == {
        "id": c.breakfast.pk,
        "name": "",
        "description": "",
        "kind": "complex",
        "meal": "breakfast",
        "price": 9000,
        "allergens": ["milk", "gluten"],
    }
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert c.desk_api().get(f"/api/v1/meals/menu?date={tomorrow}").json()["items"] == []
    assert c.desk_api().get("/api/v1/meals/menu?date=9999-01-01").status_code == 400
