"""A signing partner's body carries its HMAC; a bad or missing one is a 400 with a code."""

from __future__ import annotations

import json

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from parta.accounts.permissions import HasScope, SignedBody
from parta.accounts.services import machine_client_create, machine_client_rotate
from parta.accounts.signatures import SIGNATURE_HEADER, sign, signature_valid

pytestmark = pytest.mark.django_db

written: list[object] = []


class CallbackApi(APIView):
    permission_classes = [HasScope("payments:callback"), SignedBody]

    def post(self, request):
        written.append(request.data)
        return Response({"ok": True}, status=201)


def provider():
    return machine_client_create(by=None, kind="payment_provider", name="Bank", scopes=["payments:callback"])


def post(secret: str, body: bytes, signature: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if signature is not None:
        headers[f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"] = signature
    request = APIRequestFactory().post("/callback", body, content_type="application/json", **headers)
    response = CallbackApi.as_view()(request)
    response.render()
    return response


def test_only_the_signing_kinds_get_a_signing_secret():
    bank, _secret = provider()
    gate, _ = machine_client_create(by=None, kind="turnstile", name="Gate", scopes=["passage:write"])
    assert len(bank.signing_secret) == 64 and gate.signing_secret == ""
    assert not signature_valid(b"{}", sign(b"{}", ""), gate)


def test_the_right_signature_lets_the_body_in():
    written.clear()
    bank, secret = provider()
    body = json.dumps({"payment_id": "p-1", "amount": 50000}).encode()
    response = post(secret, body, sign(body, bank.signing_secret))
    assert response.status_code == 201
    assert written == [{"payment_id": "p-1", "amount": 50000}]


@pytest.mark.parametrize("change", ["other body", "other secret", "no header", "no scheme"])
def test_a_bad_signature_is_a_400_with_its_code_and_nothing_is_written(change: str):
    written.clear()
    bank, secret = provider()
    body = b'{"payment_id": "p-1", "amount": 50000}'
    signature = {
        "other body": sign(b'{"payment_id": "p-1", "amount": 99999}', bank.signing_secret),
        "other secret": sign(body, "0" * 64),
        "no header": None,
        "no scheme": sign(body, bank.signing_secret).removeprefix("sha256="),
    }[change]
    response = post(secret, body, signature)
    assert response.status_code == 400
    assert response.data["code"] == "bad_signature"
    assert written == []


def test_a_rotation_replaces_the_signing_secret_too():
    bank, _secret = provider()
    old = bank.signing_secret
    new_credential = machine_client_rotate(by=None, client=bank)
    bank.refresh_from_db()
    body = b"{}"
    assert bank.signing_secret != old
    assert post(new_credential, body, sign(body, old)).status_code == 400
    assert post(new_credential, body, sign(body, bank.signing_secret)).status_code == 201
