"""POST /api/v1/auth/password: an app changes the password; the flag a slip's password sets."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from parta.accounts.models import ApiToken, User
from parta.testing.factories import PASSWORD, UserFactory, api_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/password"
NEW_PASSWORD = "ocean-violet-42-kettle"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_sign_in_says_when_the_password_must_change() -> None:
    UserFactory.create(username="anna", must_change_password=True)
    answer = (
        APIClient()
        .post("/api/v1/auth/token", {"username": "anna", "password": PASSWORD}, format="json")
        .json()
    )
    assert answer["password_change_required"] is True
    assert bearer(answer["token"]).get("/api/v1/me").json()["password_change_required"] is True


def test_a_change_signs_every_device_out_and_gives_this_one_a_new_token() -> None:
    user = UserFactory.create(must_change_password=True)
    phone, tablet = api_key(user, "phone"), api_key(user, "tablet")
    response = bearer(phone).post(
        URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "device": "phone"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["password_change_required"] is False
    for old in (phone, tablet):
        assert bearer(old).get("/api/v1/me").status_code == 401
    assert bearer(body["token"]).get("/api/v1/me").json()["password_change_required"] is False
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert list(ApiToken.objects.filter(user=user).values_list("device", flat=True)) == ["phone"]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("wrong", NEW_PASSWORD, "old_password"),
        (PASSWORD, "123", "new_password"),
        (PASSWORD, "", "new_password"),
    ],
)
def test_a_wrong_old_or_weak_new_password_is_a_400_and_changes_nothing(
    old: str, new: str, field: str
) -> None:
    user = UserFactory.create(must_change_password=True)
    key = api_key(user)
    before = user.password
    response = bearer(key).post(URL, {"old_password": old, "new_password": new}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    user = User.objects.get(pk=user.pk)
    assert user.password == before
    assert user.must_change_password
    assert bearer(key).get("/api/v1/me").status_code == 200


def test_signed_out_is_a_401() -> None:
    response = APIClient().post(URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 401
