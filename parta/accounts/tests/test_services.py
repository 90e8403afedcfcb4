from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from parta.accounts.models import ApiToken, MachineCall, MachineClient, credential_hash
from parta.accounts.services import (
    api_tokens_issue,
    auth_token_create,
    calendar_token_reset,
    client_address,
    machine_calls_purge,
    machine_client_create,
    machine_client_revoke,
    machine_client_rotate,
    password_change_done,
)
from parta.testing.factories import PASSWORD, UserFactory, api_key

pytestmark = pytest.mark.django_db


def test_calendar_token_reset_gives_a_new_unguessable_secret():
    user = UserFactory.create()
    old = user.calendar_token
    new = calendar_token_reset(user=user)
    user.refresh_from_db()
    assert user.calendar_token == new != old
    assert len(new) >= 40


def test_auth_token_create_gives_a_token_for_the_device():
    user = UserFactory.create(username="anna")
    token, key = auth_token_create(
        request=RequestFactory().post("/"), username="anna", password=PASSWORD, device=" phone "
    )
    assert (token.user, token.device, token.key_hash) == (user, "phone", credential_hash(key))


def test_auth_token_create_refuses_a_wrong_password():
    UserFactory.create(username="anna")
    with pytest.raises(ValidationError):
        auth_token_create(request=RequestFactory().post("/"), username="anna", password="nope")
    assert not ApiToken.objects.exists()


def test_tokens_issued_in_bulk_are_each_users_own():
    users = UserFactory.create_batch(3)
    keys = api_tokens_issue(user_ids=[user.pk for user in users], device="bench")
    for user in users:
        assert ApiToken.objects.get(key_hash=credential_hash(keys[user.pk])).user_id == user.pk


def test_password_change_done_revokes_every_token_and_the_calendar_address():
    user = UserFactory.create()
    api_key(user, "phone")
    api_key(user, "tablet")
    other = UserFactory.create()
    api_key(other)
    old_calendar = user.calendar_token
    password_change_done(user=user)
    user.refresh_from_db()
    assert not ApiToken.objects.filter(user=user).exists()
    assert user.calendar_token != old_calendar
    assert ApiToken.objects.filter(user=other).count() == 1  # nobody else's


def test_client_address_trusts_forwarded_for_only_as_far_as_our_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert client_address(request) == "10.0.0.9"  # no proxies of ours: the header is anyone's
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_address(request) == "192.0.2.7"  # what our load balancer wrote, not what the client did


# --- machine clients ------------------------------------------------------------------------


def test_a_machine_client_keeps_only_the_hash_of_its_secret():
    admin = UserFactory.create()
    client, secret = machine_client_create(
        by=admin, kind="clinic", name=" City clinic 3 ", scopes=["attendance:clinic"]
    )
    assert secret.startswith("pm_") and secret.startswith(client.prefix)
    assert client.secret_hash == credential_hash(secret)
    assert (client.name, client.scopes, client.created_by, client.school_id) == (
        "City clinic 3",
        frozenset({"attendance:clinic"}),
        admin,
        None,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "robot"}, "kind"),
        ({"name": " "}, "name"),
        ({"scopes": ["everything:write"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"building_id": 3}, "building"),
    ],
)
def test_a_machine_client_needs_a_kind_a_name_known_scopes_and_a_school_for_a_building(changes, field):
    arguments = {"by": None, "kind": "turnstile", "name": "Gate", "scopes": ["passage:write"], **changes}
    with pytest.raises(ValidationError) as error:
        machine_client_create(**arguments)
    assert set(error.value.message_dict) == {field}
    assert not MachineClient.objects.exists()


def test_rotating_gives_a_new_secret_and_revoking_records_who_and_when():
    admin = UserFactory.create()
    client, old = machine_client_create(by=None, kind="partner", name="Library", scopes=["meals:write"])
    new = machine_client_rotate(by=admin, client=client)
    client.refresh_from_db()
    assert new != old and client.secret_hash == credential_hash(new)
    assert client.rotated_by == admin and client.rotated_at is not None
    machine_client_revoke(by=admin, client=client)
    client.refresh_from_db()
    assert not client.is_active and client.revoked_by == admin and client.revoked_at is not None
    with pytest.raises(ValidationError):
        machine_client_rotate(by=admin, client=client)


def test_machine_calls_older_than_the_retention_are_purged(settings):
    settings.PARTA_MACHINE_CALL_DAYS = 30
    client, _secret = machine_client_create(
        by=None, kind="clinic", name="Clinic", scopes=["attendance:clinic"]
    )
    now = timezone.now()
    for days in (31, 29):
        MachineCall.objects.create(
            client=client, at=now - dt.timedelta(days=days), method="POST", path="/", status=201
        )
    assert machine_calls_purge(now=now) == 1
    assert list(MachineCall.objects.values_list("at", flat=True)) == [now - dt.timedelta(days=29)]
