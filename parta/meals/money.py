"""Kopecks as people read them: «1 234,50 ₽» in Russian, «1,234.50 ₽» in English."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import formats

# The largest amount one top-up, correction or limit may name: 100,000 roubles (and far below
# what an integer column holds, so that no sum of a day's entries can overflow).
MAX_AMOUNT = 10_000_000


def rubles(kopecks: int | None, *, sign: bool = False) -> str:
    """An amount of kopecks in roubles, grouped in the active language's way; ``sign`` writes a
    plus before a positive amount (a ledger's credit). "—" for no amount."""
    if kopecks is None:
        return "—"
    value = Decimal(abs(kopecks)) / 100
    text = formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    prefix = "−" if kopecks < 0 else ("+" if sign and kopecks > 0 else "")
    return f"{prefix}{text}\u00a0₽"


def kopecks(rubles: Decimal | int | str) -> int:
    """Roubles as typed (``500``, ``"99.90"``) in kopecks; ValueError for anything with more than
    two decimal places or that is not a number."""
    try:
        value = Decimal(str(rubles)) * 100
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {rubles!r}") from error
    if value != value.to_integral_value():
        raise ValueError(f"more than two decimal places: {rubles!r}")
    return int(value)
