"""POST/DELETE /api/v1/auth/token: a token for username and password, used as a Bearer token."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from parta.accounts.authentication import BearerTokenAuthentication
from parta.accounts.models import User
from parta.schools.access import roles_of
from parta.schools.models import CityRole, StaffMembership
from parta.testing.factories import (
    PASSWORD,
    CityFactory,
    EnrolmentFactory,
    GuardianshipFactory,
    StaffMembershipFactory,
    UserFactory,
)

URL = "/api/v1/auth/token"
pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_good_credentials_give_a_token_that_opens_the_api():
    user = UserFactory.create(username="anna")
    response = APIClient().post(URL, {"username": "anna", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=user).key == token
    me = bearer(token).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "anna"


def test_signing_in_again_gives_the_same_token_and_records_the_login():
    user = UserFactory.create(username="anna")
    first = APIClient().post(URL, {"username": "anna", "password": PASSWORD}, format="json").json()
    second = APIClient().post(URL, {"username": "anna", "password": PASSWORD}, format="json").json()
    assert first == second
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
    assert not Token.objects.exists()


def test_missing_fields_get_a_message_each():
    response = APIClient().post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}
    assert not Token.objects.exists()


def test_an_inactive_user_gets_no_token():
    UserFactory.create(username="anna", is_active=False)
    response = APIClient().post(URL, {"username": "anna", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert not Token.objects.exists()


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


def test_signing_out_deletes_the_token():
    user = UserFactory.create()
    token = Token.objects.create(user=user)
    client = bearer(token.key)
    assert client.delete(URL).status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert client.get("/api/v1/me").status_code == 401


def test_signing_out_needs_a_signed_in_user():
    assert APIClient().delete(URL).status_code == 401


def test_an_unknown_token_is_a_401_that_asks_for_a_bearer_token():
    response = bearer("not-a-token").get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"detail"}


def test_the_token_of_a_deactivated_user_no_longer_opens_the_api():
    user = UserFactory.create()
    token = Token.objects.create(user=user)
    assert bearer(token.key).get("/api/v1/me").status_code == 200
    user.is_active = False
    user.save()
    response = bearer(token.key).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_the_token_found_is_the_requests_own(rf):
    """request.user and request.auth come from the token sent, not from another row."""
    mine, other = UserFactory.create(username="mine"), UserFactory.create(username="other")
    token, _ = Token.objects.create(user=mine), Token.objects.create(user=other)
    request = rf.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token.key}")
    found = BearerTokenAuthentication().authenticate(request)
    assert found is not None
    user, auth = found
    assert (user.pk, user.username, auth.key, auth.user_id, auth.created) == (
        mine.pk,
        "mine",
        token.key,
        mine.pk,
        token.created,
    )


def test_no_credentials_is_a_401():
    response = APIClient().get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_browser_session_also_opens_the_api():
    user = UserFactory.create(username="anna")
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/me").json()["username"] == "anna"


# --- throttling -------------------------------------------------------------------------


def auth_rate() -> int:
    """Sign-ins a minute allowed per address (REST_FRAMEWORK's "auth" rate)."""
    throttle = ScopedRateThrottle()
    count, seconds = throttle.parse_rate(throttle.THROTTLE_RATES["auth"])
    assert count is not None
    assert seconds == 60
    return count


def test_signing_in_is_throttled_per_client_address():
    UserFactory.create(username="anna")
    rate = auth_rate()
    client = APIClient()
    for _attempt in range(rate):
        assert client.post(URL, {"username": "anna", "password": "guess"}, format="json").status_code == 400
    # Even the right password is not checked once the address has used up its attempts.
    response = client.post(URL, {"username": "anna", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["detail"]
    assert "Retry-After" in response
    assert not Token.objects.exists()
    # Another address still signs in.
    other = APIClient(REMOTE_ADDR="10.0.0.2")
    assert other.post(URL, {"username": "anna", "password": PASSWORD}, format="json").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle():
    UserFactory.create(username="anna")
    for attempt in range(auth_rate()):
        APIClient(HTTP_X_FORWARDED_FOR=f"10.1.0.{attempt}").post(
            URL, {"username": "anna", "password": "guess"}, format="json"
        )
    response = APIClient(HTTP_X_FORWARDED_FOR="10.1.1.1").post(
        URL, {"username": "anna", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429


def test_signing_out_is_not_throttled():
    user = UserFactory.create()
    for _attempt in range(auth_rate() + 1):
        token = Token.objects.create(user=user)
        assert bearer(token.key).delete(URL).status_code == 204


def test_the_token_brings_its_user_and_the_users_roles_in_one_query(rf, django_assert_num_queries):
    """The user as the ORM reads it (dates and flags converted on every database) and every kind
    of role, as roles_of reads them on their own; no second query for the roles."""
    user = UserFactory.create(is_staff=True)
    teacher = StaffMembershipFactory.create(user=user)
    StaffMembershipFactory.create(user=user, role=StaffMembership.Role.ADMIN)
    GuardianshipFactory.create(guardian=user)
    EnrolmentFactory.create(student=user)
    CityRole.objects.create(user=user, city=CityFactory.create(), role=CityRole.Role.METHODOLOGIST)
    StaffMembershipFactory.create(school=teacher.school)  # someone else's role
    token = Token.objects.create(user=user)
    request = rf.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token.key}")
    with django_assert_num_queries(1):
        found = BearerTokenAuthentication().authenticate(request)
        assert found is not None
        roles = roles_of(found[0])
    stored = User.objects.get(pk=user.pk)
    assert {field.attname: getattr(found[0], field.attname) for field in User._meta.concrete_fields} == {
        field.attname: getattr(stored, field.attname) for field in User._meta.concrete_fields
    }
    assert roles == roles_of(stored)
    assert all(
        [roles.is_teacher, roles.is_admin, roles.is_guardian, roles.is_student, roles.is_methodologist]
    )


def test_a_token_without_roles_brings_a_user_without_roles(rf):
    token = Token.objects.create(user=UserFactory.create())
    found = BearerTokenAuthentication().authenticate(rf.get("/", HTTP_AUTHORIZATION=f"Bearer {token.key}"))
    assert found is not None
    assert roles_of(found[0]).names == []
