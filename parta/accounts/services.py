"""Writes of accounts: API tokens and the secret of the calendar feed."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from parta.accounts.models import User, new_calendar_token


@transaction.atomic
def auth_token_create(*, request: HttpRequest | None, username: str, password: str) -> Token:
    """The API token of the user with these credentials (one per user, reused by every client).

    A wrong username and a wrong password get the same message so that usernames cannot be probed.
    """
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        raise ValidationError(_("The username or password is wrong."))
    token, _created = Token.objects.get_or_create(user=user)
    update_last_login(User, user)
    return token


@transaction.atomic
def auth_token_delete(*, user: User) -> None:
    """Sign out of the API: the token stops working for every client that holds it."""
    Token.objects.filter(user=user).delete()


@transaction.atomic
def calendar_token_reset(*, user: User) -> str:
    """Give the user a new calendar feed secret; the old feed URL stops working at once.

    For when a feed URL has leaked (shared by mistake, a lost phone): the URL is the only key.
    """
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
