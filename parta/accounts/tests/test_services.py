from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from parta.accounts.services import auth_token_create, auth_token_delete, calendar_token_reset
from parta.core.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # These tests check real passwords; the production hasher would take most of a second each time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(**kwargs):
    # Hashed here, under the fast hasher; the factory's hash was made with the production one.
    return UserFactory.create(password=make_password(PASSWORD), **kwargs)


def test_calendar_token_reset_gives_a_new_unguessable_secret():
    user = make_user()
    old = user.calendar_token
    new = calendar_token_reset(user=user)
    user.refresh_from_db()
    assert user.calendar_token == new != old
    assert len(new) >= 40


def test_auth_token_create_and_delete():
    user = make_user(username="anna")
    token = auth_token_create(request=None, username="anna", password=PASSWORD)
    assert token.user == user
    auth_token_delete(user=user)
    assert not Token.objects.exists()


def test_auth_token_create_refuses_a_wrong_password():
    make_user(username="anna")
    with pytest.raises(ValidationError):
        auth_token_create(request=None, username="anna", password="nope")
    assert not Token.objects.exists()
