from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from parta.accounts.services import auth_token_create, auth_token_delete, calendar_token_reset
from parta.core.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_calendar_token_reset_gives_a_new_unguessable_secret():
    user = UserFactory.create()
    old = user.calendar_token
    new = calendar_token_reset(user=user)
    user.refresh_from_db()
    assert user.calendar_token == new != old
    assert len(new) >= 40


def test_auth_token_create_and_delete():
    user = UserFactory.create(username="anna")
    token = auth_token_create(request=None, username="anna", password=PASSWORD)
    assert token.user == user
    auth_token_delete(user=user)
    assert not Token.objects.exists()


def test_auth_token_create_refuses_a_wrong_password():
    UserFactory.create(username="anna")
    with pytest.raises(ValidationError):
        auth_token_create(request=None, username="anna", password="nope")
    assert not Token.objects.exists()
