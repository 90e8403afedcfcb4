"""Querysets compiled once: the statement the ORM writes, kept per shape and run again with other values.

A hot read that builds the same querysets on every request spends more of its time in Django's
query compiler than in the database: a diary week's first read spent two thirds of its CPU building
ten querysets whose SQL differs only in the student and the dates (docs/performance.md).
:class:`Statement` builds its queryset once per database and *shape* with stand-in values, finds
where each stand-in went among the statement's parameters, and from then on runs the kept text with
the call's values in their places: the SQL the ORM would write, its rows converted as the ORM
converts them (SQLite's dates, say), counted by the same query hooks.

What may vary between calls:
- the positional values — ints, strings and dates, or sequences of them (an ``IN`` list; its
  length is part of the shape) — sent as the statement's parameters;
- the keyword arguments, passed to the build as they are and part of the shape: they choose the
  queryset's structure (a reader's school scope or none, say), so keep their variety small.

The build must depend on nothing else — not the clock, the language, the user — since whatever it
reads besides its arguments is kept with the statement. A value the build uses other than as a
parameter (a slice's bound, an argument to Python code) is caught when the statement is made: each
stand-in must reach the parameters, and none the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet

# Inside every integer column's range (the ORM drops a lookup of an out-of-range value before it
# reaches the parameters), and far from any real key or count.
_INT_BASE = 2_100_000_000
_DATE_BASE = dt.date(1001, 1, 1)
_SEQUENCES = (list, tuple, set, frozenset)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Per parameter: the flat value's place it takes and how it is adapted, or None (a constant).
    places: tuple[tuple[int, Callable[[Any], Any] | None] | None, ...]
    constants: tuple[Any, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    names: tuple[str, ...]
    empty: bool  # the ORM would run no query (``IN ()``): no rows


def _flat(values: Sequence[Any]) -> tuple[list[Any], tuple[Hashable, ...]]:
    """The values as the statement's parameters take them (a sequence's distinct items, each its
    own), and their shape: each value's type, a sequence's length and items' types."""
    flat: list[Any] = []
    shape: list[Any] = []
    for value in values:
        if isinstance(value, _SEQUENCES):
            items = list(dict.fromkeys(value))  # the ORM drops repeats from an IN list
            flat.extend(items)
            shape.append(tuple(type(item) for item in items))
        else:
            flat.append(value)
            shape.append(type(value))
    return flat, tuple(shape)


def _stand_in(kind: type, n: int) -> Any:
    if kind is int:
        return _INT_BASE + n
    if kind is dt.date:
        return _DATE_BASE + dt.timedelta(days=n)
    if kind is str:
        return f"\u2063stand-in {n}\u2063"
    raise TypeError(f"a statement's value must be an int, a str or a date, not {kind.__name__}")


def _stand_ins(values: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Stand-ins shaped as the values (the build's arguments) and flat (as parameters)."""
    shaped: list[Any] = []
    flat: list[Any] = []
    for value in values:
        if isinstance(value, _SEQUENCES):
            items = [_stand_in(type(item), len(flat) + i) for i, item in enumerate(dict.fromkeys(value))]
            flat.extend(items)
            shaped.append(items)
        else:
            item = _stand_in(type(value), len(flat))
            flat.append(item)
            shaped.append(item)
    return shaped, flat


def _compile(queryset: QuerySet[Any, Any], alias: str, flat: list[Any]) -> _Compiled:
    query = queryset.query
    # As ``values()`` names them (ValuesIterable): in the order asked, annotations included.
    names = query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)
    compiler = query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _Compiled("", (), (), (), tuple(names), empty=True)
    connection = connections[alias]
    forms: dict[tuple[type, Any], tuple[int, Callable[[Any], Any] | None]] = {}
    for place, stand_in in enumerate(flat):
        forms[(type(stand_in), stand_in)] = (place, None)
        if isinstance(stand_in, dt.date):
            adapted = connection.ops.adapt_datefield_value(stand_in)
            if adapted != stand_in:  # SQLite's dates are sent as text
                forms[(type(adapted), adapted)] = (place, connection.ops.adapt_datefield_value)
    places = tuple(forms.get((type(param), param)) if _hashable(param) else None for param in params)
    unused = set(range(len(flat))) - {found[0] for found in places if found is not None}
    in_text = [stand_in for stand_in in flat if str(stand_in) in sql]
    if unused or in_text:
        raise ValueError(
            f"values {sorted(unused)} are not the statement's parameters"
            f"{' (some are written into its text)' if in_text else ''}: {sql}"
        )
    fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
    converters = tuple(
        (position, tuple(found), expression)
        for position, (found, expression) in compiler.get_converters(fields).items()
    )
    return _Compiled(sql, places, tuple(params), converters, tuple(names), empty=False)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class Statement:
    """A values (or values_list) queryset of ``model`` made by ``build(*values, **shape)``, compiled
    once per database and shape: ``rows(*values, **shape)`` are its rows as tuples, ``dicts(…)``
    as ``values()`` gives them."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet[Any, Any]]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[Hashable, _Compiled] = {}

    def _run(self, values: Sequence[Any], shape: dict[str, Any]) -> tuple[_Compiled, list[tuple[Any, ...]]]:
        flat, kinds = _flat(values)
        alias = router.db_for_read(self.model)
        key = (alias, kinds, tuple(sorted(shape.items())))
        compiled = self._compiled.get(key)
        if compiled is None:
            shaped, stand_ins = _stand_ins(values)
            # Two threads may both compile a new shape: the same text, either kept.
            compiled = self._compiled[key] = _compile(self.build(*shaped, **shape), alias, stand_ins)
        if compiled.empty:
            return compiled, []
        params = [
            constant if place is None else (place[1](flat[place[0]]) if place[1] else flat[place[0]])
            for place, constant in zip(compiled.places, compiled.constants, strict=True)
        ]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchall()
        if not compiled.converters:
            return compiled, found
        converted = []
        for row in found:
            columns = list(row)
            for position, converters, expression in compiled.converters:
                for converter in converters:
                    columns[position] = converter(columns[position], expression, connection)
            converted.append(tuple(columns))
        return compiled, converted

    def rows(self, *values: Any, **shape: Any) -> list[tuple[Any, ...]]:
        return self._run(values, shape)[1]

    def dicts(self, *values: Any, **shape: Any) -> list[dict[str, Any]]:
        compiled, found = self._run(values, shape)
        return [dict(zip(compiled.names, row, strict=True)) for row in found]
