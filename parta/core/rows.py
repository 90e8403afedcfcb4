"""Hot-path row writes with statements built once.

Django builds an INSERT statement anew on every ``save()``: for a mark, which writes the mark, its
history and its outbox event, building the three cost more CPU than the rest of the write
(docs/performance.md). :func:`insert` does what ``save()`` does for a new row of a model with an
auto-increment key — fills ``auto_now`` and friends, prepares every value as the field would, sends
``pre_save``/``post_save`` (the cache's freshness rules listen there) — with the statement text
kept per model and database.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


@functools.cache
def _statement(model: type[Model], alias: str) -> tuple[str, tuple[Field[Any, Any], ...], bool]:
    connection = connections[alias]
    meta = model._meta
    fields = tuple(field for field in meta.local_concrete_fields if field is not meta.auto_field)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only names from the model's meta are formatted in; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    returning = bool(connection.features.can_return_columns_from_insert)
    if returning:
        sql += f" RETURNING {quote(str(meta.pk.column))}"
    return sql, fields, returning


def insert(instance: Model) -> None:
    """``instance.save()`` for a new row (its key made by the database), statement built once."""
    model = type(instance)
    meta = model._meta
    if meta.auto_field is None or instance.pk is not None or meta.parents:
        raise ValueError(f"insert() writes new rows of models with an automatic key, not {meta.label}")
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    pre_save.send(sender=model, instance=instance, raw=False, using=alias, update_fields=None)
    sql, fields, returning = _statement(model, alias)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, meta.db_table, str(meta.pk.column))
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = alias
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=alias)
