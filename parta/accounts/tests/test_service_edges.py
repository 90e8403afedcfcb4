"""Rules of the accounts' services that no other test pinned down: the first ones read from the code
for issue 17's mutation run before it reached this module, the last ones (from the token's prefix
on) found by the run itself (docs/decisions/0008-test-blind-spots.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from parta.accounts.models import SHOWN_CHARACTERS, ApiToken, MachineCall
from parta.accounts.services import (
    DEVICE_MAX_LENGTH,
    api_token_issue,
    auth_token_create,
    client_address,
    machine_calls_purge,
    machine_client_create,
    machine_client_revoke,
)
from parta.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_device_name_of_the_full_length_is_taken():
    """The device's limit is inclusive: 100 characters are accepted."""
    token, _key = api_token_issue(user=UserFactory.create(), device="x" * DEVICE_MAX_LENGTH)
    assert len(token.device) == DEVICE_MAX_LENGTH == 100


def test_revoking_a_revoked_client_keeps_who_revoked_it_first():
    """A second revocation changes nothing: the record says who revoked the client and when."""
    first, second = UserFactory.create_batch(2)
    client, _secret = machine_client_create(
        by=None, kind="clinic", name="Clinic", scopes=["attendance:clinic"]
    )
    machine_client_revoke(by=first, client=client)
    client.refresh_from_db()
    revoked_at = client.revoked_at
    machine_client_revoke(by=second, client=client)
    client.refresh_from_db()
    assert (client.is_active, client.revoked_by, client.revoked_at) == (False, first, revoked_at)


def test_a_clients_scopes_are_kept_once_each_in_order():
    """Scopes given twice are stored once, sorted."""
    client, _secret = machine_client_create(
        by=None,
        kind="turnstile",
        name="Gate",
        scopes=["passage:write", "attendance:turnstile", "passage:write"],
        school_id=3,
        building_id=4,
    )
    client.refresh_from_db()
    assert client.scope_list == ["attendance:turnstile", "passage:write"]
    assert (client.school_id, client.building_id) == (3, 4)


def test_more_proxies_than_hops_reads_the_first_hop(settings):
    """Fewer forwarded hops than proxies of ours: the first one written is the client."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 3}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=" 192.0.2.7 , 10.0.0.2")
    assert client_address(request) == "192.0.2.7"


def test_machine_calls_are_purged_as_of_now_by_default(settings):
    """Without ``now`` the retention counts back from the present."""
    settings.PARTA_MACHINE_CALL_DAYS = 30
    client, _secret = machine_client_create(
        by=None, kind="clinic", name="Clinic", scopes=["attendance:clinic"]
    )
    now = timezone.now()
    for days in (31, 29):
        MachineCall.objects.create(
            client=client, at=now - dt.timedelta(days=days), method="POST", path="/", status=201
        )
    assert machine_calls_purge() == 1
    assert MachineCall.objects.count() == 1


def test_a_token_without_a_device_names_none_and_shows_the_keys_beginning():
    """Signing in without a device name stores an empty one; the list of tokens shows each by the
    beginning of its key."""
    UserFactory.create(username="anna")
    token, key = auth_token_create(request=RequestFactory().post("/"), username="anna", password=PASSWORD)
    issued, issued_key = api_token_issue(user=token.user)
    stored = {t.pk: (t.device, t.prefix) for t in ApiToken.objects.all()}
    assert stored == {token.pk: ("", key[:SHOWN_CHARACTERS]), issued.pk: ("", issued_key[:SHOWN_CHARACTERS])}


def test_a_device_name_one_character_too_long_is_refused_at_the_device():
    with pytest.raises(ValidationError) as error:
        api_token_issue(user=UserFactory.create(), device="x" * (DEVICE_MAX_LENGTH + 1))
    assert error.value.message_dict == {"device": ["At most 100 characters."]}
    assert not ApiToken.objects.exists()


def test_a_machine_client_keeps_its_kind_and_the_secrets_beginning():
    client, secret = machine_client_create(
        by=None, kind="clinic", name="Clinic", scopes=["attendance:clinic"]
    )
    client.refresh_from_db()
    assert (client.kind, client.prefix) == ("clinic", secret[:SHOWN_CHARACTERS])


def test_behind_a_proxy_a_request_without_forwarded_hops_is_the_connections(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"


def test_forwarded_hops_without_spaces_are_told_apart(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.7,10.0.0.2")
    assert client_address(request) == "10.0.0.2"
