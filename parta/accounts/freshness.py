"""The accounts app's read-cache freshness rule (``parta.core.freshness``): a person's name is
shown everywhere in the city."""

from __future__ import annotations

from parta.accounts.models import User
from parta.core import freshness

# Saves of a user that change nothing a cached read shows (every sign-in writes last_login; /me,
# which shows must_change_password, is not cached).
_SIGN_IN_FIELDS = ("last_login", "password", "must_change_password", "invited_at")


def register() -> None:
    # A new account shows nowhere until an enrolment or lesson names it (and that write renews).
    freshness.register(User, freshness.of_everything, ignore_created=True, ignore_fields=_SIGN_IN_FIELDS)
