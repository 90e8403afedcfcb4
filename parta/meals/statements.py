"""The cash desk's hot statements, written out once per database: a sale runs each of them, and
building the ORM's query cost more than running it (three of them were 5 of a sale's 11 ms in the
profile; docs/performance.md says the same of the marks). A sale's reads after the account's lock
are one statement, and on PostgreSQL its write with the balance another. Only names from the
models' meta and the fixed meal names are formatted in; every value is a parameter.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model

from parta.core import rows
from parta.meals.models import (
    SUBSIDISED_MEALS,
    Account,
    Entitlement,
    LedgerEntry,
    MenuItem,
    MenuLine,
    Sale,
    SaleLine,
)
from parta.outbox.models import OutboxEvent


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
def _facts_sql(alias: str) -> str:
    """The day's facts as one row of scalar subqueries: the desk's sale of this id, the day's
    spending, and for each subsidised meal the entitlement that covers today and whether one was
    given already."""
    sale, sales = _names(alias, Sale)
    line, lines = _names(alias, SaleLine)
    entitlement, entitlements = _names(alias, Entitlement)
    parts = [
        f"(SELECT {sale('id')} FROM {sales} WHERE {sale('device')} = %s AND {sale('sale_id')} = %s)",  # noqa: S608
        f"COALESCE((SELECT SUM(s.{sale('total')}) FROM {sales} s WHERE s.{sale('account')} = %s"  # noqa: S608
        f" AND s.{sale('day')} = %s AND s.{sale('refunded_at')} IS NULL), 0)",
    ]
    for meal in SUBSIDISED_MEALS:
        entitled = (
            f"(SELECT e.{entitlement('id')} FROM"  # noqa: S608
            f" {entitlements} e WHERE e.{entitlement('student')} = %s"
            f" AND e.{entitlement('starts_on')} <= %s AND e.{entitlement('ends_on')} >= %s"
            f" AND e.{entitlement(meal)} = %s ORDER BY e.{entitlement('id')} LIMIT 1)"
        )
        parts.append(entitled)
        # Whether the meal was given free today is looked for only for an entitled child: it reads
        # each of the day's sales' lines, the costliest part of the statement.
        parts.append(
            f"CASE WHEN {entitled} IS NULL THEN FALSE ELSE EXISTS (SELECT 1 FROM"  # noqa: S608
            f" {lines} l JOIN {sales} s ON s.{sale('id')} = l.{line('sale')}"
            f" WHERE s.{sale('account')} = %s AND s.{sale('day')} = %s AND s.{sale('refunded_at')} IS NULL"
            f" AND l.{line('entitlement')} IS NOT NULL AND l.{line('meal')} = %s) END"
        )
    return "SELECT " + ", ".join(f"{part} AS f{n}" for n, part in enumerate(parts))


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


@functools.cache
def _day_sql(alias: str, count: int) -> str:
    # The facts' one row joined to each menu row (once, menu columns null, when none is found).
    return f"SELECT * FROM ({_facts_sql(alias)}) f LEFT JOIN ({_menu_sql(alias, count)}) m ON 1 = 1"  # noqa: S608


_FACTS = 2 + 2 * len(SUBSIDISED_MEALS)  # the facts' columns, before the menu's


@dataclass(frozen=True)
class Day:
    """What the day holds for an account at a desk, and the sale's items on the menu."""

    sale: int | None  # the desk's sale of this sale id
    spent: int  # paid today for sales not refunded
    entitlements: dict[str, int]  # meal → the entitlement that makes it free today
    given: frozenset[str]  # of the entitled meals, those already given free today
    menu: list[tuple[Any, ...]]  # (item, name_ru, name_en, kind, meal, price, allergens)


def day_read(
    *,
    account_id: int,
    student_id: int,
    device_id: int,
    sale_id: str,
    day: dt.date,
    building_id: int,
    item_ids: Sequence[int],
) -> Day:
    """One statement, run after the account's row is locked, so that it sees every sale committed
    before: the day's facts and, with them, ``item_ids`` on the building's menu of the day."""
    if not item_ids:
        raise ValueError("a sale sells at least one item")
    alias = _alias()
    adapted = connections[alias].ops.adapt_datefield_value(day)
    params: list[Any] = [device_id, sale_id, account_id, adapted]
    for meal in SUBSIDISED_MEALS:
        entitlement = [student_id, adapted, adapted, True]
        params += [*entitlement, *entitlement, account_id, adapted, meal]
    params += [building_id, adapted, *item_ids]
    with connections[alias].cursor() as cursor:
        cursor.execute(_day_sql(alias, len(item_ids)), params)
        found = cursor.fetchall()
    facts = found[0]
    entitled: dict[str, int] = {
        meal: facts[2 + 2 * n] for n, meal in enumerate(SUBSIDISED_MEALS) if facts[2 + 2 * n] is not None
    }
    given = frozenset(meal for n, meal in enumerate(SUBSIDISED_MEALS) if facts[3 + 2 * n])
    menu = [
        (
            *row[_FACTS : _FACTS + 6],
            json.loads(row[-1]) if isinstance(row[-1], str | bytes) else (row[-1] or []),
        )
        for row in found
        if row[_FACTS] is not None
    ]
    return Day(facts[0], int(facts[1] or 0), entitled, given, menu)


@functools.cache
def _balance_sql(alias: str) -> str:
    column, table = _names(alias, Account)
    return f"UPDATE {table} SET {column('balance')} = %s WHERE {column('id')} = %s"  # noqa: S608


def balance_set(account_id: int, balance: int) -> None:
    """The locked account's balance (``ledger.record`` only)."""
    alias = _alias()
    with connections[alias].cursor() as cursor:
        cursor.execute(_balance_sql(alias), [balance, account_id])


def writes_at_once() -> bool:
    """Whether the database writes a sale and its balance in one statement (PostgreSQL's
    data-modifying WITH)."""
    return connections[_alias()].vendor == "postgresql"


@functools.cache
def _new_row_fields(model: type[Model]) -> tuple[tuple[Field[Any, Any], bool], ...]:
    """The fields a new row of ``model`` is written with (all but its automatic key), each with
    whether it names the sale written in the same statement."""
    meta = model._meta
    return tuple(
        (field, field.is_relation and field.related_model is Sale)
        for field in meta.local_concrete_fields
        if field is not meta.auto_field
    )


@functools.cache
def _sale_insert_sql(alias: str, lines: int, event: bool) -> str:
    quote = connections[alias].ops.quote_name
    sale_key = f"s.{quote(str(Sale._meta.pk.column))}"
    parts = [("s", Sale), ("e", LedgerEntry), *((f"l{n}", SaleLine) for n in range(lines))]
    if event:
        parts.append(("o", OutboxEvent))
    inserts = []
    for name, model in parts:
        fields = _new_row_fields(model)
        columns = ", ".join(quote(str(field.column)) for field, _sale in fields)
        values = ", ".join(sale_key if names_sale else "%s" for _field, names_sale in fields)
        source = f"SELECT {values} FROM s" if name != "s" else f"VALUES ({values})"  # noqa: S608
        key = quote(str(model._meta.pk.column))
        inserts.append(
            f"{name} AS (INSERT INTO {quote(model._meta.db_table)} ({columns}) {source} RETURNING {key})"
        )
    balance, account = _names(alias, Account)
    inserts.append(f"b AS (UPDATE {account} SET {balance('balance')} = %s WHERE {balance('id')} = %s)")  # noqa: S608
    keys = ", ".join(f"{name}.{quote(str(model._meta.pk.column))}" for name, model in parts)
    tables = ", ".join(name for name, _model in parts)
    # Only names from the models' meta are formatted in; every value is a parameter.
    return f"WITH {', '.join(inserts)} SELECT {keys} FROM {tables}"  # noqa: S608


def sale_insert(
    sale: Sale,
    entry: LedgerEntry,
    lines: Sequence[SaleLine],
    event: OutboxEvent | None,
    *,
    account_id: int,
    balance: int,
) -> None:
    """PostgreSQL: the new sale, its ledger entry, its lines (and the low-balance event) and the
    account's new balance in one statement built once per number of lines, instead of
    ``rows.insert_together``'s statement made anew each time and the balance's own (``ledger``
    only). No save signals are sent: no cached read shows these rows (``parta.core.freshness``)."""
    alias = _alias()
    connection = connections[alias]
    rows_written: list[Model] = [sale, entry, *lines]
    if event is not None:
        rows_written.append(event)
    params: list[Any] = [
        field.get_db_prep_save(field.pre_save(row, True), connection)
        for row in rows_written
        for field, names_sale in _new_row_fields(type(row))
        if not names_sale
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sale_insert_sql(alias, len(lines), event is not None), [*params, balance, account_id])
        keys = cursor.fetchone()
    for row, key in zip(rows_written, keys, strict=True):
        row.pk = key
        row._state.adding = False
        row._state.db = alias
    entry.sale_id = sale.pk
    for line in lines:
        line.sale_id = sale.pk
