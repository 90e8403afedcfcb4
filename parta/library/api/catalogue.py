"""HTTP API of the library's catalogue: finding materials (with facets) and reading one.

Open without signing in: an anonymous reader finds and reads published public materials only,
and the answer may be kept by shared caches for five minutes; a signed-in reader's answer is
private. Everything else answers 404 (``parta.library.access``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from typing import Any, TypeVar

from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from parta.accounts.permissions import IsPersonOrNobody
from parta.core.api import IdField, PersonRefSerializer, Row, error_responses
from parta.core.ids import MAX_ID
from parta.library.access import access_material
from parta.library.models import Kind, Language, Licence, Status, Visibility
from parta.library.selectors.catalogue import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    FacetValue,
    MaterialRow,
    SearchResult,
    material_detail,
    material_search,
)
from parta.library.selectors.parts import SORTS

MAX_VALUES = 50
MAX_CODE = 40
# An id, or a code as subjects are coded (a slug).
SUBJECT_VALUE = re.compile(rf"[-a-zA-Z0-9_]{{1,{MAX_CODE}}}")
AnyResponse = TypeVar("AnyResponse", bound=HttpResponseBase)
# How long a shared cache may keep what anyone may see.
PUBLIC_MAX_AGE = 300


def cache_for_reader(response: AnyResponse, user: Any) -> AnyResponse:
    """The catalogue without signing in is the same for everyone: proxies and browsers may keep
    it a while. A signed-in reader's answer depends on who they are: theirs alone."""
    if getattr(user, "is_authenticated", False):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ("Accept-Language", "Cookie", "Authorization"))
    return response


class CommaListField(serializers.ListField):
    """A filter given as a repeated parameter, a comma-separated list, or both."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_VALUES)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        values = [data] if isinstance(data, str) else list(data)
        parts = [part.strip() for value in values for part in str(value).split(",") if part.strip()]
        return list(super().to_internal_value(parts))


@extend_schema_field(OpenApiTypes.STR)
class SubjectValueField(serializers.Field):  # type: ignore[type-arg]
    """A subject by its id or its code."""

    default_error_messages = {"invalid": _("Give a subject's id or code.")}

    def to_internal_value(self, data: Any) -> int | str:
        value = str(data).strip()
        if not SUBJECT_VALUE.fullmatch(value):
            self.fail("invalid")
        if not value.isdigit():
            return value
        if not 1 <= int(value) <= MAX_ID:
            self.fail("invalid")
        return int(value)

    def to_representation(self, value: Any) -> Any:
        return value


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Words to find; each one is a prefix.")
    )
    subject = CommaListField(child=SubjectValueField(), help_text=_("Subjects, by id or code (any of them)."))
    grade = CommaListField(
        child=serializers.IntegerField(min_value=1, max_value=11), help_text=_("Grades 1–11 (any of them).")
    )
    type = CommaListField(child=serializers.ChoiceField(choices=Kind.choices), help_text=_("Material types."))
    topic = CommaListField(child=IdField(), help_text=_("Topics of the curriculum, by id (any of them)."))
    verified = serializers.ChoiceField(
        choices=["true", "false"],
        required=False,
        allow_blank=True,
        help_text=_("Only verified (published) or only not."),
    )
    author = IdField(required=False, help_text=_("Only this author's materials (user id)."))
    language = serializers.ChoiceField(choices=Language.choices, required=False, allow_blank=True)
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="relevance")
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False, default=20)

    class Meta:
        ref_name = "MaterialSearchQuery"


def search_arguments(params: Row) -> Row:
    """The selector's keyword arguments from validated (or partly validated) parameters."""
    verified = params.get("verified")
    return {
        "q": params.get("q", ""),
        "subjects": params.get("subject", []),
        "grades": params.get("grade", []),
        "kinds": params.get("type", []),
        "topics": params.get("topic", []),
        "verified": verified == "true" if verified else None,
        "author": params.get("author"),
        "language": params.get("language") or None,
        "sort": params.get("sort", "relevance"),
        "page": params.get("page", 1),
        "page_size": params.get("page_size", 20),
    }


class RefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "LibraryRef"


class MaterialRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField()
    excerpt = serializers.CharField(help_text=_("The description's beginning."))
    subjects = RefSerializer(many=True)
    grades = serializers.ListField(child=serializers.IntegerField())
    topics = RefSerializer(many=True)
    language = serializers.ChoiceField(choices=Language.choices)
    licence = serializers.ChoiceField(choices=Licence.choices)
    authors = serializers.CharField(help_text=_("The authors as the material names them."))
    author = PersonRefSerializer(help_text=_("Who made it in Parta."))
    cover_url = serializers.CharField(allow_blank=True)
    verified = serializers.BooleanField(help_text=_("Published by a methodologist."))
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    status = serializers.ChoiceField(
        choices=Status.choices, allow_null=True, help_text=_("The review state: for the author only.")
    )
    popularity = serializers.FloatField()
    views = serializers.IntegerField()
    rating = serializers.FloatField(allow_null=True)
    rating_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text=_("The material's page."))

    class Meta:
        ref_name = "MaterialRow"


_DATETIME = serializers.DateTimeField()


_ROW_FIELDS = [field.name for field in fields(MaterialRow)]


def row_data(row: MaterialRow) -> Row:
    """A row as ``MaterialRowSerializer`` describes it, built straight (the search's hot path:
    ``asdict`` copied every value deeply)."""
    data = {name: getattr(row, name) for name in _ROW_FIELDS}
    data["subjects"] = [{"id": ref.id, "name": ref.name, "code": ref.code} for ref in row.subjects]
    data["topics"] = [{"id": ref.id, "name": ref.name, "code": ref.code} for ref in row.topics]
    data["grades"] = list(row.grades)
    data["author"] = {"id": data.pop("author_id"), "short_name": data["author"]}
    data["url"] = reverse("library-material", args=[row.id])
    data["updated_at"] = _DATETIME.to_representation(row.updated_at)
    data["published_at"] = _DATETIME.to_representation(row.published_at) if row.published_at else None
    return data


# Built inline: a field named "label" cannot be declared on a Serializer class.
FacetValueSerializer = inline_serializer(
    name="LibraryFacetValue",
    fields={
        "value": serializers.JSONField(help_text=_("What to pass back in the filter's parameter.")),
        "label": serializers.CharField(),
        "count": serializers.IntegerField(
            help_text=_("Materials under every other filter (not this facet's).")
        ),
        "selected": serializers.BooleanField(),
        "code": serializers.CharField(required=False, help_text=_("A subject's code.")),
    },
).__class__


class FacetsSerializer(serializers.Serializer[Any]):
    subject = FacetValueSerializer(many=True)
    grade = FacetValueSerializer(many=True)
    type = FacetValueSerializer(many=True)
    verified = FacetValueSerializer(many=True)
    language = FacetValueSerializer(many=True)

    class Meta:
        ref_name = "LibraryFacets"


def _facet_data(value: FacetValue) -> Row:
    data = asdict(value)
    if not data["code"]:
        del data["code"]
    return data


class MaterialListApi(APIView):
    """Find materials: words, filters, sort and a page of results with their facets."""

    permission_classes = [IsPersonOrNobody]

    class OutputSerializer(serializers.Serializer[Any]):
        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = MaterialRowSerializer(many=True)
        facets = FacetsSerializer()

        class Meta:
            ref_name = "MaterialSearch"

    @extend_schema(
        operation_id="materials_list",
        tags=["library"],
        parameters=[SearchQuerySerializer],
        responses={200: OutputSerializer, **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = material_search(request.user, **search_arguments(query.validated_data))
        data = {
            "count": result.count,
            "next": _page_link(request, result, result.page + 1),
            "previous": _page_link(request, result, result.page - 1),
            "results": [row_data(row) for row in result.rows],
            "facets": {name: [_facet_data(v) for v in values] for name, values in result.facets.items()},
        }
        # Built as OutputSerializer describes it: passing a page of rows with their facets
        # through the serializer cost more than the search itself (its fields copied per row).
        return cache_for_reader(Response(data), request.user)


def _page_link(request: Request, result: SearchResult, page: int) -> str | None:
    if page < 1 or page > result.pages or page == result.page:
        return None
    url = request.build_absolute_uri()
    return remove_query_param(url, "page") if page == 1 else replace_query_param(url, "page", page)


class MaterialDetailApi(APIView):
    """One material: the published version (the author and a reviewer: the latest), with its
    whole content. 404 for what the reader may not open."""

    permission_classes = [IsPersonOrNobody]

    class OutputSerializer(MaterialRowSerializer):
        class FileSerializer(serializers.Serializer[Any]):
            name = serializers.CharField()
            size = serializers.IntegerField()
            url = serializers.CharField(help_text=_("Download address (checks access again)."))

            class Meta:
                ref_name = "MaterialFile"

        version = serializers.IntegerField(help_text=_("The number of the version shown."))
        description = serializers.CharField(allow_blank=True)
        duration_minutes = serializers.IntegerField(allow_null=True)
        content = serializers.JSONField(help_text=_("What the material is, by type: see the API guide."))
        file = FileSerializer(allow_null=True)

        class Meta:
            ref_name = "MaterialDetail"

    @extend_schema(
        operation_id="materials_retrieve",
        tags=["library"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, material_id: int) -> Response:
        detail = material_detail(request.user, access_material(request.user, material_id))
        data = row_data(detail.row) | {
            "version": detail.version,
            "description": detail.description,
            "duration_minutes": detail.duration_minutes,
            "content": detail.content,
            "file": {
                "name": detail.file_name,
                "size": detail.file_size,
                "url": request.build_absolute_uri(reverse("library-download", args=[material_id])),
            }
            if detail.file_name
            else None,
        }
        return cache_for_reader(Response(self.OutputSerializer(data).data), request.user)


# Mounted with the authoring views at the same addresses: parta.library.api.materials.
urlpatterns: list[URLPattern | URLResolver] = []
