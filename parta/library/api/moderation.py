"""HTTP API of the review: the city's queue and a methodologist's decision.

Thin: the selectors and services reach the material through ``parta.library.access`` (404 for
anyone who does not review its city) and raise ValidationError (400 with the field's message).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from parta.accounts.api import request_user
from parta.core.api import IdField, ListApi, Row, error_responses
from parta.core.idempotency import IdempotentApi
from parta.library.access import access_material_for_review
from parta.library.models import Kind, Material, Visibility
from parta.library.selectors import moderation as selectors
from parta.library.selectors.moderation import QueueRow
from parta.library.services.moderation import MAX_COMMENT, material_publish, material_return


class QueueItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(help_text=_("The submitted version's title."))
    author = serializers.DictField(help_text=_("{id, short_name}"))
    school = serializers.CharField(help_text=_("The author's school (short name); empty for none."))
    requested_visibility = serializers.ChoiceField(choices=Visibility.choices)
    version = serializers.IntegerField(help_text=_("The number of the submitted version."))
    new_version = serializers.BooleanField(help_text=_("An earlier version is published and stays visible."))
    submitted_at = serializers.DateTimeField()

    class Meta:
        ref_name = "LibraryQueueItem"


def queue_item(row: QueueRow) -> Row:
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "author": {"id": row.author_id, "short_name": row.author},
        "school": row.school,
        "requested_visibility": row.asked,
        "version": row.version,
        "new_version": row.new_version,
        "submitted_at": row.submitted_at,
    }


class ReviewQueueApi(ListApi):
    """Materials waiting for review in the methodologist's cities, the longest waiting first
    (404 for anyone else)."""

    class FilterSerializer(serializers.Serializer[Any]):
        subject = IdField(required=False, help_text=_("A subject's id."))
        type = serializers.ChoiceField(choices=Kind.choices, required=False)

        class Meta:
            ref_name = "LibraryQueueFilter"

    @extend_schema(
        operation_id="library_review_queue_list",
        tags=["library"],
        parameters=[FilterSerializer],
        responses={200: QueueItemSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        rows = selectors.review_queue(request.user, subject_id=params.get("subject"), kind=params.get("type"))
        data = [queue_item(row) for row in self.paginate(rows)]
        return self.paginated_response(QueueItemSerializer(data, many=True).data)


class MaterialReviewApi(IdempotentApi):
    """A methodologist's decision on the submitted version: publish it (it becomes what its
    audience sees, verified) or return it to the author (a comment is required)."""

    class InputSerializer(serializers.Serializer[Any]):
        decision = serializers.ChoiceField(choices=["publish", "return"])
        comment = serializers.CharField(
            max_length=MAX_COMMENT, allow_blank=True, required=False, default="", trim_whitespace=True
        )

        class Meta:
            ref_name = "LibraryReviewCreate"

    class OutputSerializer(serializers.Serializer[Any]):
        material_id = serializers.IntegerField()
        status = serializers.CharField()
        visibility = serializers.ChoiceField(choices=Visibility.choices)
        published_version = serializers.IntegerField(allow_null=True)

        class Meta:
            ref_name = "LibraryReview"

    @extend_schema(
        operation_id="materials_review_create",
        tags=["library"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, material_id: int) -> Response:
        # 404 before the input is read: a stranger learns nothing from a 400.
        access_material_for_review(request.user, material_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        decide = material_publish if data["decision"] == "publish" else material_return
        material: Material = decide(request_user(request), material_id, comment=data["comment"])
        return Response(
            self.OutputSerializer(
                {
                    "material_id": material.pk,
                    "status": material.status,
                    "visibility": material.visibility,
                    "published_version": material.published.number if material.published else None,
                }
            ).data
        )


urlpatterns: list[URLPattern | URLResolver] = [
    path("library/review-queue", ReviewQueueApi.as_view(), name="api-library-review-queue"),
    path("materials/<int:material_id>/review", MaterialReviewApi.as_view(), name="api-material-review"),
]
