"""HTTP API of the library at lessons: the lesson's materials and what to give (for its teacher),
giving a material at the lesson and taking it back.

Thin: the lesson is reached through ``access_lesson_taught`` (404 for anyone but its teachers),
the material through the library's access rules (404 for one the teacher may not open).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import IdField, Row, error_responses
from parta.core.idempotency import IdempotentApi
from parta.library.selectors.lessons import (
    LessonOffer,
    MaterialRef,
    OfferedMaterial,
    access_lesson_taught,
    materials_given_at_lessons,
    offered_materials,
)
from parta.library.services.assignments import material_attach_to_lesson, material_detach_from_lesson


class LessonMaterialSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text=_("The material's type (the library's codes)."))
    url = serializers.CharField(help_text=_("The material's page in the library."))

    class Meta:
        ref_name = "LessonMaterial"


class OfferedMaterialSerializer(LessonMaterialSerializer):
    on_topic = serializers.BooleanField(help_text=_("Tied to the lesson's topic."))
    verified = serializers.BooleanField(help_text=_("Published by a methodologist."))

    class Meta:
        ref_name = "OfferedLessonMaterial"


def _material(request: Request, material: MaterialRef) -> Row:
    return {
        "id": material.id,
        "title": material.title,
        "kind": material.kind,
        "url": request.build_absolute_uri(material.url),
    }


def _offered(request: Request, material: OfferedMaterial) -> Row:
    return {**_material(request, material), "on_topic": material.on_topic, "verified": material.verified}


class LessonMaterialsApi(IdempotentApi):
    """GET: the materials given at a lesson the teacher teaches, and those offered for it (its
    topic's first, then its subject's and grade's, by popularity; ``q`` finds by title). POST:
    give a material at the lesson; giving it again changes nothing."""

    class FilterSerializer(serializers.Serializer[Any]):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)

        class Meta:
            ref_name = "LessonMaterialsFilter"

    class OutputSerializer(serializers.Serializer[Any]):
        given = LessonMaterialSerializer(many=True)
        offered = OfferedMaterialSerializer(many=True)

        class Meta:
            ref_name = "LessonMaterials"

    class InputSerializer(serializers.Serializer[Any]):
        material = IdField(help_text=_("A material the teacher may open."))

        class Meta:
            ref_name = "LessonMaterialGive"

    @extend_schema(
        operation_id="lessons_materials_retrieve",
        tags=["library"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        lesson = access_lesson_taught(request.user, lesson_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = materials_given_at_lessons([lesson.id]).get(lesson.id, [])
        offer = LessonOffer(subject_id=lesson.subject_id, grade=lesson.grade, topic_id=lesson.topic_id)
        offered = offered_materials(
            request.user, offer, query=filters.validated_data.get("q", ""), exclude={m.id for m in given}
        )
        data = {
            "given": [_material(request, m) for m in given],
            "offered": [_offered(request, m) for m in offered],
        }
        return Response(self.OutputSerializer(data).data)

    @extend_schema(
        operation_id="lessons_materials_create",
        tags=["library"],
        request=InputSerializer,
        responses={201: LessonMaterialSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, lesson_id: int) -> Response:
        access_lesson_taught(request.user, lesson_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = material_attach_to_lesson(
            request_user(request), lesson_id=lesson_id, material_id=payload.validated_data["material"]
        )
        material = assignment.material
        data = _material(request, MaterialRef(material.pk, material.title, material.kind))
        return Response(LessonMaterialSerializer(data).data, status=status.HTTP_201_CREATED)


class LessonMaterialApi(APIView):
    """Take a material given at the lesson back (the lesson's teacher)."""

    @extend_schema(
        operation_id="lessons_materials_destroy",
        tags=["library"],
        request=None,
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request: Request, lesson_id: int, material_id: int) -> Response:
        material_detach_from_lesson(request_user(request), lesson_id=lesson_id, material_id=material_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns: list[URLPattern | URLResolver] = [
    path("lessons/<int:lesson_id>/materials", LessonMaterialsApi.as_view(), name="api-lesson-materials"),
    path(
        "lessons/<int:lesson_id>/materials/<int:material_id>",
        LessonMaterialApi.as_view(),
        name="api-lesson-material",
    ),
]
