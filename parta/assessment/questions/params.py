"""The values an attempt draws for a parameterised question, and the texts they fill in."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from parta.assessment.expressions import ExpressionError, evaluate, format_number, parse_number

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,19})\}")
_MATH = re.compile(r"(\$\$.+?\$\$|\$.+?\$)", re.DOTALL)
# Redraws of a parameterised numeric question whose formula has no value on the first draw; past
# them every param takes its min, where the formula was checked to have one.
_DRAWS = 20


def values_for(question: dict[str, Any], seed: int) -> dict[str, Decimal]:
    params: dict[str, dict[str, str]] = question.get("params") or {}
    if not params:
        return {}
    rng = random.Random(f"{seed}:{question['id']}")
    for _attempt in range(_DRAWS):
        # In name order: a JSON store (PostgreSQL's jsonb) may give the keys back in another order.
        values = {name: _draw(params[name], rng) for name in sorted(params)}
        if _has_answer(question, values):
            return values
    return {name: Decimal(spec["min"]) for name, spec in params.items()}


def _draw(spec: dict[str, str], rng: random.Random) -> Decimal:
    low, high, step = Decimal(spec["min"]), Decimal(spec["max"]), Decimal(spec["step"])
    return low + step * rng.randrange(int((high - low) / step) + 1)


def _has_answer(question: dict[str, Any], values: dict[str, Decimal]) -> bool:
    if question["type"] != "numeric":
        return True
    try:
        numeric_answer(question, values)
    except ExpressionError:
        return False
    return True


def numeric_answer(question: dict[str, Any], values: dict[str, Decimal]) -> Decimal:
    number = parse_number(question["answer"])
    return number if number is not None else evaluate(question["answer"], values)


def fill(text: str, values: Mapping[str, Decimal]) -> str:
    """The text with {name} replaced by the param's value; other braces are kept. Within $…$ the
    value keeps its braces: there {a} is also a TeX group, and \\frac{a}{2} must become
    \\frac{12}{2}, not \\frac12{2}."""
    if not values:
        return text

    def value(match: re.Match[str], *, math: bool) -> str:
        if match[1] not in values:
            return match[0]
        number = format_number(values[match[1]])
        return f"{{{number}}}" if math else number

    # split() with a group: the pieces alternate between plain text and $…$ (odd places).
    pieces = _MATH.split(text)
    return "".join(
        _PLACEHOLDER.sub(functools.partial(value, math=index % 2 == 1), piece)
        for index, piece in enumerate(pieces)
    )
