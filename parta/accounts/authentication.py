import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from parta.accounts.models import User
from parta.core import rows
from parta.schools.access import remember_roles, roles_sql


@functools.cache
def _user_and_roles_sql() -> str:
    """The token's user and the user's roles in one raw statement, every parameter the key: a row
    of the user's columns (its first two null), then the roles' (tag, id) rows (the rest null).

    Every API request runs it, so it is written out: building the ORM's select_related query cost
    more than running it, and the roles are read here rather than by a second round trip."""
    q = connection.ops.quote_name
    token_user = (
        f"(SELECT {q(str(Token._meta.get_field('user').column))} FROM {q(Token._meta.db_table)}"  # noqa: S608 (names from the models)
        f" WHERE {q(str(Token._meta.pk.column))} = %s)"
    )
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{q(str(field.column))}" for field in fields)
    nulls = ", ".join("NULL" for _field in fields)
    return (
        f"SELECT NULL, NULL, {columns} FROM {q(User._meta.db_table)} u"  # noqa: S608
        f" WHERE u.{q(str(User._meta.pk.column))} = {token_user}"
        f" UNION ALL SELECT r.*, {nulls} FROM ({roles_sql(token_user)}) r"
    )


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`, the form mobile and calendar clients expect."""

    keyword = "Bearer"

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        with connection.cursor() as cursor:
            cursor.execute(_user_and_roles_sql(), [key] * 5)
            found = cursor.fetchall()
        user_rows = [row[2:] for row in found if row[0] is None]
        if not user_rows:
            raise AuthenticationFailed(_("Invalid token."))
        user: Any = rows.from_values(User, user_rows[0], DEFAULT_DB_ALIAS)
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        remember_roles(user, [(row[0], row[1]) for row in found if row[0] is not None])
        # The token as the ORM would have loaded it, its other fields deferred (nothing reads them).
        token = Token.from_db(None, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token
