"""Substitutions and cancellations through the API, for the school's administrators: who may take
a lesson over, substitute or hand back, cancel or restore, and the lesson's history. Every endpoint
reaches the lesson through ``access.lesson_for_admin``: another school's lesson is 404."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.models import User
from parta.core.api import error_responses
from parta.timetable.access import lesson_for_admin
from parta.timetable.api import LessonSerializer, lesson_data
from parta.timetable.models import Lesson
from parta.timetable.selectors import lesson_changes, lesson_row, substitute_candidates
from parta.timetable.services import lesson_cancel, lesson_hand_back, lesson_restore, lesson_substitute

TAGS = ["timetable"]


class CandidateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    teaches_subject = serializers.BooleanField(help_text=_("Teaches the lesson's subject this year."))

    class Meta:
        ref_name = "SubstituteCandidate"


class ChangeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["substituted", "returned", "cancelled", "restored"])
    teacher = serializers.CharField(help_text=_("Who teaches the lesson after the change."))
    previous_teacher = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    actor = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "LessonChange"


def _lesson_answer(lesson: Lesson) -> Response:
    """The lesson after a change, as the timetable writes it."""
    return Response(lesson_data(lesson_row(lesson)))


def _change(row: Any) -> dict[str, Any]:
    data = asdict(row)
    data.pop("kind_label")  # the pages' words; the API answers the kind's code
    return data


class SubstitutesApi(APIView):
    """The school's teachers free at the lesson's time, those who teach its subject first."""

    @extend_schema(
        operation_id="lessons_substitutes_list",
        tags=TAGS,
        responses={200: CandidateSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        lesson = lesson_for_admin(request.user, lesson_id)
        return Response([asdict(c) for c in substitute_candidates(lesson)])


class SubstitutionApi(APIView):
    """PUT: another teacher of the school, free at that time, teaches the lesson (the planned one is
    kept as ``replaced_teacher``); DELETE: the planned teacher teaches it again."""

    class InputSerializer(serializers.Serializer[Any]):
        teacher_id = serializers.IntegerField(min_value=1)
        note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "SubstitutionInput"

    @extend_schema(
        operation_id="lessons_substitution_update",
        tags=TAGS,
        request=InputSerializer,
        responses={200: LessonSerializer, **error_responses(400, 401, 404)},
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        lesson = lesson_for_admin(request.user, lesson_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        teacher = User.objects.filter(pk=data.validated_data["teacher_id"]).first()
        if teacher is None:
            raise serializers.ValidationError(
                {"teacher_id": [_("The substitute must be a teacher of this school.")]}
            )
        lesson = lesson_substitute(
            actor=request.user, lesson=lesson, teacher=teacher, note=data.validated_data["note"]
        )
        return _lesson_answer(lesson)

    @extend_schema(
        operation_id="lessons_substitution_destroy",
        tags=TAGS,
        responses={200: LessonSerializer, **error_responses(400, 401, 404)},
    )
    def delete(self, request: Request, lesson_id: int) -> Response:
        lesson = lesson_hand_back(actor=request.user, lesson=lesson_for_admin(request.user, lesson_id))
        return _lesson_answer(lesson)


class CancellationApi(APIView):
    """PUT: cancel the lesson with the reason families will read; DELETE: it takes place after all
    (when its teacher, room and class are still free)."""

    class InputSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(max_length=300)

        class Meta:
            ref_name = "CancellationInput"

    @extend_schema(
        operation_id="lessons_cancellation_update",
        tags=TAGS,
        request=InputSerializer,
        responses={200: LessonSerializer, **error_responses(400, 401, 404)},
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        lesson = lesson_for_admin(request.user, lesson_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = lesson_cancel(actor=request.user, lesson=lesson, reason=data.validated_data["reason"])
        return _lesson_answer(lesson)

    @extend_schema(
        operation_id="lessons_cancellation_destroy",
        tags=TAGS,
        responses={200: LessonSerializer, **error_responses(400, 401, 404)},
    )
    def delete(self, request: Request, lesson_id: int) -> Response:
        lesson = lesson_restore(actor=request.user, lesson=lesson_for_admin(request.user, lesson_id))
        return _lesson_answer(lesson)


class LessonChangesApi(APIView):
    """The lesson's substitutions, hand-backs, cancellations and restorations, oldest first."""

    @extend_schema(
        operation_id="lessons_changes_list",
        tags=TAGS,
        responses={200: ChangeSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        lesson = lesson_for_admin(request.user, lesson_id)
        return Response([_change(row) for row in lesson_changes(lesson.pk)])
