"""Who calls the API: a person (``accounts.User``) or a machine — a turnstile, a cash desk, a
clinic's or a payment provider's system — authenticated with its own credential, never a person's.

A machine principal is what ``request.user`` holds when a machine calls; it answers the few
questions that services and access functions ask of any caller. Services that accept machine
input (attendance from a clinic, passage events from a turnstile) check ``scopes`` and the school
it belongs to; everything written for people (roles, guardianship) refuses it, since it is no
``User``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class MachinePrincipal(Protocol):
    """A machine caller. ``kind`` says what it is (``turnstile``, ``cash_desk``, ``clinic``,
    ``payment_provider`` …); ``scopes`` what it may do (``attendance:clinic``,
    ``passage:write`` …); ``school_id`` and ``building_id`` where (None: city-wide, e.g. a clinic
    system serving many schools, limited by its scopes)."""

    pk: Any
    kind: str
    school_id: int | None
    building_id: int | None
    scopes: frozenset[str]
    is_machine: bool  # always True; a User has no such attribute
    is_authenticated: bool  # always True, as DRF's permission classes ask


def is_machine(caller: Any) -> bool:
    """The caller is a machine principal (not a person, not anonymous)."""
    return bool(getattr(caller, "is_machine", False))


def principal_key(caller: Any) -> str:
    """A stable name for who called, unique across people and machines (``user:12``,
    ``machine:3``): idempotency keys and call logs are kept per principal."""
    if is_machine(caller):
        return f"machine:{caller.pk}"
    if getattr(caller, "is_authenticated", False):
        return f"user:{caller.pk}"
    return "anonymous"


def has_scope(caller: Any, scope: str) -> bool:
    """A machine principal holding ``scope``; a person never does."""
    return is_machine(caller) and scope in caller.scopes
