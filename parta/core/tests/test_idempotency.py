"""Idempotency-Key on a create view: replay, another request under one key, what is stored, expiry.

The view here only counts its calls; the journal's tests (parta/journal/tests/test_idempotency.py)
check real writes, their history and events, and two concurrent requests on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import path
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory

from parta.core.idempotency import HEADER, REPLAYED, TTL, IdempotentApi, fingerprint, purge_expired
from parta.core.models import IdempotencyKey


@dataclass
class Clinic:
    pk: int
    kind: str = "clinic"
    school_id: int | None = None
    building_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    is_machine: bool = True
    is_authenticated: bool = True


CALLS: list[dict[str, Any]] = []


class Create(IdempotentApi):
    # People and machines alike: the project's default permission admits people only.
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]
    idempotent_methods = frozenset({"POST", "PUT"})

    def post(self, request: Request) -> Response:
        CALLS.append(dict(request.data))
        data: Any = request.data
        answer = int(data.get("answer", 201))
        if answer == 204:
            return Response(status=answer)
        return Response({"made": len(CALLS)}, status=answer)

    def put(self, request: Request) -> Response:
        return self.post(request)

    def patch(self, request: Request) -> Response:
        return self.post(request)


urlpatterns = [path("create", Create.as_view())]


@pytest.fixture(autouse=True)
def _calls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    CALLS.clear()


def client(pk: int = 1) -> APIClient:
    api = APIClient()
    api.force_authenticate(cast(Any, Clinic(pk=pk)))  # a machine principal, not a User
    return api


def post(api: APIClient, body: dict[str, Any], key: str | None = "k-1", **kwargs: Any) -> Any:
    headers = {HEADER: key} if key is not None else {}
    return api.post("/create", body, format=kwargs.pop("format", "json"), headers=headers, **kwargs)


def test_without_a_key_every_request_runs(db) -> None:
    api = client()
    assert post(api, {"a": 1}, key=None).json() == {"made": 1}
    assert post(api, {"a": 1}, key=None).json() == {"made": 2}
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_and_request_answer_as_the_first_time_without_running_the_view(db) -> None:
    api = client()
    first = post(api, {"a": 1, "b": [1, 2]})
    again = post(api, {"b": [1, 2], "a": 1})  # the same JSON, keys in another order
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content and again.json() == {"made": 1}
    assert again[REPLAYED] == "true" and REPLAYED not in first
    assert again["Content-Type"] == first["Content-Type"]
    assert len(CALLS) == 1


def test_the_same_key_with_another_request_is_refused_with_422(db) -> None:
    api = client()
    post(api, {"a": 1})
    other = post(api, {"a": 2})
    assert other.status_code == 422
    assert set(other.json()) == {"detail", "code", "errors"} and HEADER in other.json()["errors"]
    assert len(CALLS) == 1
    # The key names one request: a PUT to the same path is another one.
    assert client().put("/create", {"a": 1}, format="json", headers={HEADER: "k-1"}).status_code == 422


def test_keys_are_kept_per_principal(db) -> None:
    post(client(1), {"a": 1})
    assert post(client(2), {"a": 1}).json() == {"made": 2}


def test_a_method_not_named_ignores_the_header(db) -> None:
    api = client()
    for _ in range(2):
        api.patch("/create", {}, format="json", headers={HEADER: "k-patch"})
    assert len(CALLS) == 2 and not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "ключ", "tab\there", "new\nline"])
def test_a_key_not_of_1_to_255_printable_ascii_characters_is_a_400(db, key: str) -> None:
    answer = post(client(), {"a": 1}, key=key)
    assert answer.status_code == 400 and HEADER in answer.json()["errors"]
    assert not CALLS and not IdempotencyKey.objects.exists()


def test_a_client_error_is_stored_and_replayed(db) -> None:
    api = client()
    assert post(api, {"answer": 409}).status_code == 409
    again = post(api, {"answer": 409})
    assert (again.status_code, again[REPLAYED], len(CALLS)) == (409, "true", 1)


def test_an_empty_answer_is_replayed_empty(db) -> None:
    api = client()
    first, again = post(api, {"answer": 204}), post(api, {"answer": 204})
    assert (again.status_code, again.content, again[REPLAYED], len(CALLS)) == (204, b"", "true", 1)
    assert "Content-Type" not in first and "Content-Type" not in again


def test_a_server_error_is_not_stored_so_the_client_may_retry(db) -> None:
    api = client()
    assert post(api, {"answer": 503}).status_code == 503
    assert not IdempotencyKey.objects.exists()
    assert post(api, {"answer": 503}).status_code == 503
    assert len(CALLS) == 2


def test_an_expired_key_is_a_new_key_and_the_purge_deletes_it(db) -> None:
    api = client()
    post(api, {"a": 1})
    IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    again = post(api, {"a": 2})  # a new request under the old key: no 422 once it has expired
    assert again.status_code == 201 and again.json() == {"made": 2} and REPLAYED not in again
    row = IdempotencyKey.objects.get()
    assert row.expires_at > timezone.now() + TTL - dt.timedelta(minutes=1)
    assert purge_expired() == 0
    assert purge_expired(timezone.now() + TTL) == 1
    post(api, {"a": 3})
    out = io.StringIO()
    call_command("idempotency_purge", stdout=out)
    assert out.getvalue().startswith("0 expired") and IdempotencyKey.objects.count() == 1


def test_a_multipart_body_is_the_same_request_whatever_its_boundary(db) -> None:
    api = client()

    def upload(content: bytes) -> dict[str, Any]:
        return {"text": "x", "files": [SimpleUploadedFile("a.txt", content)]}

    first = post(api, upload(b"hello"), format="multipart")
    again = post(api, upload(b"hello"), format="multipart")  # the test client picks a new boundary
    assert again.json() == first.json() and again[REPLAYED] == "true"
    assert post(api, upload(b"other"), format="multipart").status_code == 422


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=50, deadline=None)
@given(body=st.dictionaries(st.text(max_size=4), json_values, max_size=4))
def test_the_fingerprint_of_json_depends_on_its_content_not_its_key_order(body: dict[str, Any]) -> None:
    factory = APIRequestFactory()

    def request(data: dict[str, Any]) -> Request:
        return Request(factory.post("/create", data, format="json"), parsers=[JSONParser()])

    reordered = dict(reversed(list(body.items())))
    assert fingerprint(request(body)) == fingerprint(request(reordered))
    assert fingerprint(request(body)) != fingerprint(request({**body, "extra-field": 1}))
