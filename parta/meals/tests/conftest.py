"""A school's cafeteria for the meals tests: school A of the two-school world with a cash desk in
its building, a catalogue, today's menu, cards for its students and a payment provider."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from parta.accounts.models import MachineClient
from parta.accounts.services import machine_client_create
from parta.accounts.signatures import SIGNATURE_HEADER, sign
from parta.meals import ledger
from parta.meals.models import MenuItem, MenuLine
from parta.meals.providers import PaymentNotice
from parta.meals.services import payment_record
from parta.passage.models import Card
from parta.schools.services import machine_client_for_school_create
from parta.testing.world import World


@dataclass
class Cafeteria:
    world: World
    desk: MachineClient
    desk_secret: str
    provider: MachineClient
    provider_secret: str
    breakfast: MenuItem
    lunch: MenuItem
    bun: MenuItem
    juice: MenuItem
    nut_bar: MenuItem
    card: Card  # a.student's
    sibling_card: Card
    classmate_card: Card
    other_school_card: Card  # b.student's
    funded: int = 0

    def desk_api(self) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {self.desk_secret}")
        return api

    def sell(self, *items: tuple[MenuItem | int, int], card: Card | None = None, sale_id: str = "s-1") -> Any:
        body = {
            "sale_id": sale_id,
            "card": (card or self.card).number,
            "items": [{"item": getattr(item, "pk", item), "quantity": quantity} for item, quantity in items],
        }
        return self.desk_api().post("/api/v1/meals/sales", body, format="json")

    def callback(
        self, body: dict[str, Any], *, fmt: str = "parta", secret: str | None = None, **extra: Any
    ) -> Any:
        raw = json.dumps(body).encode()
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {self.provider_secret}")
        signature = sign(raw, secret or self.provider.signing_secret)
        headers: dict[str, Any] = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": signature, **extra}
        return api.post(f"/api/v1/payments/{fmt}/callback", raw, content_type="application/json", **headers)

    def fund(self, student: Any, amount: int, payment_id: str | None = None) -> None:
        """Credit ``amount`` kopecks to the student's account as a bank transfer would."""

        with transaction.atomic():
            account = ledger.account_locked(student.pk, school_id=self.world.a.school.pk)
        payment_record(
            provider=self.provider,
            adapter="parta",
            notice=PaymentNotice(
                payment_id or f"fund-{student.pk}-{amount}-{account.balance}",
                True,
                amount,
                account=account.pk,
            ),
        )


def item(school: Any, name: str, price: int, **fields: Any) -> MenuItem:
    return MenuItem.objects.create(school=school, name_ru=name, name_en=name, price=price, **fields)


@pytest.fixture
def cafeteria(world: World) -> Cafeteria:
    a = world.a
    building_id = a.group.building_id
    desk, desk_secret = machine_client_for_school_create(
        actor=None, school_id=a.school.pk, building_id=building_id, kind="cash_desk", name="Desk 1"
    )
    provider, provider_secret = machine_client_create(
        by=None, kind="payment_provider", name="Bank", scopes=["payments:callback"]
    )
    breakfast = item(
        a.school, "Завтрак", 9000, kind="complex", meal="breakfast", allergens=["milk", "gluten"]
    )
    lunch = item(a.school, "Обед", 15000, kind="complex", meal="lunch", allergens=["gluten"])
    bun = item(a.school, "Булочка", 3000, allergens=["gluten", "eggs"])
    juice = item(a.school, "Сок", 5000)
    nut_bar = item(a.school, "Ореховый батончик", 4000, allergens=["nuts"])
    today = timezone.localdate()
    MenuLine.objects.bulk_create(
        MenuLine(school=a.school, building_id=building_id, day=today, item=i, price=i.price)
        for i in (breakfast, lunch, bun, juice, nut_bar)
    )
    cards = {
        name: Card.objects.create(school=school, holder=holder, number=f"CARD-{name}")
        for name, school, holder in (
            ("student", a.school, a.student),
            ("sibling", a.school, a.sibling),
            ("classmate", a.school, a.classmate),
            ("b", world.b.school, world.b.student),
        )
    }
    return Cafeteria(
        world,
        desk,
        desk_secret,
        provider,
        provider_secret,
        breakfast,
        lunch,
        bun,
        juice,
        nut_bar,
        cards["student"],
        cards["sibling"],
        cards["classmate"],
        cards["b"],
    )
