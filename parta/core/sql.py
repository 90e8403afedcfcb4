"""Two SQL forms the ORM does not write, for conditions the planner must serve from indexes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, CharField, Expression, F, Field, Model, Q, QuerySet, Subquery


class _Among(Expression):
    conditional = True
    output_field = BooleanField()

    def __init__(self, ids: QuerySet[Any]) -> None:
        super().__init__()
        self.pk: Any = F("pk")
        self.ids: Any = Subquery(ids)

    def get_source_expressions(self) -> list[Any]:
        return [self.pk, self.ids]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.pk, self.ids = exprs

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


class IdList(Expression):
    """A correlated list: the ``of`` column of ``model``'s rows whose ``by`` column is the outer
    row's key, joined by commas in no particular order (``ids_of`` reads it); written as SQL, as
    the ORM's subquery cost more to build than to run on the search's hot path."""

    output_field = CharField()

    def __init__(self, model: type[Model], *, of: str, by: str) -> None:
        super().__init__()
        meta = model._meta
        self.table, self.of, self.by = meta.db_table, _column(model, of), _column(model, by)
        self.pk: Any = F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.pk]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.pk,) = exprs

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


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.column)


def ids_of(text: str | None) -> list[int]:
    return [int(part) for part in text.split(",")] if text else []
