"""Who may call an endpoint: people (the default of every view) or machines with a scope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from parta.accounts.signatures import SIGNATURE_HEADER, signature_valid
from parta.core.principals import has_scope, is_machine


class IsPerson(BasePermission):
    """A signed-in person; a machine client is refused (403) by everything written for people."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and not is_machine(user))


class ScopePermission(BasePermission):
    """A machine client holding ``scope`` (made by :func:`HasScope`)."""

    scope = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_scope(request.user, self.scope)


def HasScope(scope: str) -> type[BasePermission]:
    """The permission of a machine endpoint: ``permission_classes = [HasScope("passage:write")]``."""
    return type(f"HasScope[{scope}]", (ScopePermission,), {"scope": scope})


class IsPersonOrNobody(BasePermission):
    """An open read (the public library): a signed-in person or nobody signed in; a machine client
    is still refused, since its key was given for its own endpoints only."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return not is_machine(request.user)


class SignedBody(BasePermission):
    """The body carries its signing partner's HMAC (``accounts.signatures``); checked after the
    scope, so only a known partner's bad signature reaches it. A bad one is a ``400`` with the
    code ``bad_signature``, and nothing is written."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not signature_valid(request.body, request.headers.get(SIGNATURE_HEADER), request.user):
            raise ValidationError(
                {"signature": [_("The body's signature does not match.")]}, code="bad_signature"
            )
        return True
