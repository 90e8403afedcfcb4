"""Hot-path row reads and writes with statements built once.

Django builds an INSERT statement anew on every ``save()``: for a mark, which writes the mark, its
history and its outbox event, building the three cost more CPU than the rest of the write
(docs/performance.md). :func:`insert` does what ``save()`` does for a new row of a model with an
auto-increment key — fills ``auto_now`` and friends, prepares every value as the field would, sends
``pre_save``/``post_save`` (the cache's freshness rules listen there) — with the statement text
kept per model and database; :func:`insert_together` writes a row and those that name its new key
(a mark, its history, its outbox event) in one statement on PostgreSQL. :func:`by_key` is the
read of a row and what its foreign keys point to (``select_related``) by key, likewise: the access
check of every write of marks and cached read of a class's marks, where building the joined query cost more
than running it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, router, transaction
from django.db.models import Field, ForeignKey, Model
from django.db.models.signals import post_save, pre_save

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class _Insert:
    """A model's INSERT, its names quoted for one database."""

    table: str
    columns: str
    fields: tuple[Field[Any, Any], ...]  # every concrete field but the automatic key, in order
    key: str  # the key's column
    sql: str  # INSERT … VALUES (%s, …), with RETURNING the key where the database can
    returning: bool


@functools.cache
def _statement(model: type[Model], alias: str) -> _Insert:
    connection = connections[alias]
    meta = model._meta
    fields = tuple(field for field in meta.local_concrete_fields if field is not meta.auto_field)
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(str(meta.pk.column))
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only names from the model's meta are formatted in; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    returning = bool(connection.features.can_return_columns_from_insert)
    if returning:
        sql += f" RETURNING {key}"
    return _Insert(table, columns, fields, key, sql, returning)


def _saving(instance: Model, alias: str) -> None:
    meta = instance._meta
    if meta.auto_field is None or instance.pk is not None or meta.parents:
        raise ValueError(f"only new rows of models with an automatic key, not {meta.label}")
    pre_save.send(sender=type(instance), instance=instance, raw=False, using=alias, update_fields=None)


def _saved(instance: Model, alias: str) -> None:
    instance._state.adding = False
    instance._state.db = alias
    post_save.send(
        sender=type(instance), instance=instance, created=True, update_fields=None, raw=False, using=alias
    )


def insert(instance: Model) -> None:
    """``instance.save()`` for a new row (its key made by the database), statement built once."""
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    _saving(instance, alias)
    statement = _statement(model, alias)
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in statement.fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        if statement.returning:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, meta.db_table, str(meta.pk.column))
    instance.pk = pk
    _saved(instance, alias)


class _NewKey:
    def __repr__(self) -> str:
        return "rows.NEW_KEY"


# In a row given to insert_together after the first: "the first row's new key", as a field's value
# or as a value at the top level of a JSON field's dict.
NEW_KEY: Any = _NewKey()


def _with_key(value: Any, key: Any) -> Any:
    if value is NEW_KEY:
        return key
    if isinstance(value, dict) and any(item is NEW_KEY for item in value.values()):
        return {name: key if item is NEW_KEY else item for name, item in value.items()}
    return value


def _resolve(instance: Model, key: Any) -> None:
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        resolved = _with_key(value, key)
        if resolved is not value:
            setattr(instance, field.attname, resolved)


def insert_together(first: Model, *others: Model) -> None:
    """Insert new rows as one write: ``first``, then ``others``, in whose fields :data:`NEW_KEY`
    stands for the key ``first`` gets. On PostgreSQL that is one statement (data-modifying WITH),
    atomic without a transaction of its own: a mark with its history and outbox event costs one
    round trip instead of five with BEGIN and COMMIT. Elsewhere :func:`insert` one by one in a
    transaction. Sends the save signals as ``save()`` would."""
    alias = router.db_for_write(type(first), instance=first)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=alias):
            insert(first)
            for other in others:
                _resolve(other, first.pk)
                insert(other)
        return
    instances = (first, *others)
    for instance in instances:
        _saving(instance, alias)
    statements = [_statement(type(instance), alias) for instance in instances]
    new_key = f"r0.{statements[0].key}"
    parts: list[str] = []
    params: list[Any] = []
    for index, (instance, statement) in enumerate(zip(instances, statements, strict=True)):
        values: list[str] = []
        for field in statement.fields:
            value = field.pre_save(instance, True)
            if value is NEW_KEY:
                values.append(new_key)
                continue
            linked = (
                [name for name, item in value.items() if item is NEW_KEY] if isinstance(value, dict) else []
            )
            values.append("%s")
            params.append(field.get_db_prep_save(_with_key(value, None), connection))
            for name in linked:  # a JSON field's key: set on the stored document
                values[-1] = f"jsonb_set({values[-1]}, %s, to_jsonb({new_key}))"
                params.append([name])
        source = f"VALUES ({', '.join(values)})" if index == 0 else f"SELECT {', '.join(values)} FROM r0"  # noqa: S608
        parts.append(
            f"r{index} AS (INSERT INTO {statement.table} ({statement.columns}) {source}"
            f" RETURNING {statement.key})"
        )
    keys = ", ".join(f"r{index}.{statement.key}" for index, statement in enumerate(statements))
    tables = ", ".join(f"r{index}" for index in range(len(instances)))
    # Only names from the models' meta are formatted in; every value is a parameter.
    sql = f"WITH {', '.join(parts)} SELECT {keys} FROM {tables}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        made = cursor.fetchone()
    for instance, pk in zip(instances, made, strict=True):
        instance.pk = pk
    for instance in others:
        _resolve(instance, first.pk)
    for instance in instances:
        _saved(instance, alias)


@dataclass(frozen=True)
class _Joined:
    """One table of a read by key: its model, the foreign key it was reached by (on the table at
    position ``parent``), and where its columns sit in the row."""

    model: type[Model]
    via: ForeignKey[Any, Any] | None
    parent: int
    start: int
    attnames: tuple[str, ...]
    key: int  # the primary key's place among the table's own columns
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # row position, converters, column


@functools.cache
def _converters(model: type[Model], alias: str, table: str) -> tuple[tuple[int, tuple[Any, ...], Any], ...]:
    """Where a row of the model's concrete fields needs the database's converters (SQLite's dates
    and booleans, say): (position, converters, column)."""
    connection = connections[alias]
    found = []
    for offset, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(table)
        converters = (*connection.ops.get_db_converters(column), *field.get_db_converters(connection))
        if converters:
            found.append((offset, tuple(converters), column))
    return tuple(found)


def _convert(values: list[Any], converters: tuple[tuple[int, tuple[Any, ...], Any], ...], alias: str) -> None:
    connection = connections[alias]
    for position, found, column in converters:
        for converter in found:
            values[position] = converter(values[position], column, connection)


def from_values(model: type[_M], values: Any, alias: str) -> _M:
    """The instance a row of ``model``'s concrete fields (in order) read by hand stands for,
    converted as the ORM's read would convert it."""
    values = list(values)
    _convert(values, _converters(model, alias, model._meta.db_table), alias)
    return model.from_db(alias, [field.attname for field in model._meta.concrete_fields], values)


@functools.cache
def _read_statement(
    model: type[Model], related: tuple[str, ...], alias: str, by: str | None = None
) -> tuple[str, tuple[_Joined, ...], tuple[int, int]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    tables: list[_Joined] = []
    places: dict[tuple[str, ...], int] = {}  # a path (as in select_related) → its table's position
    selects: list[str] = []
    joins: list[str] = []

    def add(path: tuple[str, ...], table_model: type[Model], via: ForeignKey[Any, Any] | None) -> None:
        index = len(tables)
        fields = tuple(table_model._meta.concrete_fields)
        converters = [
            (len(selects) + offset, found, column)
            for offset, found, column in _converters(table_model, alias, f"t{index}")
        ]
        parent = places[path[:-1]] if path else -1
        key = [field.primary_key for field in fields].index(True)
        attnames = tuple(field.attname for field in fields)
        tables.append(_Joined(table_model, via, parent, len(selects), attnames, key, tuple(converters)))
        places[path] = index
        selects.extend(f"t{index}.{quote(str(field.column))}" for field in fields)
        if via is not None:
            joins.append(
                f"LEFT JOIN {quote(table_model._meta.db_table)} t{index} ON"
                f" t{index}.{quote(str(via.target_field.column))} = t{parent}.{quote(str(via.column))}"
            )

    add((), model, None)
    for names in (tuple(path.split("__")) for path in related):
        for depth in range(1, len(names) + 1):
            path = names[:depth]
            if path in places:
                continue
            via = tables[places[path[:-1]]].model._meta.get_field(path[-1])
            if not isinstance(via, ForeignKey):
                raise ValueError(f"{'__'.join(names)}: {path[-1]} is not a foreign key")
            add(path, via.related_model, via)
    column = quote(str((model._meta.get_field(by) if by else model._meta.pk).column))  # type: ignore[union-attr]
    # Only names from the models' meta are formatted in; the key is a parameter.
    source = " ".join([f"{quote(model._meta.db_table)} t0", *joins])
    sql = f"SELECT {', '.join(selects)} FROM {source} WHERE t0.{column} = %s"  # noqa: S608
    return sql, tuple(tables), connection.ops.integer_field_range(model._meta.pk.get_internal_type())


def by_key(model: type[_M], pk: Any, *related: str) -> _M | None:
    """``model.objects.select_related(*related).filter(pk=pk)``'s row, or None, without ordering
    and with the statement built once: the row and those its foreign keys point to, one query.
    For models with an integer key; a key the column cannot hold finds nothing, as in the ORM."""
    alias = router.db_for_read(model)
    sql, tables, (low, high) = _read_statement(model, related, alias)
    if not low <= pk <= high:
        return None
    found: _M | None = _read(alias, sql, tables, pk)
    return found


def by_unique(model: type[_M], field: str, value: Any, *related: str) -> _M | None:
    """:func:`by_key` by another unique column: ``model.objects.filter(**{field: value})``'s one row
    (a card by its number, a machine by its secret's hash), the statement built once."""
    if not model._meta.get_field(field).unique:  # type: ignore[union-attr]
        raise ValueError(f"{model._meta.label}.{field} is not unique")
    alias = router.db_for_read(model)
    sql, tables, _range = _read_statement(model, related, alias, field)
    found: _M | None = _read(alias, sql, tables, value)
    return found


def _read(alias: str, sql: str, tables: tuple[_Joined, ...], value: Any) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    made: list[Model | None] = []
    for table in tables:
        _convert(values, table.converters, alias)
        own = values[table.start : table.start + len(table.attnames)]
        # A null foreign key (the join found nothing) is cached as None, as select_related does.
        instance = None if own[table.key] is None else table.model.from_db(alias, table.attnames, own)
        made.append(instance)
        holder = made[table.parent] if table.via is not None else None
        if table.via is not None and holder is not None:
            table.via.set_cached_value(holder, instance)
    return made[0]
