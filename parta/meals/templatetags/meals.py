"""``{% load meals %}``: amounts of kopecks as roubles (``rubles``, ``rubles_signed``, ``as_rubles``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from parta.meals.money import rubles as _rubles

register = template.Library()


@register.filter
def rubles(kopecks: int | None) -> str:
    return _rubles(kopecks)


@register.filter
def rubles_signed(kopecks: int | None) -> str:
    return _rubles(kopecks, sign=True)


@register.filter
def as_rubles(kopecks: int | None) -> str:
    """The amount as a form's field shows it: «150.50», «150»."""
    if kopecks is None:
        return ""
    value = Decimal(kopecks) / 100
    return str(value.quantize(Decimal(1))) if kopecks % 100 == 0 else str(value)


@register.filter
def get(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key, "")
