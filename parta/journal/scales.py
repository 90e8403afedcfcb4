"""Marking scales: their bounds, how a value is shown, the weighted average and the suggested final mark.

Scales
    ``five`` 1–5 (the Russian default), ``ten`` 1–10, ``hundred`` 0–100, and ``pass_fail`` with
    0 = fail and 1 = pass. Pass/fail marks are shown as words and never enter an average.

Period and year marks
    Given on the subject's final scale (``GradingScheme.final_scale``, by default the lessons'
    scale), or «н/а» — not attested — which has no value and, like pass/fail, never enters the
    year's average.

Weighted average
    Σ value × weight / Σ weight over the marks that have a value (an owed mark has none) and are not
    pass/fail. No such marks: no average (``None``). The average is rounded to two decimals
    (half up) — the figure the teacher and the family see — and the suggested mark is computed from
    exactly that figure, so what is shown and what is suggested never disagree.

Rounding rule (the school's ``GradingScheme.round_up_from``)
    The suggested period or year mark is the whole part of the average, plus one when the average's
    fractional part is at least the threshold. With the default 0.50 this is ordinary rounding
    (3.50 → 4, 3.49 → 3); with 0.60, the stricter rule many schools use, 3.59 → 3 and 3.60 → 4;
    with 1.00 the mark is never rounded up. The result is always kept within the scale's bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from parta.journal.models import Scale

DEFAULT_SCALE = Scale.FIVE
DEFAULT_ROUND_UP_FROM = Decimal("0.50")
MIN_WEIGHT, MAX_WEIGHT = 1, 10
NOT_ATTESTED = "na"  # «н/а» where a period or year mark is chosen from a list
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high


BOUNDS: dict[str, Bounds] = {
    Scale.FIVE: Bounds(1, 5),
    Scale.TEN: Bounds(1, 10),
    Scale.HUNDRED: Bounds(0, 100),
    Scale.PASS_FAIL: Bounds(0, 1),
}


def bounds(scale: str) -> Bounds:
    """The lowest and highest value of ``scale`` (a ``Scale`` value); KeyError for an unknown scale."""
    return BOUNDS[scale]


def is_valid(scale: str, value: int | None) -> bool:
    return value is not None and value in BOUNDS[scale]


def counts_in_average(scale: str) -> bool:
    """Pass/fail marks are not numbers: they never enter an average."""
    return scale != Scale.PASS_FAIL


def display(scale: str, value: int | None) -> str:
    """How a mark is written in the journal and the diary: «5», «87», «pass»; an owed mark «—»."""
    if value is None:
        return "—"
    if scale == Scale.PASS_FAIL:
        return _("pass") if value else _("fail")
    return str(value)


# Where each scale's marks change colour, as Russian schools read them against the five-point
# scale: the lowest value of «5», of «4» and of «3» (ten: 9/7/4; hundred: 85/70/50 per cent).
_TONE_FROM: dict[str, tuple[int, int, int]] = {
    Scale.FIVE: (5, 4, 3),
    Scale.TEN: (9, 7, 4),
    Scale.HUNDRED: (85, 70, 50),
}


def tone(scale: str, value: int | None) -> str:
    """The colour family a mark is shown in: ``excellent``, ``good``, ``fair`` or ``poor`` (pass
    counts as good, fail as poor); ``owed`` for an owed mark, which has no value yet."""
    if value is None:
        return "owed"
    if scale == Scale.PASS_FAIL:
        return "good" if value else "poor"
    excellent, good, fair = _TONE_FROM.get(scale, _TONE_FROM[Scale.FIVE])
    if value >= excellent:
        return "excellent"
    if value >= good:
        return "good"
    return "fair" if value >= fair else "poor"


def display_final(scale: str, value: int | None) -> str:
    """How a period or year mark is written: as ``display``, and «н/а» (not attested) for no value."""
    if value is None:
        return _("n/a")
    return display(scale, value)


def _field(mark: Any, name: str) -> Any:
    return mark[name] if isinstance(mark, Mapping) else getattr(mark, name)


def weighted_average(marks: Iterable[Any]) -> Decimal | None:
    """Σ value × weight / Σ weight, rounded to 0.01, over marks (``Mark`` objects or ``values()``
    rows with ``value``, ``weight`` and optionally ``scale``) that have a value and are not pass/fail.
    ``None`` when no mark counts."""
    total = 0
    weights = 0
    for mark in marks:
        value = _field(mark, "value")
        scale = _field(mark, "scale") if _has(mark, "scale") else DEFAULT_SCALE
        if value is None or not counts_in_average(scale):
            continue
        weight = int(_field(mark, "weight"))
        total += int(value) * weight
        weights += weight
    if weights <= 0:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(_CENTS, rounding=ROUND_HALF_UP)


def _has(mark: Any, name: str) -> bool:
    return name in mark if isinstance(mark, Mapping) else hasattr(mark, name)


def suggest_final(
    average: Decimal | None, round_up_from: Decimal | str = DEFAULT_ROUND_UP_FROM, scale: str = DEFAULT_SCALE
) -> int | None:
    """The period or year mark suggested for ``average`` under the school's rounding rule (see the
    module docstring), within the scale's bounds; ``None`` for no average or a pass/fail scale."""
    if average is None or not counts_in_average(scale):
        return None
    threshold = Decimal(round_up_from)
    whole = average.to_integral_value(rounding=ROUND_FLOOR)
    suggested = int(whole) + (1 if average - whole >= threshold else 0)
    limits = BOUNDS[scale]
    return max(limits.low, min(limits.high, suggested))
