"""The numbers of a test: reading a typed number, writing one back, and the answer formula of a
parameterised numeric question.

A formula is evaluated by walking its ``ast`` (never ``eval``), and only these are allowed: numbers,
the question's parameter names, ``+ - * / **``, unary minus and plus, parentheses, and the functions
``round(x)`` / ``round(x, places)``, ``abs``, ``min`` and ``max``. Arithmetic is decimal with 28
significant digits, so ``0.1 + 0.2`` is 0.3, and ``round`` rounds half up, as at school. Sizes are
bounded so that a formula cannot keep the server busy: at most 200 characters, exponents of at most
100 either way, and no value beyond 10¹⁸.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from django.utils.translation import gettext as _

FUNCTIONS = frozenset({"round", "abs", "min", "max"})
MAX_LENGTH = 200
MAX_EXPONENT = 100
MAX_MAGNITUDE = Decimal("1e18")
MAX_ROUND_PLACES = 10
# Longer than any number a person types; a longer string is not worth reading.
MAX_NUMBER_LENGTH = 100

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CONTEXT = Context(prec=28, traps=[DivisionByZero, InvalidOperation, Overflow])
_OPERATORS: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


class ExpressionError(ValueError):
    """The formula has no value; the message (a lower-case phrase) says why, for the teacher."""


def parse_number(value: object) -> Decimal | None:
    """A finite number given in JSON or typed by a person ("3,5", "3.5", "−2", "1 000"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text of the float: 0.1 stays 0.1
    elif isinstance(value, str) and len(value) <= MAX_NUMBER_LENGTH:
        text = "".join(value.split()).replace(",", ".").replace("−", "-")
        if not _NUMBER.fullmatch(text):
            return None
        number = Decimal(text)
    else:
        return None
    return number if number.is_finite() else None


def format_number(number: Decimal) -> str:
    """The number as plain digits without trailing zeros: 2.50 → "2.5", 1E+2 → "100"."""
    text = format(number.normalize(), "f")
    return "0" if text == "-0" else text


def evaluate(formula: str, values: Mapping[str, Decimal]) -> Decimal:
    """The formula's value with the parameters' values; ExpressionError when it has none."""
    if len(formula) > MAX_LENGTH:
        raise ExpressionError(_("it is longer than %(limit)d characters.") % {"limit": MAX_LENGTH})
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(_("it cannot be read as a formula.")) from None
    with localcontext(_CONTEXT):
        try:
            return _value(tree.body, values)
        except DecimalException:
            raise _no_value() from None


def _value(node: ast.expr, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        result = parse_number(node.value)
        if result is None:  # 1e999 is read as infinity
            raise _too_large()
    elif isinstance(node, ast.Name):
        if node.id not in values:
            raise ExpressionError(_("“%(name)s” is not a parameter of the question.") % {"name": node.id})
        result = values[node.id]
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _value(node.operand, values)
        result = -operand if isinstance(node.op, ast.USub) else operand
    elif isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _value(node.left, values), _value(node.right, values)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ExpressionError(_("an exponent is beyond %(limit)d.") % {"limit": MAX_EXPONENT})
        result = _OPERATORS[type(node.op)](left, right)
    elif isinstance(node, ast.Call):
        result = _call(node, values)
    else:
        raise _not_allowed()
    if not result.is_finite():  # 0 ** -1 is infinite without a signal
        raise _no_value()
    if abs(result) > MAX_MAGNITUDE:
        raise _too_large()
    return result


def _call(node: ast.Call, values: Mapping[str, Decimal]) -> Decimal:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
        raise _not_allowed()
    name, args = node.func.id, [_value(arg, values) for arg in node.args]
    if name == "abs" and len(args) == 1:
        return abs(args[0])
    if name == "min" and args:
        return min(args)
    if name == "max" and args:
        return max(args)
    if name == "round" and len(args) in (1, 2):
        places = args[1] if len(args) == 2 else Decimal(0)
        if places != places.to_integral_value() or not 0 <= places <= MAX_ROUND_PLACES:
            raise ExpressionError(
                _("round() keeps from 0 to %(limit)d decimal places.") % {"limit": MAX_ROUND_PLACES}
            )
        return args[0].quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    raise ExpressionError(_("%(name)s() is given the wrong number of values.") % {"name": name})


def _not_allowed() -> ExpressionError:
    return ExpressionError(_("only numbers, parameters, + - * / **, round, abs, min and max are allowed."))


def _no_value() -> ExpressionError:
    return ExpressionError(_("it has no value here (a division by zero?)."))


def _too_large() -> ExpressionError:
    return ExpressionError(_("a value is beyond 10^18."))
