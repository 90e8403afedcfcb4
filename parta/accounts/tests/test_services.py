from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from parta.accounts.services import (
    LOGIN_FAILURE_LIMIT,
    auth_token_create,
    auth_token_delete,
    calendar_token_reset,
    client_address,
    login_blocked,
    login_failure_record,
    login_failures_clear,
    password_change_done,
)
from parta.testing.factories import PASSWORD, UserFactory

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


def test_password_change_done_revokes_the_token_and_the_calendar_address():
    user = UserFactory.create()
    Token.objects.create(user=user)
    other = UserFactory.create()
    other_token = Token.objects.create(user=other)
    old_calendar = user.calendar_token
    password_change_done(user=user)
    user.refresh_from_db()
    assert not Token.objects.filter(user=user).exists()
    assert user.calendar_token != old_calendar
    assert Token.objects.get(user=other) == other_token  # nobody else's


def test_login_failures_block_one_login_from_one_address():
    for _failure in range(LOGIN_FAILURE_LIMIT - 1):
        login_failure_record(username="anna", address="10.0.0.1")
    assert not login_blocked(username="anna", address="10.0.0.1")
    login_failure_record(username="Anna ", address="10.0.0.1")  # the same login, typed differently
    assert login_blocked(username="anna", address="10.0.0.1")
    # Nobody else is blocked: not anna from another address, not another login from this one.
    assert not login_blocked(username="anna", address="10.0.0.2")
    assert not login_blocked(username="boris", address="10.0.0.1")
    login_failures_clear(username="anna", address="10.0.0.1")
    assert not login_blocked(username="anna", address="10.0.0.1")


def test_client_address_trusts_forwarded_for_only_as_far_as_our_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert client_address(request) == "10.0.0.9"  # no proxies of ours: the header is anyone's
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_address(request) == "192.0.2.7"  # what our load balancer wrote, not what the client did
