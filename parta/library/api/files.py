"""HTTP API of the library: a material's file and its zip package. Access through
``access_version`` (404 for what is not the user's)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from parta.core.api import IdField, error_responses
from parta.library.views.files import material_export_response, material_file_response


class VersionQuerySerializer(serializers.Serializer[Any]):
    version = IdField(required=False)


VERSION = OpenApiParameter(
    "version",
    int,
    description=_("The version's number: its author may ask for any, others get the one they see."),
)


def _number(request: Request) -> int | None:
    query = VersionQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    number: int | None = query.validated_data.get("version")
    return number


class MaterialFileApi(APIView):
    """The material's file, as a download (sandboxed, never shown inline); counted as a download."""

    @extend_schema(
        operation_id="library_materials_file_retrieve",
        tags=["library"],
        parameters=[VERSION],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, material_id: int) -> FileResponse:
        return material_file_response(request.user, material_id, _number(request))


class MaterialExportApi(APIView):
    """The material as a zip: manifest.json, its file and cover, and a scenario's or a textbook's
    elements that the user may open, each in its folder."""

    @extend_schema(
        operation_id="library_materials_export_retrieve",
        tags=["library"],
        parameters=[VERSION],
        responses={(200, "application/zip"): OpenApiTypes.BINARY, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, material_id: int) -> FileResponse:
        return material_export_response(request.user, material_id, _number(request))


urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/<int:material_id>/file", MaterialFileApi.as_view(), name="api-library-file"),
    path("materials/<int:material_id>/export", MaterialExportApi.as_view(), name="api-library-export"),
]
