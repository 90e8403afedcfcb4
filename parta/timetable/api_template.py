"""The school administrator's timetable API: the weekly template of an academic year, what is
wrong with it, drafting it, editing one weekly lesson, the times teachers cannot teach, and
publishing it into the year's lessons (a task: the answer is 202 and the publication to poll).

Every endpoint reaches the year through ``access.year_for_admin``: another school's year is 404.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.core.api import DateField, error_responses
from parta.core.idempotency import IdempotentApi
from parta.timetable.access import year_for_admin, year_publication, year_slot
from parta.timetable.models import TemplateSlot
from parta.timetable.selectors import (
    PublicationRow,
    publication_row,
    publications,
    template_problems,
    template_slots,
    unavailable_times,
)
from parta.timetable.services import (
    publication_start,
    template_build,
    template_slot_delete,
    template_slot_save,
    unavailability_set,
)

TAGS = ["timetable"]


class SlotSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    weekday = serializers.IntegerField(help_text=_("1 is Monday, 6 Saturday."))
    number = serializers.IntegerField(help_text=_("The lesson number of the bell schedule."))
    assignment_id = serializers.IntegerField()
    subject = serializers.CharField()
    class_group_id = serializers.IntegerField()
    class_group = serializers.CharField()
    subgroup = serializers.CharField(allow_null=True)
    teacher_id = serializers.IntegerField()
    teacher = serializers.CharField()
    room_id = serializers.IntegerField(allow_null=True)
    room = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "TemplateSlot"


class ProblemSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["unplaced", "extra", "unavailable", "no_bell"])
    message = serializers.CharField()
    assignment_id = serializers.IntegerField(allow_null=True)
    slot_id = serializers.IntegerField(allow_null=True)
    class_group_id = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "TemplateProblem"


class TemplateSerializer(serializers.Serializer[Any]):
    year_id = serializers.IntegerField()
    slots = SlotSerializer(many=True)
    problems = ProblemSerializer(many=True)

    class Meta:
        ref_name = "TimetableTemplate"


class PublicationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    since = serializers.DateField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    progress = serializers.IntegerField(help_text=_("Per cent done."))
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    started_by = serializers.CharField()
    result = serializers.DictField(
        help_text=_(
            "When done: lessons created, removed, unchanged, kept (they have marks, attendance, "
            "homework or a substitution) and skipped (a kept lesson holds their time); when failed: errors."
        )
    )

    class Meta:
        ref_name = "TimetablePublication"


def _template(year_id: int, school_id: int, query: dict[str, Any]) -> dict[str, Any]:
    slots = template_slots(year_id, class_group_id=query.get("class_group"), teacher_id=query.get("teacher"))
    return {
        "year_id": year_id,
        "slots": [asdict(slot) for slot in slots],
        "problems": [asdict(problem) for problem in template_problems(year_id, school_id)],
    }


def _publication(row: PublicationRow) -> dict[str, Any]:
    data = asdict(row)
    data.pop("status_label")  # the pages' words; the API answers the status's code
    return data


class TemplateApi(APIView):
    """The year's weekly template (all of it, or one class group's or one teacher's) and its problems."""

    class FilterSerializer(serializers.Serializer[Any]):
        class_group = serializers.IntegerField(required=False, min_value=1)
        teacher = serializers.IntegerField(required=False, min_value=1)

        class Meta:
            ref_name = "TemplateFilter"

    @extend_schema(
        operation_id="timetable_template_retrieve",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: TemplateSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, year_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return Response(_template(year.pk, year.school_id, filters.validated_data))


class TemplateDraftApi(APIView):
    """Replace the year's template with the solver's draft. With ``allow_unplaced`` (the default)
    hours that do not fit are left out and listed as problems; without it such a week is refused
    (400) and the template stays as it was."""

    class InputSerializer(serializers.Serializer[Any]):
        seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
        allow_unplaced = serializers.BooleanField(required=False, default=True)

        class Meta:
            ref_name = "TemplateDraftInput"

    @extend_schema(
        operation_id="timetable_template_draft",
        tags=TAGS,
        request=InputSerializer,
        responses={200: TemplateSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, year_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        template_build(year=year, seed=values["seed"], partial=values["allow_unplaced"])
        return Response(_template(year.pk, year.school_id, {}))


class SlotInputSerializer(serializers.Serializer[Any]):
    assignment_id = serializers.IntegerField(min_value=1)
    weekday = serializers.IntegerField(min_value=1, max_value=6)
    number = serializers.IntegerField(min_value=0, max_value=12)
    room_id = serializers.IntegerField(min_value=1, allow_null=True, required=False, default=None)

    class Meta:
        ref_name = "TemplateSlotInput"


class SlotListApi(IdempotentApi):
    """Add one weekly lesson of a teaching assignment at a time and in a room."""

    @extend_schema(
        operation_id="timetable_template_slots_create",
        tags=TAGS,
        request=SlotInputSerializer,
        responses={201: SlotSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, year_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        data = SlotInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slot = template_slot_save(actor=request.user, year=year, **data.validated_data)
        return Response(_slot_row(slot), status=status.HTTP_201_CREATED)


def _slot_row(slot: TemplateSlot) -> dict[str, Any]:
    return next(
        asdict(row) for row in template_slots(slot.year_id, teacher_id=slot.teacher_id) if row.id == slot.pk
    )


class SlotDetailApi(APIView):
    """Move one weekly lesson (PATCH: any of weekday, number, room_id) or take it out (DELETE)."""

    class PatchSerializer(serializers.Serializer[Any]):
        weekday = serializers.IntegerField(min_value=1, max_value=6, required=False)
        number = serializers.IntegerField(min_value=0, max_value=12, required=False)
        room_id = serializers.IntegerField(min_value=1, allow_null=True, required=False)

        class Meta:
            ref_name = "TemplateSlotPatch"

    @extend_schema(
        operation_id="timetable_template_slots_partial_update",
        tags=TAGS,
        request=PatchSerializer,
        responses={200: SlotSerializer, **error_responses(400, 401, 404)},
    )
    def patch(self, request: Request, year_id: int, slot_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        slot = year_slot(year, slot_id)
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        template_slot_save(
            actor=request.user,
            year=year,
            assignment_id=slot.assignment_id,
            weekday=values.get("weekday", slot.weekday),
            number=values.get("number", slot.number),
            room_id=values.get("room_id", slot.room_id),
            slot=slot,
        )
        return Response(_slot_row(slot))

    @extend_schema(
        operation_id="timetable_template_slots_destroy",
        tags=TAGS,
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request: Request, year_id: int, slot_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        template_slot_delete(actor=request.user, slot=year_slot(year, slot_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnavailabilityApi(APIView):
    """The times (weekday, lesson number) a teacher of the school cannot teach in the year;
    PUT replaces them all."""

    class TimesSerializer(serializers.Serializer[Any]):
        times = serializers.ListField(
            child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
            max_length=6 * 13,
            help_text=_("[weekday, lesson number] pairs; 1 is Monday."),
        )

        class Meta:
            ref_name = "TeacherUnavailability"

    @extend_schema(
        operation_id="timetable_unavailability_retrieve",
        tags=TAGS,
        responses={200: TimesSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, year_id: int, teacher_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        return Response({"times": [list(t) for t in sorted(unavailable_times(year.pk, teacher_id))]})

    @extend_schema(
        operation_id="timetable_unavailability_update",
        tags=TAGS,
        request=TimesSerializer,
        responses={200: TimesSerializer, **error_responses(400, 401, 404)},
    )
    def put(self, request: Request, year_id: int, teacher_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        data = self.TimesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        times = [(day, number) for day, number in data.validated_data["times"]]
        unavailability_set(actor=request.user, year=year, teacher_id=teacher_id, times=times)
        return Response({"times": [list(t) for t in sorted(unavailable_times(year.pk, teacher_id))]})


class PublicationListApi(IdempotentApi):
    """The year's publications, newest first (GET), or publish the template from a date (POST):
    202 with the publication, whose ``progress`` and ``status`` change as the task runs."""

    class InputSerializer(serializers.Serializer[Any]):
        since = DateField(help_text=_("First day whose lessons follow the template, YYYY-MM-DD."))

        class Meta:
            ref_name = "TimetablePublicationInput"

    @extend_schema(
        operation_id="timetable_publications_list",
        tags=TAGS,
        responses={200: PublicationSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, year_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        return Response([_publication(row) for row in publications(year.pk)])

    @extend_schema(
        operation_id="timetable_publications_create",
        tags=TAGS,
        request=InputSerializer,
        responses={202: PublicationSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, year_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = publication_start(actor=request.user, year=year, since=data.validated_data["since"])
        return Response(_publication(publication_row(publication)), status=status.HTTP_202_ACCEPTED)


class PublicationDetailApi(APIView):
    @extend_schema(
        operation_id="timetable_publications_retrieve",
        tags=TAGS,
        responses={200: PublicationSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, year_id: int, publication_id: int) -> Response:
        year = year_for_admin(request.user, year_id)
        return Response(_publication(publication_row(year_publication(year, publication_id))))
