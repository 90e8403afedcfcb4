"""``Idempotency-Key`` for the API's create endpoints: a retry answers as the first time and writes
nothing.

A view that creates something mixes in :class:`IdempotentApi` (before its other bases). A request
without the header costs nothing. With it, the whole request runs in one transaction that first
claims the key — a row in :class:`~parta.core.models.IdempotencyKey`, per principal
(``principal_key``) — then writes, then stores the answer in that row before the commit:

- the same key with the same request (method, path, canonical body) is answered with the stored
  status and body and ``Idempotent-Replayed: true``; the view does not run, so nothing is written
  and no outbox event is made;
- the same key with another request answers 422;
- an answer of 5xx, or an exception, rolls the claim back with the write: the client may retry;
  every other answer (4xx included) is stored;
- two requests with one key at once: the second's claim waits on the unique index (PostgreSQL;
  SQLite's IMMEDIATE transactions wait for the whole first transaction) until the first commits,
  then replays its answer. One row is written.

A key lives 24 hours; an expired key is a new key (its row is claimed again), and
:func:`purge_expired` (beat task ``core.idempotency_purge``, ``manage.py idempotency_purge``)
deletes the expired rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from typing import Any, ClassVar

from django.core.files.uploadedfile import UploadedFile
from django.db import connections, router, transaction
from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.core.api import ERROR_SERIALIZER
from parta.core.models import IdempotencyKey
from parta.core.principals import principal_key

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
TTL = dt.timedelta(hours=24)
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")  # printable ASCII, as the column holds it


class KeyReused(exceptions.ValidationError):
    """The key was sent before with another request: 422 in the API's one error shape."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class _Replay(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("replay")
        self.response = response


class _StoredResponse(Response):
    """A stored answer sent again byte for byte: rendering returns the stored body."""

    def __init__(self, body: bytes, status_code: int, content_type: str) -> None:
        super().__init__(status=status_code)
        self._body = body
        self._stored_type = content_type
        self[REPLAYED] = "true"

    @property
    def rendered_content(self) -> Any:  # bytes, as DRF's own (typed str in the stubs)
        if self._stored_type:
            self["Content-Type"] = self._stored_type
        else:
            del self["Content-Type"]
        return self._body


def _file_digest(upload: UploadedFile[Any]) -> dict[str, Any]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"name": upload.name, "size": upload.size, "sha256": digest.hexdigest()}


def fingerprint(request: Request) -> str:
    """sha256 of the method, the full path and the body in a canonical form: JSON with sorted keys
    whatever the client's spacing and order; a form or multipart body as its fields in order of
    name, each file by name, size and content (the boundary and the parts' order do not count)."""
    data: Any = request.data
    canonical: Any
    if hasattr(data, "getlist"):  # a QueryDict: form fields and uploaded files
        canonical = [
            [name, [_file_digest(v) if isinstance(v, UploadedFile) else v for v in data.getlist(name)]]
            for name in sorted(data.keys())
        ]
    else:
        canonical = data
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str).encode())
    return digest.hexdigest()


@functools.cache
def _statements(alias: str) -> tuple[str, str]:
    """The claim and the store, written out: they run on every mark POST that carries a key."""
    quote = connections[alias].ops.quote_name
    table = quote(IdempotencyKey._meta.db_table)
    pk, principal, key, fingerprint, status, body, content_type, created_at, expires_at = (
        quote(name)
        for name in (
            "id",
            "principal",
            "key",
            "fingerprint",
            "status",
            "body",
            "content_type",
            "created_at",
            "expires_at",
        )
    )
    # A new key is inserted; an expired one taken over; a live one (committed, or being written by
    # a request still running, for which the insert waits) claims nothing.
    claim = (
        f"INSERT INTO {table} ({principal}, {key}, {fingerprint}, {status}, {body}, {content_type},"  # noqa: S608
        f" {created_at}, {expires_at}) VALUES (%s, %s, %s, NULL, %s, '', %s, %s)"
        f" ON CONFLICT ({principal}, {key}) DO UPDATE SET {fingerprint} = excluded.{fingerprint},"
        f" {status} = NULL, {body} = excluded.{body}, {content_type} = '',"
        f" {created_at} = excluded.{created_at}, {expires_at} = excluded.{expires_at}"
        f" WHERE {table}.{expires_at} <= excluded.{created_at} RETURNING {pk}"
    )
    store = f"UPDATE {table} SET {status} = %s, {body} = %s, {content_type} = %s WHERE {pk} = %s"  # noqa: S608
    return claim, store


def _claim(principal: str, key: str, print_: str) -> int | None:
    """Claim the key for this request: its row's id, or None when a live row holds it."""
    alias = router.db_for_write(IdempotencyKey)
    now = timezone.now()
    claim, _store = _statements(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(claim, [principal, key, print_, b"", now, now + TTL])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _store(claimed: int, response: HttpResponseBase) -> None:
    alias = router.db_for_write(IdempotencyKey)
    _claim_sql, store = _statements(alias)
    if isinstance(response, Response):
        response.render()
    body = bytes(getattr(response, "content", b""))
    with connections[alias].cursor() as cursor:
        cursor.execute(store, [response.status_code, body, response.get("Content-Type", ""), claimed])


def _replay(principal: str, key: str, print_: str) -> Response:
    print_was, status_code, body, content_type = IdempotencyKey.objects.filter(
        principal=principal, key=key
    ).values_list("fingerprint", "status", "body", "content_type")[0]
    if print_was != print_:
        raise KeyReused({HEADER: [_("This key was already used for another request.")]})
    assert status_code is not None  # a claim commits only with its answer stored
    return _StoredResponse(bytes(body), status_code, content_type)


class _Schema(AutoSchema):
    """The header and its 422 in the OpenAPI schema of every operation that honours it."""

    def _honoured(self) -> bool:
        return self.method in getattr(self.view, "idempotent_methods", ())

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._honoured():
            parameters.append(
                OpenApiParameter(
                    HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    pattern=f"^{_VALID_KEY.pattern}$",
                    description=gettext_lazy(
                        "1 to 255 printable ASCII characters, new for each write: a retry with the"
                        " same key and request answers as the first time and writes nothing."
                    ),
                )
            )
        return parameters

    # The responses an operation's extend_schema gives are taken as they are; the 422 is added here.
    def _get_response_bodies(self, direction: Any = "response") -> Any:
        bodies = super()._get_response_bodies(direction)
        if self._honoured() and direction == "response":
            description = gettext_lazy("The key was used before with another request: nothing was changed.")
            reused = OpenApiResponse(ERROR_SERIALIZER, description=description)
            bodies["422"] = self._get_response_for_code(reused, "422", direction=direction)  # type: ignore[no-untyped-call]
        return bodies


class IdempotentApi(APIView):
    """Honour ``Idempotency-Key`` on the methods in ``idempotent_methods`` (see the module)."""

    idempotent_methods: ClassVar[frozenset[str]] = frozenset({"POST"})
    schema = _Schema()
    _claimed: int | None = None

    def _keyed(self, request: Any) -> str | None:
        key: str | None = request.headers.get(HEADER)
        return key if request.method in self.idempotent_methods else None

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self._keyed(request) is None:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if self._claimed is not None:
                if response.status_code >= 500:
                    transaction.set_rollback(True)  # nothing kept: the client may retry
                else:
                    _store(self._claimed, response)
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticated, permitted, not throttled
        key = self._keyed(request)
        if key is None:
            return
        if not _VALID_KEY.fullmatch(key):
            raise exceptions.ValidationError(
                {HEADER: [_("The key must be 1 to 255 printable ASCII characters.")]}
            )
        principal, print_ = principal_key(request.user), fingerprint(request)
        self._claimed = _claim(principal, key, print_)
        if self._claimed is None:
            raise _Replay(_replay(principal, key, print_))

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the keys past their 24 hours; how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
