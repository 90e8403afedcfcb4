"""What every app's HTTP API shares: limit/offset lists, the one error shape, and the small
references (a person, a subject, a named thing) that answers embed.

Read APIs build their answers from ``values()`` rows; the ``*_columns`` helpers name the columns
a reference needs under a relation's prefix, and the ``*_of`` helpers build it from such a row,
so that a reference is written the same way by every endpoint.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import APIView

from parta.core import versions
from parta.core.dates import validate_school_date
from parta.core.i18n import pick
from parta.core.ids import MAX_ID
from parta.core.names import short_name

Row = dict[str, Any]


# --- lists -------------------------------------------------------------------------------


class PageQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, required=False)
    # Past MAX_ID the database's OFFSET overflows (PostgreSQL: a 500).
    offset = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)


class Pagination(LimitOffsetPagination):
    # Without a ceiling one request could ask for a whole city's rows at once.
    max_limit = 500

    # DRF reads a bad limit or offset ("null", -1) as the default; a client would then page
    # through rows it did not ask for. Both are a 400 with the field's message instead.
    def _query(self, request: Request) -> Row:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: Row = query.validated_data
        return data

    def get_limit(self, request: Request) -> int | None:
        limit = self._query(request).get("limit")
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        offset: int = self._query(request).get("offset", 0)
        return offset


class ListApi(APIView):
    """A read list paginated with limit/offset; drf-spectacular documents the envelope and parameters."""

    pagination_class = Pagination

    def paginate(self, rows: QuerySet[Any, Any] | Sequence[Any]) -> list[Any]:
        self.paginator = self.pagination_class()
        return list(self.paginator.paginate_queryset(rows, self.request, view=self) or [])

    def paginated_response(self, data: Any) -> Response:
        return self.paginator.get_paginated_response(data)


# --- cached answers ----------------------------------------------------------------------


def cached_json(reading: versions.Reading, data: Callable[[], Any]) -> HttpResponse:
    """A JSON answer made once and then reused while no version token it depends on changes
    (``parta.core.versions``); the language is added to the reading's key. Access is the caller's
    to check before."""
    return HttpResponse(cached_json_body(reading, data), content_type="application/json")


def cached_json_body(reading: versions.Reading, data: Callable[[], Any]) -> bytes:
    """:func:`cached_json`'s body (for a job that makes the entries before anyone asks)."""
    return versions.cached_reading(reading, lambda: JSONRenderer().render(data()))


# --- input ---------------------------------------------------------------------------------


class FlatInputSerializer(serializers.Serializer[Any]):
    """The input of a hot write whose fields are all plain (no nested serializer, no field with a
    child field): each instance gets shallow copies of the declared fields instead of DRF's deep
    copies, which run every field's ``__init__`` (with its validators) again — half the cost of
    validating a mark's input. Each instance still binds its own copies, so instances share only
    what no field changes after it is made (validators, messages, choices)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        nested = [
            name
            for name, field in cls._declared_fields.items()
            if isinstance(field, serializers.BaseSerializer)
            or hasattr(field, "child")
            or hasattr(field, "child_relation")
        ]
        if nested:
            raise TypeError(f"{cls.__qualname__}: {', '.join(nested)} would be shared between instances")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


# --- filters -----------------------------------------------------------------------------


class IdField(serializers.IntegerField):
    """The id of a row, as a filter: 1…MAX_ID, so that a huge number is a 400 with the field's
    message rather than an overflow in the database driver."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class DateField(serializers.DateField):
    """A date in the API's input: only dates a school can mean (``parta.core.dates``), so that a
    year-9999 date is a 400 with the field's message rather than an overflow further on."""

    default_validators = [validate_school_date]


class _BareFormList(list[Any]):
    """The values of a list's bare key (``kinds=…``) in form input."""


class FormListSerializer(serializers.ListSerializer[Any]):
    """A list of nested items (``many=True``) that form input (multipart) cannot lose: DRF reads
    only indexed keys there (``links[0]url``) and silently drops a bare ``links=…``, so the rest of
    the request was applied without it. A bare key is a 400 on the field instead. Use it as the
    item serializer's ``Meta.list_serializer_class``."""

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            return _BareFormList(dictionary.getlist(self.field_name))
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, _BareFormList):
            child = self.child
            first = next(iter(child.fields), "") if isinstance(child, serializers.Serializer) else ""
            raise serializers.ValidationError(
                [
                    _("In a form, give each item's fields by its index: %(example)s.")
                    % {"example": f"{self.field_name}[0]{first}"}
                ]
            )
        items: list[Any] = super().to_internal_value(data)
        return items


# --- errors ------------------------------------------------------------------------------

# The one error shape of the API (parta.web.api_errors). Built inline because a field named
# "errors" cannot be declared on a Serializer class: it would hide Serializer.errors.
ERROR_SERIALIZER = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(
            help_text=_(
                "What went wrong, for a machine to act on: not_authenticated, permission_denied, "
                "not_found, invalid (or the one code of every message: required, bad_signature …)."
            )
        ),
        # A field's messages are a list; a list of objects' (links, kinds) an object by item index.
        "errors": serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text=_(
                "For invalid input: the messages of each field (“non_field_errors” for the whole); "
                "for a list of objects, the messages of each item by its index."
            ),
        ),
    },
)


_ERROR_DESCRIPTIONS = {
    400: _("Invalid input: a message for each field in “errors”; nothing was changed."),
    401: _("Not signed in, or the token is not valid."),
    404: _("There is no such thing, or it is not yours to see."),
    415: _("The body's media type is not one the operation reads."),
    429: _("Too many attempts: wait a little and try again."),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an operation, for extend_schema(responses=...)."""
    return {code: OpenApiResponse(ERROR_SERIALIZER, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


# --- references --------------------------------------------------------------------------


class NamedRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "NamedRef"


class PersonRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    short_name = serializers.CharField()

    class Meta:
        ref_name = "PersonRef"


class SubjectRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "SubjectRef"


def named_ref_of(row: Mapping[str, Any], prefix: str, name: str = "name") -> Row:
    """``{"id", "name"}`` of a related row read as ``<prefix>_id`` and ``<prefix>__<name>``."""
    return {"id": row[f"{prefix}_id"], "name": row[f"{prefix}__{name}"]}


def person_columns(prefix: str) -> tuple[str, str, str, str]:
    """The columns ``person_ref_of`` reads for the person behind the relation ``prefix``."""
    return (f"{prefix}_id", f"{prefix}__last_name", f"{prefix}__first_name", f"{prefix}__middle_name")


def person_ref(pk: int | None, last: str | None, first: str | None, middle: str | None) -> Row | None:
    if pk is None:
        return None
    return {"id": pk, "short_name": short_name(last, first, middle)}


def person_ref_of(row: Mapping[str, Any], prefix: str) -> Row | None:
    """``{"id", "short_name"}`` of the person in ``row`` (see ``person_columns``); None for no one."""
    pk, last, first, middle = (row[column] for column in person_columns(prefix))
    return person_ref(pk, last, first, middle)


def subject_columns(prefix: str = "subject") -> tuple[str, str, str]:
    """The columns ``subject_ref_of`` reads for the subject behind the relation ``prefix``."""
    return (f"{prefix}__code", f"{prefix}__name_ru", f"{prefix}__name_en")


def subject_ref(code: str, name_ru: str, name_en: str) -> Row:
    return {"code": code, "name": pick(name_ru, name_en)}


def subject_ref_of(row: Mapping[str, Any], prefix: str = "subject") -> Row:
    """``{"code", "name"}`` of the subject in ``row`` (see ``subject_columns``), in the active language."""
    code, name_ru, name_en = (row[column] for column in subject_columns(prefix))
    return subject_ref(code, name_ru, name_en)
