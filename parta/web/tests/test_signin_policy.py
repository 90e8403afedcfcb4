"""One sign-in policy (django-axes) for the login page and POST /api/v1/auth/token: failures are
counted per client address across logins and per login across addresses; past the limit both
answer 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from parta.accounts.models import ApiToken
from parta.testing.factories import PASSWORD, UserFactory, api_key

pytestmark = pytest.mark.django_db
API = "/api/v1/auth/token"
LIMIT = settings.AXES_FAILURE_LIMIT


def page(address: str = "10.0.0.1", language: str = "en") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def api(address: str = "10.0.0.1") -> APIClient:
    return APIClient(REMOTE_ADDR=address)


def page_sign_in(client: Client, username: str, password: str = "wrong"):  # noqa: S107
    return client.post(reverse("login"), {"username": username, "password": password})


def api_sign_in(client: APIClient, username: str, password: str = "wrong"):  # noqa: S107
    return client.post(API, {"username": username, "password": password}, format="json")


def test_the_limit_is_the_apis_former_twenty_a_minute():
    assert LIMIT == 20
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 60


def test_spraying_many_logins_from_one_address_is_refused_after_the_limit():
    UserFactory.create(username="anna")
    client = page()
    statuses = [page_sign_in(client, f"user{n}").status_code for n in range(120)]
    # Each failure below the limit is an ordinary wrong password; the limit-th and every later
    # attempt are refused.
    assert statuses == [200] * (LIMIT - 1) + [429] * (120 - LIMIT + 1)
    # Even the right password of a real login is not tried from this address now.
    response = page_sign_in(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    assert "Too many attempts, try again in a few minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address signs anna in.
    assert page_sign_in(page("10.0.0.2"), "anna", PASSWORD).status_code == 302


def test_the_api_refuses_the_same_way_with_its_error_shape():
    UserFactory.create(username="anna")
    client = api()
    statuses = [api_sign_in(client, f"user{n}").status_code for n in range(LIMIT + 5)]
    assert statuses == [400] * (LIMIT - 1) + [429] * 6
    response = api_sign_in(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    assert set(response.json()) == {"detail", "code"}
    assert not ApiToken.objects.exists()
    assert api_sign_in(api("10.0.0.2"), "anna", PASSWORD).status_code == 200


def test_the_page_and_the_api_share_the_count():
    UserFactory.create(username="anna")
    half = LIMIT // 2
    for n in range(half):
        assert page_sign_in(page(), f"user{n}").status_code == 200
    for n in range(half, LIMIT - 1):
        assert api_sign_in(api(), f"user{n}").status_code == 400
    assert api_sign_in(api(), "someone").status_code == 429
    assert page_sign_in(page(), "anna", PASSWORD).status_code == 429


def test_one_login_is_refused_after_the_limit_whatever_the_addresses():
    UserFactory.create(username="anna")
    UserFactory.create(username="boris")
    for n in range(LIMIT - 1):
        assert api_sign_in(api(f"10.1.0.{n}"), "anna").status_code == 400
    assert page_sign_in(page("10.1.1.1"), "anna").status_code == 429
    assert api_sign_in(api("10.1.1.2"), "anna", PASSWORD).status_code == 429
    # Another login from those addresses is not refused.
    assert api_sign_in(api("10.1.0.1"), "boris", PASSWORD).status_code == 200


def test_a_success_does_not_reset_another_addresss_count():
    UserFactory.create(username="anna")
    for n in range(LIMIT - 1):
        api_sign_in(api(), f"user{n}")
    assert page_sign_in(page("10.0.0.2"), "anna", PASSWORD).status_code == 302
    assert api_sign_in(api(), "user0").status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_count():
    UserFactory.create(username="anna")
    for n in range(LIMIT):
        APIClient(HTTP_X_FORWARDED_FOR=f"10.2.0.{n}").post(
            API, {"username": f"user{n}", "password": "wrong"}, format="json"
        )
    forged = APIClient(HTTP_X_FORWARDED_FOR="10.2.1.1")
    assert forged.post(API, {"username": "anna", "password": PASSWORD}, format="json").status_code == 429


def test_the_refusal_on_the_page_is_in_the_readers_language():
    client = page(language="ru")
    for n in range(LIMIT):
        response = page_sign_in(client, f"user{n}")
    assert response.status_code == 429
    assert "Слишком много попыток" in response.content.decode()


def test_signing_out_is_not_counted():
    user = UserFactory.create()
    for _attempt in range(LIMIT + 1):
        client = api()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
        assert client.delete(API).status_code == 204
