"""A machine client's credential opens nothing written for people: every API endpoint, called
with every method by a turnstile of school A, answers no 2xx and no 500."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from parta.accounts.models import MachineCall
from parta.accounts.services import machine_client_create
from parta.testing.world import World

# Endpoints a machine may call: none yet (passage and meals bring theirs, with HasScope).
MACHINE_ENDPOINTS: set[str] = set()
# Signing in checks a username and password, not the Bearer credential.
WITHOUT_AUTHENTICATION = {"api/v1/auth/token"}


def api_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, route)
        elif route.startswith("api/v1/"):
            yield route


def concrete(route: str, world: World) -> str:
    """The route with every parameter filled in with a thing of school A that exists."""
    ids = {"student_id": world.a.student.pk, "person_id": world.a.student.pk, "school_id": world.a.school.pk}
    return "/" + re.sub(
        r"<(?:(\w+):)?(\w+)>",
        lambda match: str(ids.get(match.group(2), 1) if match.group(1) == "int" else "x"),
        route,
    )


ROUTES = sorted(set(api_routes(get_resolver().url_patterns)))


def test_the_walk_finds_the_api():
    assert len(ROUTES) > 30
    assert "api/v1/students/<int:student_id>/diary" in ROUTES


@pytest.mark.parametrize("route", ROUTES)
def test_a_machine_credential_opens_no_persons_endpoint(world: World, route: str):
    client, secret = machine_client_create(
        by=None, kind="turnstile", name="Gate", scopes=["passage:write"], school_id=world.a.school.pk
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = concrete(route, world)
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code < 500, (method, url, response.content)
        if route not in MACHINE_ENDPOINTS:
            assert not 200 <= response.status_code < 300, (method, url, response.content)
    if route not in WITHOUT_AUTHENTICATION:
        # Every call was logged against the machine, refused or not.
        assert MachineCall.objects.filter(client=client, path=url).count() == 5
