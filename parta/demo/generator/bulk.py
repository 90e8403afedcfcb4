"""Bulk loading for a generated city: PostgreSQL's COPY instead of INSERT where rows are many.

The generator writes its rows through ``copy_rows`` (plain tuples) and Django's ``bulk_create``
(model instances). On PostgreSQL both become ``COPY … FROM STDIN``:

- ``copy_rows`` streams the tuples through psycopg's ``cursor.copy``; on other databases it falls
  back to batched ``executemany``, so the demo on SQLite and the tests write the same rows.
- inside ``bulk_loading()``, ``QuerySet.bulk_create`` draws the new primary keys from the table's
  sequence first (one ``nextval`` query per batch) and then copies the rows, so callers get their
  objects back with ``pk`` set exactly as from ``bulk_create``. Anything COPY cannot do (conflict
  handling, a model without an auto-increment key, another database) goes to Django's own.

``bulk_loading(fast=True)`` also turns off, for its own connection only, what a bulk load does not
need: the commit's wait for the disk (``synchronous_commit``) and, when the role may, the
foreign-key triggers (``session_replication_role = replica``, what ``pg_restore
--disable-triggers`` does). The generator's rows are consistent by construction, and its tests,
which run without this, check that. Nothing else is changed; leaving the block restores all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.signals import connection_created
from django.db.models import AutoField, BigAutoField, Field, Model, QuerySet, SmallAutoField

BATCH_SIZE = 2000
# bulk_create batches bigger than this are copied in parts, each with its own keys.
COPY_BATCH = 50_000

__all__ = ["BATCH_SIZE", "bulk_loading", "copy_rows", "is_postgresql", "reserve_ids"]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _columns(model: type[Model], names: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    return ", ".join(quote(f.column) for f in fields if isinstance(f, Field) and f.column)


def copy_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``rows`` (tuples of database values in the order of the field ``names``) into the
    model's table; returns how many were written."""
    columns = _columns(model, names)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    if is_postgresql():
        # Only the model's own table and column names go into the statement; the values are data.
        statement = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


# --- bulk_create through COPY ----------------------------------------------------------------

_AUTO = (AutoField, BigAutoField, SmallAutoField)


def _copyable(queryset: QuerySet[Any], kwargs: dict[str, Any]) -> bool:
    model = queryset.model
    meta = model._meta
    return (
        is_postgresql()
        and queryset.db == "default"
        and not kwargs.get("ignore_conflicts")
        and not kwargs.get("update_conflicts")
        and isinstance(meta.pk, _AUTO)
        and not meta.parents
        and meta.concrete_model is model
    )


def _next_ids(model: type[Model], count: int) -> list[int]:
    meta = model._meta
    assert meta.pk is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``, for rows written with their keys (``copy_rows``),
    such as rows that point at each other. From the table's sequence on PostgreSQL; elsewhere
    (one writer: the demo on SQLite, the tests) the keys after the largest one in the table, so
    reserve again only after writing the rows of the keys reserved before."""
    if count <= 0:
        return []
    if is_postgresql():
        return _next_ids(model, count)
    last = model._default_manager.aggregate(last=models.Max("pk"))["last"] or 0
    return list(range(last + 1, last + count + 1))


# Fields whose Python value is already what psycopg writes on PostgreSQL: read straight from the
# instance instead of through Field.get_db_prep_save, which costs more than the COPY itself.
_RAW = (
    AutoField,
    BigAutoField,
    SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
)
_DATES = (models.DateField, models.DateTimeField, models.TimeField)


def _raw(field: Field[Any, Any]) -> bool:
    if type(field) in _RAW:
        return not isinstance(field, models.ForeignKey) or type(field.target_field) in _RAW
    if type(field) in _DATES:
        return not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    return False


def _copy_bulk_create(model: type[Model], objs: list[Model]) -> None:
    meta = model._meta
    db = connections[DEFAULT_DB_ALIAS]
    fields = list(meta.concrete_fields)
    plan = [(field.attname, _raw(field), field) for field in fields]
    for start in range(0, len(objs), COPY_BATCH):
        part = objs[start : start + COPY_BATCH]
        missing = [obj for obj in part if obj.pk is None]
        for obj, pk in zip(missing, _next_ids(model, len(missing)) if missing else [], strict=True):
            obj.pk = pk
        rows = []
        for obj in part:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            values = obj.__dict__
            rows.append(
                tuple(
                    values[attname] if raw else field.get_db_prep_save(field.pre_save(obj, True), db)
                    for attname, raw, field in plan
                )
            )
        copy_rows(model, [f.name for f in fields], rows)
        for obj in part:
            obj._state.adding = False
            obj._state.db = DEFAULT_DB_ALIAS


@contextlib.contextmanager
def bulk_loading(*, fast: bool = True) -> Iterator[None]:
    """Within the block, ``bulk_create`` on PostgreSQL writes through COPY (see the module's
    docstring); with ``fast`` the session also skips the commit's disk wait and, when allowed,
    the foreign-key triggers. Elsewhere the block changes nothing."""
    if not is_postgresql():
        yield
        return
    original = QuerySet.bulk_create

    def bulk_create(self: QuerySet[Any], objs: Iterable[Model], *args: Any, **kwargs: Any) -> list[Model]:
        if args or not _copyable(self, kwargs):
            return original(self, objs, *args, **kwargs)
        objs = list(objs)
        if objs:
            _copy_bulk_create(self.model, objs)
        return objs

    settings: list[tuple[str, str]] = []
    if fast:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool(cursor.fetchone()[0])
        settings.append(("synchronous_commit", "off"))
        if superuser:
            settings.append(("session_replication_role", "replica"))

    def apply(sender: Any = None, connection: Any = connection, **kwargs: Any) -> None:
        with connection.cursor() as cursor:
            for name, value in settings:
                cursor.execute("SELECT set_config(%s, %s, false)", [name, value])

    apply()
    # A connection opened inside the block (a worker of generate_city(jobs=...), forked with
    # the patched bulk_create) loads the same way.
    connection_created.connect(apply, dispatch_uid="parta.bulk_loading")
    QuerySet.bulk_create = bulk_create  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        QuerySet.bulk_create = original  # type: ignore[method-assign]
        connection_created.disconnect(dispatch_uid="parta.bulk_loading")
        with connection.cursor() as cursor:
            for name, _value in settings:
                # The names are this function's own constants.
                cursor.execute(f"RESET {name}")
