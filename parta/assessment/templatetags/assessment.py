"""Points as people write them: "2,5", "13", "0,67" (the language's decimal mark, no trailing zeros)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats

register = template.Library()

_CENTS = Decimal("0.01")


@register.filter
def points(value: Any) -> str:
    """A number of points rounded to hundredths, without trailing zeros, in the reader's format."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(_CENTS)
    except InvalidOperation:
        return str(value)
    places = 0 if number == number.to_integral_value() else (1 if number * 10 % 1 == 0 else 2)
    return formats.number_format(number, places)
