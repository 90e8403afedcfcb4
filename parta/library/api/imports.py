"""HTTP API of the library: importing a folder's zip of materials, and the run's progress and
report. A teacher's runs are their own (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import error_responses
from parta.core.idempotency import IdempotentApi
from parta.library.selectors.imports import RunView, access_import_run, run_view
from parta.library.services.imports import import_run_start


class CreatedRowSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    title = serializers.CharField()
    id = serializers.IntegerField(help_text=_("The new material (a private draft)."))

    class Meta:
        ref_name = "LibraryImportCreated"


# Built inline: a field named "errors" cannot be declared on a Serializer class (parta.core.api).
REJECTED_ROW = inline_serializer(
    name="LibraryImportRejected",
    fields={
        "row": serializers.IntegerField(
            help_text=_("The row's number: a CSV line (the header is 1), a JSON item from 1.")
        ),
        "title": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text=_("The messages of each column."),
        ),
    },
    many=True,
)


class ImportRunSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "refused", "failed"])
    progress = serializers.IntegerField(help_text=_("Per cent; 100 once finished."))
    total = serializers.IntegerField(help_text=_("Rows in the manifest."))
    refused = serializers.CharField(help_text=_("Why the whole archive was refused; empty otherwise."))
    created = CreatedRowSerializer(many=True)
    rejected = REJECTED_ROW

    class Meta:
        ref_name = "LibraryImportRun"


def _run(view: RunView) -> dict[str, Any]:
    return {
        "id": view.run.pk,
        "status": view.run.status,
        "progress": view.progress,
        "total": view.run.total,
        "refused": view.refused,
        "created": view.created,
        "rejected": view.rejected,
    }


class ImportsApi(IdempotentApi):
    """Import a zip of a folder with manifest.csv or manifest.json (or an exported material). An
    archive that is no safe zip with a readable manifest is a 400 at ``archive``; otherwise the run
    starts (201) and is polled at its address."""

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer[Any]):
        archive = serializers.FileField()

        class Meta:
            ref_name = "LibraryImportCreate"

    @extend_schema(
        operation_id="library_imports_create",
        tags=["library"],
        request={"multipart/form-data": InputSerializer},
        responses={201: ImportRunSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = import_run_start(actor=request_user(request), archive=payload.validated_data["archive"])
        run.refresh_from_db()
        return Response(ImportRunSerializer(_run(run_view(run))).data, status=status.HTTP_201_CREATED)


class ImportApi(APIView):
    @extend_schema(
        operation_id="library_imports_retrieve",
        tags=["library"],
        responses={200: ImportRunSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, run_id: int) -> Response:
        return Response(ImportRunSerializer(_run(run_view(access_import_run(request.user, run_id)))).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("library/imports", ImportsApi.as_view(), name="api-library-imports"),
    path("library/imports/<int:run_id>", ImportApi.as_view(), name="api-library-import"),
]
