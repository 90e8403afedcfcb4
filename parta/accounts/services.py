"""Writes of accounts: API tokens, the secret of the calendar feed, what a password change
revokes, and the count of failed sign-ins on the login page."""

from __future__ import annotations

import hashlib

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings

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


@transaction.atomic
def password_change_done(*, user: User) -> None:
    """After a password change: whatever the old password gave out stops working.

    The API token (a stolen password may have been used to take one) is revoked, and the
    calendar feed gets a new secret address; the browser session that changed the password stays.
    """
    auth_token_delete(user=user)
    calendar_token_reset(user=user)


# --- failed sign-ins on the login page ---------------------------------------------------

# Ten wrong passwords for one login from one address within a quarter of an hour, and that
# pair must wait out the quarter. Per login *and* address, so that nobody can lock a child out
# of their account from elsewhere by typing wrong passwords for it.
LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds, counted from the first failure


def client_address(request: HttpRequest) -> str:
    """The client's IP address, read as DRF's throttles read it (REST_FRAMEWORK["NUM_PROXIES"]):
    X-Forwarded-For only as far back as our own proxies write it, else the connection's address."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    proxies = api_settings.NUM_PROXIES
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return remote


def _login_failures_key(username: str, address: str) -> str:
    # Hashed: a cache key has a length limit and a character set, a typed login has neither.
    digest = hashlib.sha256(f"{username.strip().casefold()}\x00{address}".encode()).hexdigest()
    return f"parta:login-failures:{digest}"


def login_blocked(*, username: str, address: str) -> bool:
    """Whether this login from this address has failed too often to be tried again yet."""
    return int(cache.get(_login_failures_key(username, address), 0)) >= LOGIN_FAILURE_LIMIT


def login_failure_record(*, username: str, address: str) -> None:
    """Count a wrong password; the count expires LOGIN_FAILURE_WINDOW after the first one."""
    key = _login_failures_key(username, address)
    cache.add(key, 0, timeout=LOGIN_FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=LOGIN_FAILURE_WINDOW)


def login_failures_clear(*, username: str, address: str) -> None:
    """A successful sign-in forgets the failures before it."""
    cache.delete(_login_failures_key(username, address))
