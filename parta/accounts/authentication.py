from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from parta.accounts.models import User

# The token's user in one raw statement. Every API request runs it, and building the ORM's
# select_related query for it cost more than the query itself (docs/performance.md).
_USER_OF_TOKEN = (
    f'SELECT u.* FROM "{User._meta.db_table}" u JOIN "{Token._meta.db_table}" t '  # noqa: S608 (names from the models)
    f'ON t."user_id" = u."{User._meta.pk.column}" WHERE t."key" = %s'
)


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`, the form mobile and calendar clients expect."""

    keyword = "Bearer"

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user: Any = next(iter(User.objects.raw(_USER_OF_TOKEN, [key])), None)
        if user is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        # The token as the ORM would have loaded it, its other fields deferred (nothing reads them).
        token = Token.from_db(None, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token
