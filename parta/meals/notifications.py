"""Meals' notification kinds and the outbox handlers that make them (registered by the app's
``Config.ready``; messaging lists no app's kinds).

``meals_low_balance`` tells a child's guardians that a purchase took the balance below the threshold
they set; ``meals_top_up`` that money reached the account (not the parent who paid from the page).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.accounts.selectors import guardians_of, names_of
from parta.meals.money import rubles
from parta.messaging.kinds import Payload, about_student, person_fields, register_kind
from parta.messaging.models import Delivery
from parta.messaging.notifications import Notice, notify
from parta.outbox.handlers import payload_id, payload_ids, register
from parta.outbox.models import OutboxEvent

LOW_BALANCE = "meals_low_balance"
TOP_UP = "meals_top_up"


def _amount(p: Payload, key: str) -> str:
    value = p.get(key)
    return rubles(value if isinstance(value, int) else None)


def render_low_balance(p: Payload) -> str:
    return _("Meal account: %(balance)s left, below %(threshold)s") % {
        "balance": _amount(p, "balance"),
        "threshold": _amount(p, "threshold"),
    }


def render_top_up(p: Payload) -> str:
    return _("Meal account topped up by %(amount)s; the balance is %(balance)s") % {
        "amount": _amount(p, "amount"),
        "balance": _amount(p, "balance"),
    }


def _meals_link(p: Payload) -> str:
    student_id = payload_id(p.get("student_id"))
    return reverse("meals-child", args=[student_id]) if student_id is not None else ""


def register_kinds() -> None:
    register_kind(
        LOW_BALANCE,
        label=gettext_lazy("low meal balance"),
        render=render_low_balance,
        link=_meals_link,
        channels=frozenset({Delivery.Channel.PUSH, Delivery.Channel.EMAIL}),
        about=about_student,
    )
    register_kind(
        TOP_UP,
        label=gettext_lazy("meal account top-up"),
        render=render_top_up,
        link=_meals_link,
        about=about_student,
    )


def _guardians_told(events: Sequence[OutboxEvent], kind: str) -> list[Notice]:
    """Each event's child's guardians, with the child's name: two queries for the batch."""
    events = [event for event in events if payload_id(event.payload.get("student_id")) is not None]
    students = payload_ids(events, "student_id")
    names, guardians = names_of(students), guardians_of(students)
    notices = []
    for event in events:
        student_id = event.payload["student_id"]
        payload = {**event.payload, **person_fields("student_name", names.get(student_id))}
        notices.append(
            Notice(
                guardians.get(student_id, set()),
                kind,
                payload,
                event.school_id,
                event.pk,
                actor_id=event.payload.get("actor_id"),
            )
        )
    return notices


@register("meals.low_balance")
def notify_low_balance(events: Sequence[OutboxEvent]) -> None:
    notify(_guardians_told(events, LOW_BALANCE))


@register("meals.top_up")
def notify_top_up(events: Sequence[OutboxEvent]) -> None:
    notify(_guardians_told(events, TOP_UP))
