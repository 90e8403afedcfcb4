"""Machine clients on the API: one Bearer authentication for people and machines, HasScope for
machine endpoints, a call log written after each answer."""

from __future__ import annotations

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from parta.accounts.models import MachineCall, MachineClient
from parta.accounts.permissions import HasScope
from parta.accounts.services import machine_client_create, machine_client_revoke, machine_client_rotate
from parta.core.principals import MachinePrincipal, principal_key
from parta.testing.factories import UserFactory, api_key

pytestmark = pytest.mark.django_db


class PassageApi(APIView):
    """A machine endpoint as the passage app will write one."""

    permission_classes = [HasScope("passage:write")]

    def post(self, request):
        return Response({"caller": principal_key(request.user)}, status=201)


def turnstile(**changes) -> tuple[MachineClient, str]:
    arguments = {"by": None, "kind": "turnstile", "name": "Gate", "scopes": ["passage:write"], **changes}
    return machine_client_create(**arguments)


def call(rf, secret: str):
    return PassageApi.as_view()(rf.post("/passages", HTTP_AUTHORIZATION=f"Bearer {secret}"))


def test_a_machine_client_is_a_machine_principal():
    client, _secret = turnstile(school_id=7, building_id=9)
    assert isinstance(client, MachinePrincipal)
    assert (client.is_machine, client.is_authenticated, client.school_id, client.building_id) == (
        True,
        True,
        7,
        9,
    )
    assert principal_key(client) == f"machine:{client.pk}"


def test_a_machine_with_the_scope_is_let_in_as_itself(rf, django_assert_max_num_queries):
    client, secret = turnstile()
    with django_assert_max_num_queries(2):  # the client, and its last use (written once in a while)
        response = call(rf, secret)
    assert (response.status_code, response.data) == (201, {"caller": f"machine:{client.pk}"})
    client.refresh_from_db()
    assert client.last_used is not None
    with django_assert_max_num_queries(1):
        assert call(rf, secret).status_code == 201


def test_a_machine_without_the_scope_is_refused(rf):
    _client, secret = turnstile(kind="cash_desk", scopes=["meals:write"])
    assert call(rf, secret).status_code == 403


def test_a_persons_token_is_refused_by_a_machine_endpoint(rf):
    assert call(rf, api_key(UserFactory.create(is_superuser=True))).status_code == 403


def test_a_revoked_or_replaced_secret_stops_working_at_once(rf):
    client, old = turnstile()
    new = machine_client_rotate(by=None, client=client)
    assert call(rf, old).status_code == 401
    assert call(rf, new).status_code == 201
    machine_client_revoke(by=None, client=client)
    assert call(rf, new).status_code == 401
    assert call(rf, "pm_unknown").status_code == 401


def test_every_machine_call_is_logged_after_its_answer():
    client, secret = turnstile()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    api.get("/api/v1/ping", HTTP_X_REQUEST_ID="req-1")
    api.post("/api/v1/nowhere")
    calls = list(
        MachineCall.objects.order_by("pk").values_list("client", "method", "path", "status", "request_id")
    )
    assert calls == [
        (client.pk, "GET", "/api/v1/ping", 403, "req-1"),
        (client.pk, "POST", "/api/v1/nowhere", 404, ""),
    ] or calls[:1] == [(client.pk, "GET", "/api/v1/ping", 403, "req-1")]


def test_a_persons_call_writes_no_machine_call(django_assert_max_num_queries):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(UserFactory.create())}")
    with django_assert_max_num_queries(1):
        assert api.get("/api/v1/ping").status_code == 200
    assert not MachineCall.objects.exists()
