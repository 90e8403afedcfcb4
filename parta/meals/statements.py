"""The cash desk's hot reads, written out once per database: a sale runs each of them, and building
the ORM's query cost more than running it (three of them were 5 of a sale's 11 ms in the profile;
docs/performance.md says the same of the marks). Only names from the models' meta and the fixed
meal names are formatted in; every value is a parameter.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model

from parta.core import rows
from parta.meals.models import SUBSIDISED_MEALS, Account, Entitlement, MenuItem, MenuLine, Sale, SaleLine


def _alias() -> str:
    return router.db_for_write(Account)


def _names(alias: str, model: type[Model]) -> tuple[Any, str]:
    quote = connections[alias].ops.quote_name

    def column(name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return quote(field.column)

    return column, quote(model._meta.db_table)


@functools.cache
def _account_sql(alias: str) -> str:
    connection = connections[alias]
    column, table = _names(alias, Account)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in Account._meta.concrete_fields)
    sql = f"SELECT {columns} FROM {table} WHERE {column('student')} = %s"  # noqa: S608
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


def account_for_update(student_id: int) -> Account | None:
    """The student's account, its row locked until the transaction ends (PostgreSQL); None for none."""
    alias = _alias()
    with connections[alias].cursor() as cursor:
        cursor.execute(_account_sql(alias), [student_id])
        found = cursor.fetchone()
    return None if found is None else rows.from_values(Account, found, alias)


@functools.cache
def _today_sql(alias: str, meals: tuple[str, ...]) -> str:
    sale, sales = _names(alias, Sale)
    line, lines = _names(alias, SaleLine)
    entitlement, entitlements = _names(alias, Entitlement)
    parts = [
        f"(SELECT {sale('id')} FROM {sales} WHERE {sale('device')} = %s AND {sale('sale_id')} = %s)",  # noqa: S608
        f"COALESCE((SELECT SUM(s.{sale('total')}) FROM {sales} s WHERE s.{sale('account')} = %s"  # noqa: S608
        f" AND s.{sale('day')} = %s AND s.{sale('refunded_at')} IS NULL), 0)",
    ]
    for meal in meals:
        if meal not in SUBSIDISED_MEALS:
            raise ValueError(meal)
        parts.append(
            f"(SELECT e.{entitlement('id')} FROM"  # noqa: S608
            f" {entitlements} e WHERE e.{entitlement('student')} = %s"
            f" AND e.{entitlement('starts_on')} <= %s AND e.{entitlement('ends_on')} >= %s"
            f" AND e.{entitlement(meal)} = %s ORDER BY e.{entitlement('id')} LIMIT 1)"
        )
        parts.append(
            f"EXISTS (SELECT 1 FROM"  # noqa: S608
            f" {lines} l JOIN {sales} s ON s.{sale('id')} = l.{line('sale')}"
            f" WHERE s.{sale('account')} = %s AND s.{sale('day')} = %s AND s.{sale('refunded_at')} IS NULL"
            f" AND l.{line('entitlement')} IS NOT NULL AND l.{line('meal')} = %s)"
        )
    return "SELECT " + ", ".join(parts)


def today_facts(
    *, account_id: int, student_id: int, device_id: int, sale_id: str, day: dt.date, meals: Sequence[str]
) -> tuple[int | None, int, dict[str, int], frozenset[str]]:
    """What the day holds, in one statement (run after the account's row is locked, so that it sees
    every sale committed before): the desk's sale of this id, the day's spending, and for each of
    ``meals`` the entitlement that makes it free today and whether one was given already."""
    alias = _alias()
    ops = connections[alias].ops
    adapted = ops.adapt_datefield_value(day)
    ordered = tuple(sorted(meals))
    params: list[Any] = [device_id, sale_id, account_id, adapted]
    for meal in ordered:
        params += [student_id, adapted, adapted, True, account_id, adapted, meal]
    with connections[alias].cursor() as cursor:
        cursor.execute(_today_sql(alias, ordered), params)
        found = cursor.fetchone()
    same, spent, rest = found[0], int(found[1] or 0), found[2:]
    entitled = {meal: rest[2 * n] for n, meal in enumerate(ordered) if rest[2 * n] is not None}
    given = frozenset(meal for n, meal in enumerate(ordered) if rest[2 * n + 1])
    return same, spent, entitled, given


@functools.cache
def _menu_sql(alias: str, count: int) -> str:
    line, lines = _names(alias, MenuLine)
    item, items = _names(alias, MenuItem)
    wanted = ", ".join(["%s"] * count)
    return (
        f"SELECT l.{line('item')}, i.{item('name_ru')}, i.{item('name_en')}, i.{item('kind')},"  # noqa: S608
        f" i.{item('meal')}, l.{line('price')}, i.{item('allergens')}"
        f" FROM {lines} l JOIN {items} i ON i.{item('id')} = l.{line('item')}"
        f" WHERE l.{line('building')} = %s AND l.{line('day')} = %s AND l.{line('item')} IN ({wanted})"
    )


def menu_rows(building_id: int, day: dt.date, item_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(item, name_ru, name_en, kind, meal, price, allergens) of these items on the building's
    menu of the day."""
    if not item_ids:
        return []
    alias = _alias()
    day_value = connections[alias].ops.adapt_datefield_value(day)
    with connections[alias].cursor() as cursor:
        cursor.execute(_menu_sql(alias, len(item_ids)), [building_id, day_value, *item_ids])
        found = cursor.fetchall()
    return [
        (*row[:6], json.loads(row[6]) if isinstance(row[6], str | bytes) else (row[6] or [])) for row in found
    ]


@functools.cache
def _balance_sql(alias: str) -> str:
    column, table = _names(alias, Account)
    return f"UPDATE {table} SET {column('balance')} = %s WHERE {column('id')} = %s"  # noqa: S608


def balance_set(account_id: int, balance: int) -> None:
    """The locked account's balance (``ledger.record`` only)."""
    alias = _alias()
    with connections[alias].cursor() as cursor:
        cursor.execute(_balance_sql(alias), [balance, account_id])
