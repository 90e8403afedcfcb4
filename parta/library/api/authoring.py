"""HTTP API of the library: authoring. Create a material (JSON, or multipart with its file and
cover), save a new version, list and read versions, restore one, submit for review, and the
author's own list.

Thin: every endpoint calls a service or a selector, which reach the material through
``parta.library.access`` (404 for anything not the user's) and raise ValidationError (400 with
each field's messages). ``GET /materials`` and ``GET /materials/{id}`` belong to the catalogue.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import ListApi, PersonRefSerializer, Row, error_responses, person_ref
from parta.core.idempotency import IdempotentApi
from parta.core.parsers import JSONParser
from parta.library.access import access_own_material, may_author
from parta.library.models import Kind, Language, Licence, Material, MaterialVersion, Status, Visibility
from parta.library.selectors import authoring as selectors
from parta.library.services.authoring import (
    MAX_NOTE,
    MaterialData,
    material_create,
    material_restore,
    material_save,
)
from parta.library.services.moderation import SHARED, material_submit

# JSON for everything but files; multipart to upload the file and the cover (content as a JSON string).
WRITE_PARSERS = [JSONParser, MultiPartParser, FormParser]


class MaterialInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(allow_blank=True, max_length=1000)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.RU)
    licence = serializers.ChoiceField(choices=Licence.choices, required=False, default=Licence.CC_BY)
    authors = serializers.CharField(allow_blank=True, required=False, default="")
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, default=None)
    subjects = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    grades = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    topics = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    content = serializers.JSONField(
        required=False,
        default=dict,
        help_text=_(
            "By type: {“body”: text}, {“url”: address}, a scenario's {“blocks”: […]}, "
            "a textbook's {“chapters”: [{“title”, “sections”: [{“title”, “blocks”}]}]}."
        ),
    )
    file = serializers.FileField(required=False)
    cover = serializers.ImageField(required=False)

    class Meta:
        ref_name = "LibraryMaterialInput"

    def material_data(self) -> MaterialData:
        data = self.validated_data
        return MaterialData(
            title=data["title"],
            description=data["description"],
            language=data["language"],
            licence=data["licence"],
            authors=data["authors"],
            duration_minutes=data["duration_minutes"],
            subject_ids=data["subjects"],
            grades=data["grades"],
            topic_ids=data["topics"],
            content=data["content"] if isinstance(data["content"], dict) else {},
        )


class FileSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text=_("Download address (needs the same credentials)."))

    class Meta:
        ref_name = "LibraryFile"


class VersionSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    language = serializers.CharField()
    licence = serializers.CharField()
    authors = serializers.CharField()
    duration_minutes = serializers.IntegerField(allow_null=True)
    subjects = serializers.ListField(child=serializers.IntegerField())
    grades = serializers.ListField(child=serializers.IntegerField())
    topics = serializers.ListField(child=serializers.IntegerField())
    content = serializers.JSONField()
    file = FileSerializer(allow_null=True)
    cover_url = serializers.CharField(allow_null=True)
    note = serializers.CharField(help_text=_("What changed, as the author wrote it."))
    created_at = serializers.DateTimeField()
    created_by = PersonRefSerializer()
    is_latest = serializers.BooleanField()
    is_published = serializers.BooleanField()

    class Meta:
        ref_name = "LibraryVersion"


class VersionSummarySerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    title = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = PersonRefSerializer()
    is_latest = serializers.BooleanField()
    is_published = serializers.BooleanField()

    class Meta:
        ref_name = "LibraryVersionSummary"


class OwnMaterialSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    requested_visibility = serializers.CharField(
        help_text=_("The audience asked for in review; empty if none.")
    )
    latest_version = serializers.IntegerField()
    published_version = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField()
    page_url = serializers.CharField()
    version = VersionSerializer(help_text=_("The latest version."))

    class Meta:
        ref_name = "LibraryOwnMaterial"


def _summary(material: Material, version: MaterialVersion) -> Row:
    user = version.created_by
    return {
        "number": version.number,
        "title": version.title,
        "note": version.note,
        "created_at": version.created_at,
        "created_by": person_ref(user.pk, user.last_name, user.first_name, user.middle_name),
        "is_latest": version.pk == material.latest_id,
        "is_published": version.pk == material.published_id,
    }


def version_data(request: Request, material: Material, version: MaterialVersion) -> Row:
    content = version.content or {}
    file = None
    if version.file:
        url = selectors.file_url(material.pk, version.number)
        file = {
            "name": version.file_name.rsplit("/", 1)[-1],
            "size": version.file_size,
            "url": request.build_absolute_uri(url),
        }
    cover = selectors.file_url(material.pk, version.number, cover=True) if version.cover else None
    return {
        **_summary(material, version),
        "description": version.description,
        "language": version.language,
        "licence": version.licence,
        "authors": version.authors,
        "duration_minutes": version.duration_minutes,
        "subjects": version.subject_ids,
        "grades": version.grades,
        "topics": version.topic_ids,
        "content": content,
        "file": file,
        "cover_url": request.build_absolute_uri(cover) if cover else None,
    }


def own_material_data(request: Request, material: Material) -> Row:
    latest = material.latest
    assert latest is not None
    return {
        "id": material.pk,
        "kind": material.kind,
        "status": material.status,
        "visibility": material.visibility,
        "requested_visibility": material.requested_visibility,
        "latest_version": latest.number,
        "published_version": material.published.number if material.published else None,
        "updated_at": material.updated_at,
        "page_url": request.build_absolute_uri(reverse("library-material", args=[material.pk])),
        "version": version_data(request, material, latest),
    }


def _own(request: Request, material_id: int) -> Material:
    material = access_own_material(request.user, material_id)
    return Material.objects.select_related("latest__created_by", "published").filter(pk=material.pk).get()


class MaterialCreateApi(IdempotentApi):
    """A new material, a private draft of its author (a teacher, an administrator, a methodologist;
    anyone else 404). Multipart to upload ``file`` and ``cover``; ``content`` then a JSON string."""

    parser_classes = WRITE_PARSERS

    class InputSerializer(MaterialInputSerializer):
        kind = serializers.ChoiceField(choices=Kind.choices)

        class Meta:
            ref_name = "LibraryMaterialCreate"

    @extend_schema(
        operation_id="library_materials_create",
        tags=["library"],
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={201: OwnMaterialSerializer, **error_responses(400, 401, 404, 415)},
    )
    def post(self, request: Request) -> Response:
        if not may_author(request.user):
            raise Http404
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        material = material_create(
            request_user(request),
            kind=payload.validated_data["kind"],
            data=payload.material_data(),
            file=payload.validated_data.get("file"),
            cover=payload.validated_data.get("cover"),
        )
        return Response(
            OwnMaterialSerializer(own_material_data(request, _own(request, material.pk))).data,
            status=status.HTTP_201_CREATED,
        )


class MaterialSaveApi(APIView):
    """A new version of the author's material: the whole material as it should be now (the file
    and the cover are kept unless a new one is sent, or ``remove_file``). A published material
    stays shown as published until the new version is published in turn."""

    parser_classes = WRITE_PARSERS

    class InputSerializer(MaterialInputSerializer):
        note = serializers.CharField(allow_blank=True, required=False, default="", max_length=MAX_NOTE)
        remove_file = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "LibraryMaterialSave"

    @extend_schema(
        operation_id="library_materials_update",
        tags=["library"],
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={200: OwnMaterialSerializer, **error_responses(400, 401, 404, 415)},
    )
    def put(self, request: Request, material_id: int) -> Response:
        access_own_material(request.user, material_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        material_save(
            request_user(request),
            material_id,
            data=payload.material_data(),
            file=data.get("file"),
            cover=data.get("cover"),
            note=data["note"],
            remove_file=data["remove_file"],
        )
        return Response(OwnMaterialSerializer(own_material_data(request, _own(request, material_id))).data)


class MyMaterialsApi(ListApi):
    """The author's own materials, the latest changed first, each with its latest version."""

    @extend_schema(
        operation_id="library_materials_mine",
        tags=["library"],
        responses={200: OwnMaterialSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.materials_of(request.user).select_related("latest__created_by", "published")
        data = [own_material_data(request, material) for material in self.paginate(rows)]
        return self.paginated_response(OwnMaterialSerializer(data, many=True).data)


class VersionsApi(APIView):
    """Every version of the author's material, the newest first (the author's alone: 404 else)."""

    @extend_schema(
        operation_id="library_versions_list",
        tags=["library"],
        responses={200: VersionSummarySerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, material_id: int) -> Response:
        material = access_own_material(request.user, material_id)
        data = [_summary(material, version) for version in selectors.versions_of(material)]
        return Response(VersionSummarySerializer(data, many=True).data)


def _version(material: Material, number: int) -> MaterialVersion:
    version = selectors.version_of(material, number)
    if version is None:
        raise Http404
    return version


class VersionApi(APIView):
    """One version of the author's material, whole."""

    @extend_schema(
        operation_id="library_versions_retrieve",
        tags=["library"],
        responses={200: VersionSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, material_id: int, number: int) -> Response:
        material = access_own_material(request.user, material_id)
        return Response(VersionSerializer(version_data(request, material, _version(material, number))).data)


class VersionRestoreApi(IdempotentApi):
    """Save an old version again as the newest (nothing in between is lost)."""

    @extend_schema(
        operation_id="library_versions_restore",
        tags=["library"],
        request=None,
        responses={200: OwnMaterialSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, material_id: int, number: int) -> Response:
        material_restore(request_user(request), material_id, number=number)
        return Response(OwnMaterialSerializer(own_material_data(request, _own(request, material_id))).data)


class SubmitApi(IdempotentApi):
    """Send the latest version to the city's methodologists, for the audience asked for."""

    class InputSerializer(serializers.Serializer[Any]):
        visibility = serializers.ChoiceField(choices=[(v.value, v.label) for v in SHARED])

        class Meta:
            ref_name = "LibrarySubmit"

    @extend_schema(
        operation_id="library_materials_submit",
        tags=["library"],
        request=InputSerializer,
        responses={200: OwnMaterialSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, material_id: int) -> Response:
        access_own_material(request.user, material_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        material_submit(request_user(request), material_id, visibility=payload.validated_data["visibility"])
        return Response(OwnMaterialSerializer(own_material_data(request, _own(request, material_id))).data)


# ``materials`` and ``materials/<id>`` share their paths with the catalogue's GET: the lead's merge
# joins each pair into one view class (both are APIViews with distinct methods).
urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/mine", MyMaterialsApi.as_view(), name="api-library-materials-mine"),
    path("materials/<int:material_id>/versions", VersionsApi.as_view(), name="api-library-versions"),
    path(
        "materials/<int:material_id>/versions/<int:number>",
        VersionApi.as_view(),
        name="api-library-version",
    ),
    path(
        "materials/<int:material_id>/versions/<int:number>/restore",
        VersionRestoreApi.as_view(),
        name="api-library-version-restore",
    ),
    path("materials/<int:material_id>/submit", SubmitApi.as_view(), name="api-library-submit"),
]
