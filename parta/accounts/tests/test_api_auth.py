"""API tokens per device: POST/DELETE /api/v1/auth/token, GET /api/v1/auth/tokens,
DELETE /api/v1/auth/tokens/{id}; the Bearer authentication that reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIClient

from parta.accounts.authentication import BearerAuthentication
from parta.accounts.models import ApiToken, User, credential_hash
from parta.accounts.services import api_token_issue
from parta.testing.factories import PASSWORD, UserFactory, api_key

URL = "/api/v1/auth/token"
pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def sign_in(username: str = "anna", password: str = PASSWORD, **extra: str):
    return APIClient().post(URL, {"username": username, "password": password, **extra}, format="json")


def test_good_credentials_give_a_token_that_opens_the_api():
    user = UserFactory.create(username="anna")
    response = sign_in(device="Anna's phone")
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(user=user)
    assert body["id"] == token.pk
    assert body["token"].startswith("pt_")
    # Only the hash is kept, and the first characters to tell devices apart.
    assert token.key_hash == credential_hash(body["token"])
    assert body["token"] not in {token.key_hash, token.prefix}
    assert body["token"].startswith(token.prefix)
    assert token.device == "Anna's phone"
    assert dt.datetime.fromisoformat(body["expires_at"]) == token.expires_at
    assert bearer(body["token"]).get("/api/v1/ping").json() == {"user_id": user.pk}


def test_each_sign_in_gives_a_new_token_and_records_the_login():
    user = UserFactory.create(username="anna")
    first, second = sign_in().json()["token"], sign_in().json()["token"]
    assert first != second
    assert ApiToken.objects.filter(user=user).count() == 2
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize(
    "credentials",
    [{"username": "anna", "password": "wrong"}, {"username": "nobody", "password": PASSWORD}],
    ids=["wrong-password", "unknown-user"],
)
def test_bad_credentials_are_a_400_with_one_message_and_no_token(credentials):
    UserFactory.create(username="anna")
    response = APIClient().post(URL, credentials, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    # The same message for both, so that a client cannot find out which usernames exist.
    assert body["errors"] == {"non_field_errors": ["The username or password is wrong."]}
    assert not ApiToken.objects.exists()


def test_missing_fields_get_a_message_each():
    response = APIClient().post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}
    assert not ApiToken.objects.exists()


def test_a_too_long_device_name_is_a_400():
    UserFactory.create(username="anna")
    response = sign_in(device="x" * 101)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"device"}
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token():
    UserFactory.create(username="anna", is_active=False)
    assert sign_in().status_code == 400
    assert not ApiToken.objects.exists()


def test_a_stale_token_in_the_request_does_not_block_signing_in():
    UserFactory.create(username="anna")
    response = bearer("stale-token").post(URL, {"username": "anna", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_signing_in_from_a_browser_session_needs_no_csrf_token():
    user = UserFactory.create(username="anna")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(URL, {"username": "anna", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_signing_out_revokes_the_token_in_use_only():
    user = UserFactory.create()
    phone, tablet = api_key(user, "phone"), api_key(user, "tablet")
    assert bearer(phone).delete(URL).status_code == 204
    assert bearer(phone).get("/api/v1/ping").status_code == 401
    assert bearer(tablet).get("/api/v1/ping").status_code == 200
    assert list(ApiToken.objects.filter(user=user).values_list("device", flat=True)) == ["tablet"]


def test_signing_out_needs_a_signed_in_user():
    assert APIClient().delete(URL).status_code == 401


def test_the_devices_are_listed_with_the_one_in_use_marked():
    user = UserFactory.create()
    phone = api_key(user, "phone")
    api_key(user, "tablet")
    api_key(UserFactory.create(), "someone else's")
    response = bearer(phone).get("/api/v1/auth/tokens")
    assert response.status_code == 200
    devices = {row["device"]: row for row in response.json()}
    assert set(devices) == {"phone", "tablet"}
    assert devices["phone"]["current"] and not devices["tablet"]["current"]
    assert phone.startswith(devices["phone"]["prefix"])
    assert set(devices["phone"]) == {
        "id",
        "device",
        "prefix",
        "created",
        "last_used",
        "expires_at",
        "current",
    }


def test_one_device_is_revoked_and_another_persons_is_a_404():
    user, other = UserFactory.create(), UserFactory.create()
    phone = api_key(user, "phone")
    tablet, _key = api_token_issue(user=user, device="tablet")
    theirs, their_key = api_token_issue(user=other, device="theirs")
    client = bearer(phone)
    response = client.delete(f"/api/v1/auth/tokens/{theirs.pk}")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "code"}
    assert bearer(their_key).get("/api/v1/ping").status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{tablet.pk}").status_code == 204
    assert not ApiToken.objects.filter(pk=tablet.pk).exists()
    assert client.delete(f"/api/v1/auth/tokens/{tablet.pk}").status_code == 404


def test_an_unknown_token_is_a_401_that_asks_for_a_bearer_token():
    response = bearer("not-a-token").get("/api/v1/ping")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"detail", "code"}


def test_an_expired_token_is_refused():
    user = UserFactory.create()
    token, key = api_token_issue(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(key).get("/api/v1/ping").status_code == 401
    assert bearer(key).get("/api/v1/auth/tokens").status_code == 401


def test_use_pushes_the_expiry_back_at_most_every_few_minutes(settings):
    """Sliding expiry: a token in use does not expire, and its last use is written only when it is
    older than PARTA_TOKEN_TOUCH_SECONDS (not on every request)."""
    token, key = api_token_issue(user=UserFactory.create())
    old = timezone.now() - dt.timedelta(days=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used=old, expires_at=old + dt.timedelta(days=90))
    with CaptureQueriesContext(connection) as first:
        assert bearer(key).get("/api/v1/ping").status_code == 200
    token.refresh_from_db()
    assert token.last_used > old + dt.timedelta(days=9)
    assert token.expires_at > timezone.now() + dt.timedelta(days=settings.PARTA_TOKEN_DAYS - 1)
    with CaptureQueriesContext(connection) as second:
        assert bearer(key).get("/api/v1/ping").status_code == 200
    assert (len(first), len(second)) == (2, 1)


def test_the_token_of_a_deactivated_user_no_longer_opens_the_api():
    user = UserFactory.create()
    key = api_key(user)
    assert bearer(key).get("/api/v1/ping").status_code == 200
    user.is_active = False
    user.save()
    response = bearer(key).get("/api/v1/ping")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted.", "code": "authentication_failed"}


def test_the_token_found_is_the_requests_own(rf):
    """request.user and request.auth come from the token sent, not from another row."""
    mine, other = UserFactory.create(username="mine"), UserFactory.create(username="other")
    token, key = api_token_issue(user=mine)
    api_token_issue(user=other)
    found = BearerAuthentication().authenticate(rf.get("/", HTTP_AUTHORIZATION=f"Bearer {key}"))
    assert found is not None
    user, auth = found
    assert (user.pk, user.username, auth.pk, auth.user_id) == (mine.pk, "mine", token.pk, mine.pk)


def test_the_token_brings_its_user_in_one_query(rf, django_assert_num_queries):
    """The user as the ORM reads it (dates and flags converted on every database)."""
    user = UserFactory.create(is_staff=True)
    _token, key = api_token_issue(user=user)
    request = rf.get("/", HTTP_AUTHORIZATION=f"Bearer {key}")
    with django_assert_num_queries(1):
        found = BearerAuthentication().authenticate(request)
    assert found is not None
    stored = User.objects.get(pk=user.pk)
    assert {field.attname: getattr(found[0], field.attname) for field in User._meta.concrete_fields} == {
        field.attname: getattr(stored, field.attname) for field in User._meta.concrete_fields
    }


def test_a_key_from_before_tokens_per_device_keeps_working():
    """DRF's keys (40 hex digits) were moved into ApiToken by their hash (migration 0005)."""
    user = UserFactory.create()
    old_key = "0123456789abcdef0123456789abcdef01234567"
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        key_hash=credential_hash(old_key),
        prefix=old_key[:10],
        last_used=now,
        expires_at=now + dt.timedelta(days=1),
    )
    assert bearer(old_key).get("/api/v1/ping").json() == {"user_id": user.pk}


def test_no_credentials_is_a_401():
    response = APIClient().get("/api/v1/ping")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_browser_session_also_opens_the_api():
    user = UserFactory.create(username="anna")
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/ping").json() == {"user_id": user.pk}


# --- invariant -------------------------------------------------------------------------------


class TestCredentialInvariant(HypothesisTestCase):
    """Whatever a client sends as a Bearer credential, it is refused or it is a live token's own
    user: never someone else, never an error of the server."""

    @hsettings(max_examples=60, deadline=None)
    @given(
        st.one_of(
            # What a header can carry (WSGI decodes it as Latin-1), without spaces.
            st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), min_size=1, max_size=80),
            st.sampled_from(["mine", "theirs", "expired", "pm_x", "pt_", "0" * 40]),
        )
    )
    def test_a_credential_is_refused_or_its_owners(self, sent):
        mine, theirs = UserFactory.create(), UserFactory.create()
        keys = {"mine": api_key(mine), "theirs": api_key(theirs)}
        expired, keys["expired"] = api_token_issue(user=theirs)
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
        credential = keys.get(sent, sent)
        request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {credential}")
        try:
            found = BearerAuthentication().authenticate(Request(request))
        except AuthenticationFailed:
            assert sent not in {"mine", "theirs"}
            return
        assert found is not None
        assert found[0].pk == {"mine": mine.pk, "theirs": theirs.pk}[sent]
