"""The only writer of ledger entries and balances.

An account's ``balance`` is the sum of its entries. It is kept on the account row for the cash
desk, which must check it in a few milliseconds, and it stays exact because every entry is written
here, in a transaction that first locks the account's row (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite's IMMEDIATE transactions take the whole database): the entry's ``balance_after`` is the
locked balance plus its amount, the entry and what it belongs to (a sale and its lines, a payment)
are inserted in one statement, and the row's balance is set to ``balance_after`` before the commit
(a sale's, on PostgreSQL, in the same statement: :func:`record_sale`).
Two purchases at once wait for each other; neither sees a balance the other has spent. The database
refuses a balance below zero (``meals_account_not_negative``, ``meals_ledger_not_negative``)
whatever a caller forgets.

When an entry takes the balance below the threshold the parents set, a ``meals.low_balance``
event is written in the same statement (the outbox; ``parta.meals.notifications`` tells them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from parta.core import rows
from parta.meals import statements
from parta.meals.models import Account, LedgerEntry, Sale, SaleLine
from parta.outbox.models import OutboxEvent
from parta.outbox.services import emitted, new_event

LOW_BALANCE_EVENT = "meals.low_balance"


class Overdrawn(Exception):
    """The entry would take the balance below zero: nothing was written."""

    def __init__(self, balance: int, amount: int) -> None:
        super().__init__(f"balance {balance} cannot take {amount}")
        self.balance = balance
        self.amount = amount


def account_locked(student_id: int, *, school_id: int) -> Account:
    """The student's account with its row locked until the transaction ends; opened (empty) in
    ``school_id`` when the student has none. Must run inside ``transaction.atomic``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock an account inside a transaction")
    account = statements.account_for_update(student_id)
    if account is None:
        # Two first sales at once: one insert wins, the other inserts nothing and reads it.
        Account.objects.bulk_create(
            [Account(student_id=student_id, school_id=school_id)], ignore_conflicts=True
        )
        account = statements.account_for_update(student_id)
        assert account is not None
    return account


def entry(account: Account, *, kind: str, amount: int, **fields: Any) -> LedgerEntry:
    """A new entry moving the locked ``account`` by ``amount`` kopecks (not yet written: give it to
    :func:`record`). Overdrawn when the balance would fall below zero."""
    balance = account.balance + amount
    if balance < 0:
        raise Overdrawn(account.balance, amount)
    fields.setdefault("school_id", account.school_id)
    fields.setdefault("created_at", timezone.now())
    return LedgerEntry(account=account, kind=kind, amount=amount, balance_after=balance, **fields)


def _low_balance(account: Account, made: LedgerEntry) -> OutboxEvent | None:
    """The parents' warning when this entry takes the balance from at or above their threshold
    to below it (once per crossing: the next purchase below it says nothing again)."""
    threshold = account.low_balance_threshold
    if threshold is None or not account.balance >= threshold > made.balance_after:
        return None
    payload = {
        "student_id": account.student_id,
        "account_id": account.pk,
        "balance": made.balance_after,
        "threshold": threshold,
    }
    return new_event(LOW_BALANCE_EVENT, payload, school_id=account.school_id)


def _from_locked(account: Account, made: LedgerEntry) -> None:
    if made.balance_after != account.balance + made.amount:
        raise ValueError("the entry was not made from the account's locked balance")


def record(
    account: Account,
    made: LedgerEntry,
    *,
    first: models.Model | None = None,
    others: tuple[models.Model, ...] = (),
) -> None:
    """Write ``made`` and what it belongs to in one statement, and settle the account's balance.

    ``first`` is a new row the entry (and ``others``) name by ``rows.NEW_KEY`` — a sale and its
    lines, a payment; ``others`` are written after the entry. The account must be the one locked
    by :func:`account_locked` in this transaction, its ``balance`` as read then."""
    _from_locked(account, made)
    event = _low_balance(account, made)
    tail = (*others, event) if event is not None else others
    if first is None:
        rows.insert_together(made, *tail)
    else:
        rows.insert_together(first, made, *tail)
    statements.balance_set(account.pk, made.balance_after)
    account.balance = made.balance_after
    if event is not None:
        emitted(event)


def record_sale(account: Account, made: LedgerEntry, sale: Sale, lines: Sequence[SaleLine]) -> None:
    """:func:`record` of a purchase (``made`` names the new ``sale`` by ``rows.NEW_KEY``, as do its
    lines). On PostgreSQL the sale, its entry, its lines, the low-balance event and the balance are
    one statement, built once per number of lines: the cash desk's write, where building
    :func:`record`'s two statements cost more CPU than running them."""
    if not statements.writes_at_once():
        record(account, made, first=sale, others=tuple(lines))
        return
    _from_locked(account, made)
    event = _low_balance(account, made)
    statements.sale_insert(sale, made, lines, event, account_id=account.pk, balance=made.balance_after)
    account.balance = made.balance_after
    if event is not None:
        emitted(event)
