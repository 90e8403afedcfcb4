"""HTTP API of usage and popularity: a teacher's stars for a material, the top lists and an
author's profile. Thin over ``services.ratings`` and ``selectors.usage`` (404 for anything the
user may not read)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import IdField, PersonRefSerializer, Row, error_responses
from parta.core.idempotency import IdempotentApi
from parta.library.access import access_material
from parta.library.models import Kind
from parta.library.selectors import usage as selectors
from parta.library.selectors.usage import MaterialFigures, Totals
from parta.library.services.ratings import MAX_STARS, MIN_STARS, rating_set


class FiguresSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    author = PersonRefSerializer()
    views = serializers.IntegerField()
    downloads = serializers.IntegerField()
    lesson_uses = serializers.IntegerField()
    homework_uses = serializers.IntegerField()
    rating_count = serializers.IntegerField()
    rating = serializers.FloatField(allow_null=True, help_text=_("The average of the teachers' stars."))
    popularity = serializers.FloatField(help_text=_("The popularity score (see the user guide)."))

    class Meta:
        ref_name = "LibraryMaterialFigures"


def figures_data(row: MaterialFigures) -> Row:
    return {
        "id": row.id,
        "title": row.title,
        "kind": row.kind,
        "author": {"id": row.author_id, "short_name": row.author},
        "views": row.views,
        "downloads": row.downloads,
        "lesson_uses": row.lesson_uses,
        "homework_uses": row.homework_uses,
        "rating_count": row.rating_count,
        "rating": row.rating,
        "popularity": row.popularity,
    }


class TotalsSerializer(serializers.Serializer[Any]):
    materials = serializers.IntegerField()
    published = serializers.IntegerField()
    views = serializers.IntegerField()
    downloads = serializers.IntegerField()
    lesson_uses = serializers.IntegerField()
    homework_uses = serializers.IntegerField()
    rating_count = serializers.IntegerField()
    rating = serializers.FloatField(allow_null=True)

    class Meta:
        ref_name = "LibraryTotals"


def totals_data(totals: Totals) -> Row:
    return dict(totals.__dict__)


class AuthorRankSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    short_name = serializers.CharField()
    materials = serializers.IntegerField()
    uses = serializers.IntegerField(help_text=_("Uses in lessons and homework."))
    rating = serializers.FloatField(allow_null=True)
    popularity = serializers.FloatField(help_text=_("The sum of the materials' popularity."))

    class Meta:
        ref_name = "LibraryAuthorRank"


class RatingApi(IdempotentApi):
    """A teacher's stars for a material they may open and did not make: set or changed (setting
    the same again changes nothing). The material's rating figures follow within a minute."""

    class InputSerializer(serializers.Serializer[Any]):
        stars = serializers.IntegerField(min_value=MIN_STARS, max_value=MAX_STARS)

        class Meta:
            ref_name = "LibraryRatingSet"

    class OutputSerializer(serializers.Serializer[Any]):
        material_id = serializers.IntegerField()
        stars = serializers.IntegerField()

        class Meta:
            ref_name = "LibraryRating"

    @extend_schema(
        operation_id="materials_rating_create",
        tags=["library"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, material_id: int) -> Response:
        access_material(request.user, material_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rating = rating_set(request_user(request), material_id, stars=payload.validated_data["stars"])
        return Response(self.OutputSerializer({"material_id": material_id, "stars": rating.stars}).data)


class TopApi(APIView):
    """The most popular published materials the user may open (of a subject, of a type) and
    the authors whose published materials are the most popular together."""

    class FilterSerializer(serializers.Serializer[Any]):
        subject = IdField(required=False, help_text=_("A subject's id."))
        type = serializers.ChoiceField(choices=Kind.choices, required=False)

        class Meta:
            ref_name = "LibraryTopFilter"

    class OutputSerializer(serializers.Serializer[Any]):
        materials = FiguresSerializer(many=True)
        authors = AuthorRankSerializer(many=True)

        class Meta:
            ref_name = "LibraryTop"

    @extend_schema(
        operation_id="library_top_retrieve",
        tags=["library"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        lists = selectors.top_lists(request.user, subject_id=params.get("subject"), kind=params.get("type"))
        authors = [
            {
                "id": a.id,
                "short_name": a.name,
                "materials": a.materials,
                "uses": a.uses,
                "rating": a.rating,
                "popularity": a.popularity,
            }
            for a in lists.authors
        ]
        return Response(
            {
                "materials": FiguresSerializer([figures_data(m) for m in lists.materials], many=True).data,
                "authors": AuthorRankSerializer(authors, many=True).data,
            }
        )


class AuthorApi(APIView):
    """An author's published materials the user may open, with their totals (404 when none)."""

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        short_name = serializers.CharField()
        totals = TotalsSerializer()
        materials = FiguresSerializer(many=True)

        class Meta:
            ref_name = "LibraryAuthor"

    @extend_schema(
        operation_id="library_authors_retrieve",
        tags=["library"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, user_id: int) -> Response:
        profile = selectors.author_profile(request.user, user_id)
        data = {
            "id": profile.id,
            "short_name": profile.name,
            "totals": totals_data(profile.totals),
            "materials": [figures_data(m) for m in profile.materials],
        }
        return Response(self.OutputSerializer(data).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/<int:material_id>/rating", RatingApi.as_view(), name="api-material-rating"),
    path("library/top", TopApi.as_view(), name="api-library-top"),
    path("library/authors/<int:user_id>", AuthorApi.as_view(), name="api-library-author"),
]
