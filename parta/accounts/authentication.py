"""``Authorization: Bearer <credential>``: a person's API token (``pt_…``, or a key from before
tokens per device) or a machine client's secret (``pm_…``), told apart by the prefix.

A person's token is read in one raw statement with its user, and with whatever rows an app above
accounts asks for in the same round trip (:func:`register_user_rows`: schools adds the user's
roles), since every API request runs it. Accounts alone authenticates without them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from parta.accounts.models import (
    MACHINE_CREDENTIAL_PREFIX,
    ApiToken,
    MachineClient,
    User,
    credential_hash,
)
from parta.core import rows

KEYWORD = "Bearer"


@dataclass(frozen=True)
class UserRows:
    """What an app reads with the token's user: ``sql(user)`` is a statement of (tag, id) rows
    for the user whose id is the SQL ``user`` (written in as often as it needs, no parameters of
    its own), and ``remember(user, rows)`` keeps them on the user for the rest of the request."""

    sql: Callable[[str], str]
    remember: Callable[[Any, list[tuple[str, int]]], object]


_user_rows: list[UserRows] = []


def register_user_rows(
    *, sql: Callable[[str], str], remember: Callable[[Any, list[tuple[str, int]]], object]
) -> None:
    """Read these rows together with the token's user (called from an AppConfig.ready; one app
    only, since each app's rows must reach that app)."""
    if _user_rows:
        raise RuntimeError("the rows read with the token's user are registered already")
    _user_rows.append(UserRows(sql, remember))
    _token_statement.cache_clear()


@functools.cache
def _token_statement() -> str:
    """The token (if not expired) with its user, then the registered (tag, id) rows: a row of
    the token's id, whether its last use is to be written, and the user's columns (its first two
    null), then the (tag, id) rows (the rest null). Parameters: the key's hash, now, the time
    before which a last use is stale.

    Written out because every API request runs it: building the ORM's query cost more than
    running it."""
    q = connection.ops.quote_name
    meta = ApiToken._meta

    def column(name: str) -> str:
        return q(str(meta.get_field(name).column))  # type: ignore[union-attr]

    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{q(str(field.column))}" for field in fields)
    # Only names from the models are formatted in; every value is a parameter.
    statement = (
        f"WITH t AS (SELECT {column('id')} AS id, {column('user')} AS user_id,"  # noqa: S608
        f" CASE WHEN {column('last_used')} < %s THEN 1 ELSE 0 END AS stale"
        f" FROM {q(meta.db_table)} WHERE {column('key_hash')} = %s AND {column('expires_at')} > %s)"
        f" SELECT NULL, NULL, t.id, t.stale, {columns} FROM t"
        f" JOIN {q(User._meta.db_table)} u ON u.{q(str(User._meta.pk.column))} = t.user_id"
    )
    nulls = ", ".join("NULL" for _field in fields)
    for part in _user_rows:
        rows_sql = part.sql("(SELECT user_id FROM t)")
        statement += f" UNION ALL SELECT r.*, NULL, NULL, {nulls} FROM ({rows_sql}) r"  # noqa: S608
    return statement


def _touch_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.PARTA_TOKEN_TOUCH_SECONDS)


def person_token(key: str) -> tuple[User, ApiToken]:
    """The user of an unexpired API token, with the registered rows kept on it; or
    AuthenticationFailed. Writes the token's last use (and pushes its expiry back) when it is stale."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_token_statement(), [adapt(_touch_before(now)), credential_hash(key), adapt(now)])
        found = cursor.fetchall()
    user_rows = [row for row in found if row[0] is None]
    if not user_rows:
        raise AuthenticationFailed(_("Invalid token."))
    token_id, stale = user_rows[0][2:4]
    user: Any = rows.from_values(User, user_rows[0][4:], DEFAULT_DB_ALIAS)
    if not user.is_active:
        raise AuthenticationFailed(_("User inactive or deleted."))
    for part in _user_rows:
        part.remember(user, [(row[0], row[1]) for row in found if row[0] is not None])
    if stale:
        ApiToken.objects.filter(pk=token_id).update(
            last_used=now, expires_at=now + dt.timedelta(days=settings.PARTA_TOKEN_DAYS)
        )
    # The token as the ORM would have loaded it, its other fields deferred (nothing reads them).
    token = ApiToken.from_db(None, ["id", "user_id"], [token_id, user.pk])
    token.user = user
    return user, token


def machine_client(secret: str) -> MachineClient:
    """The active machine client of this secret, or AuthenticationFailed."""
    # Every call of a turnstile or a cash desk runs this: the statement is built once.
    client = rows.by_unique(MachineClient, "secret_hash", credential_hash(secret))
    if client is None or not client.is_active:
        raise AuthenticationFailed(_("Invalid token."))
    now = timezone.now()
    if client.last_used is None or client.last_used < _touch_before(now):
        MachineClient.objects.filter(pk=client.pk).update(last_used=now)
        client.last_used = now
    return client


def bearer_credential(header: bytes) -> str | None:
    """The credential of an ``Authorization: Bearer <credential>`` header; None for no header or
    another scheme; AuthenticationFailed for a malformed one."""
    parts = header.split()
    if not parts or parts[0].lower() != KEYWORD.lower().encode():
        return None
    if len(parts) != 2:
        raise AuthenticationFailed(_("Invalid token header."))
    try:
        return parts[1].decode()
    except UnicodeError as error:
        raise AuthenticationFailed(_("Invalid token header.")) from error


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <credential>`, the form mobile clients and machines send."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        credential = bearer_credential(get_authorization_header(request))
        if credential is None:
            return None
        if credential.startswith(MACHINE_CREDENTIAL_PREFIX):
            client = machine_client(credential)
            # Read by MachineCallMiddleware once the call is answered.
            request._request.parta_machine = client  # type: ignore[attr-defined]
            return client, None
        return person_token(credential)

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
