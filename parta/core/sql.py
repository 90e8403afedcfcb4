"""Two SQL forms the ORM does not write, for conditions the planner must serve from indexes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Aggregate, BooleanField, CharField, Expression, F, Q, QuerySet, Subquery


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


class IdList(Aggregate):
    """The group's ids joined by commas, in no particular order (``ids_of`` reads them)."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS text), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def id_list(rows: QuerySet[Any], *, of: str, by: str) -> Subquery:
    """A correlated subquery: ``rows``' ``of`` column joined by commas, one list per ``by``
    (``rows`` filtered by the outer row: a material's subjects, say)."""
    return Subquery(rows.values(by).annotate(ids=IdList(of)).values("ids"))


def ids_of(text: str | None) -> list[int]:
    return [int(part) for part in text.split(",")] if text else []
