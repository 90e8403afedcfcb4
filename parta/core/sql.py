"""SQL forms the ORM does not write, each about the row a query is at (its key, through whatever
alias the query gives its table, so that they are right inside subqueries too)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import BooleanField, CharField, Expression, F, Field, Model, Q, QuerySet, Subquery


class _OfRow(Expression):
    """An expression of the current row, reached through its key ``pk`` (and ``more`` sources)."""

    def __init__(self, *more: Any, output_field: Any = None) -> None:
        super().__init__(output_field=output_field)
        self.pk: Any = F("pk")
        self.more: list[Any] = list(more)

    def get_source_expressions(self) -> list[Any]:
        return [self.pk, *self.more]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.pk, *self.more = exprs


class _Among(_OfRow):
    conditional = True

    def __init__(self, ids: QuerySet[Any]) -> None:
        super().__init__(Subquery(ids), output_field=BooleanField())

    @property
    def ids(self) -> Any:
        return self.more[0]

    def _parts(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        pk, pk_params = compiler.compile(self.pk)
        ids, ids_params = compiler.compile(self.ids)
        return pk, ids, (*pk_params, *ids_params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        pk, ids, params = self._parts(compiler)
        return f"{pk} IN {ids}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # The ids are gathered once (an InitPlan) and looked up in the key's index, so that in an
        # OR of indexed conditions PostgreSQL can still OR their bitmaps (an IN would be checked
        # against every row the other conditions leave).
        pk, ids, params = self._parts(compiler)
        return f"{pk} = ANY(ARRAY{ids})", params


def among(ids: QuerySet[Any]) -> Q:
    """The row's key is one of ``ids`` (a query of one column of keys)."""
    return Q(_Among(ids))


class IdList(_OfRow):
    """A correlated list: the ``of`` column of ``model``'s rows whose ``by`` column is the outer
    row's key, joined by commas in no particular order (``ids_of`` reads it); written as SQL, as
    the ORM's subquery cost more to build than to run on the search's hot path."""

    def __init__(self, model: type[Model], *, of: str, by: str) -> None:
        super().__init__(output_field=CharField())
        self.table, self.of, self.by = model._meta.db_table, _column(model, of), _column(model, by)

    def _sql(self, compiler: Any, connection: Any, aggregate: str) -> tuple[str, tuple[Any, ...]]:
        quote = connection.ops.quote_name
        pk, params = compiler.compile(self.pk)
        listed = aggregate.format(of=quote(self.of))
        sql = f"(SELECT {listed} FROM {quote(self.table)} WHERE {quote(self.by)} = {pk})"  # noqa: S608
        return sql, tuple(params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, connection, "STRING_AGG(CAST({of} AS text), ',')")

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, connection, "GROUP_CONCAT({of}, ',')")


class Column(_OfRow):
    """A column the model does not declare (one only some databases have), of the current row."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        quote = compiler.quote_name_unless_alias
        return f"{quote(self.pk.alias)}.{quote(self.name)}", ()


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.column)


def ids_of(text: str | None) -> list[int]:
    return [int(part) for part in text.split(",")] if text else []


_PLANNED_WITH_VALUES: ContextVar[bool] = ContextVar("planned_with_values", default=False)


@contextmanager
def planned_with_values() -> Iterator[None]:
    """The statements run inside are planned with their values each time, never prepared.

    A statement the server prepared (``PARTA_DB_PREPARED``) is soon run by one generic plan that
    knows none of its values. That suits a lookup by key; a text search's best plan depends on
    how common its words are (the words' index, or the few rows of a reader's own audience
    checked one by one), and a partial index serves it only where the values prove its
    condition: a generic plan guessed 1,999 matches for every word and read 40,000 index entries
    where 400 rows would do (docs/performance.md)."""
    token = _PLANNED_WITH_VALUES.set(True)
    try:
        yield
    finally:
        _PLANNED_WITH_VALUES.reset(token)


def values_decide_plans() -> bool:
    return _PLANNED_WITH_VALUES.get()
