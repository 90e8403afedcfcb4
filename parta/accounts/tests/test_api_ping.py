"""GET /api/v1/ping: the signed-in user's id, the benchmark's trivial endpoint and a health check."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from parta.testing.factories import UserFactory, api_key

URL = "/api/v1/ping"
pytestmark = pytest.mark.django_db


def test_ping_answers_the_signed_in_users_id(django_assert_max_num_queries):
    user = UserFactory.create()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    # The token lookup (with its user) and nothing else.
    with django_assert_max_num_queries(1):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"user_id": user.pk}


@pytest.mark.parametrize("who", ["student", "parent", "subject_teacher"])
def test_ping_is_one_query_whatever_the_users_roles(world, django_assert_max_num_queries, who):
    """A phone's check on start: the user's roles come with the token, in the same statement."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(getattr(world.a, who))}")
    with django_assert_max_num_queries(1):
        assert client.get(URL).status_code == 200


def test_ping_without_credentials_is_401():
    assert APIClient().get(URL).status_code == 401


def test_ping_with_a_wrong_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + "0" * 40)
    assert client.get(URL).status_code == 401
