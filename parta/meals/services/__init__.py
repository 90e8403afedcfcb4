"""The meals app's writes, split by who makes them: the cash desk's sales (``sales``), the payment
providers' confirmations (``payments``), the family's settings and top-ups (``family``), and the
school's cafeteria (``cafeteria``). Money moves only through ``parta.meals.ledger``."""

from parta.meals.services.cafeteria import (
    correction_make,
    entitlement_end,
    entitlement_grant,
    item_save,
    menu_copy,
    menu_day_set,
    sale_refund,
)
from parta.meals.services.common import Refused, kopecks
from parta.meals.services.family import meal_settings_set, stop_list_set, top_up_start
from parta.meals.services.payments import PaymentAnswer, payment_record
from parta.meals.services.sales import SaleAnswer, refusal_record, sale_record

__all__ = [
    "PaymentAnswer",
    "Refused",
    "SaleAnswer",
    "correction_make",
    "entitlement_end",
    "entitlement_grant",
    "item_save",
    "kopecks",
    "meal_settings_set",
    "menu_copy",
    "menu_day_set",
    "payment_record",
    "refusal_record",
    "sale_record",
    "sale_refund",
    "stop_list_set",
    "top_up_start",
]
