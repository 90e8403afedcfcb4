"""Read API of the timetable: the lessons of a person (student or teacher) in a date range."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.views import APIView

from parta.core.api import (
    DateField,
    NamedRefSerializer,
    PersonRefSerializer,
    Row,
    SubjectRefSerializer,
    cached_json,
    error_responses,
)
from parta.curriculum.api import TopicRefSerializer
from parta.schools.access import access_person, person_school_scope
from parta.timetable.models import Lesson
from parta.timetable.selectors import MAX_RANGE_DAYS, LessonRow, lessons_for_person, timetable_reading


class LessonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    number = serializers.IntegerField(help_text=_("The lesson's number in the day's bell schedule."))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Lesson.Status.choices)
    is_cancelled = serializers.BooleanField()
    is_substitution = serializers.BooleanField()
    subject = SubjectRefSerializer()
    class_group = NamedRefSerializer()
    subgroup = serializers.CharField(allow_null=True)
    teacher = PersonRefSerializer(help_text=_("Who teaches the lesson (the substitute, if there is one)."))
    replaced_teacher = PersonRefSerializer(
        allow_null=True, help_text=_("The planned teacher of a substituted lesson.")
    )
    room = serializers.CharField(allow_null=True)
    topic = TopicRefSerializer(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    online_link = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "Lesson"


def lesson_data(row: LessonRow) -> Row:
    """A lesson as the API writes it (``LessonSerializer``'s fields; the diary's lessons reuse it)."""
    return {
        "id": row.id,
        "date": row.date,
        "number": row.number,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "status": row.status,
        "is_cancelled": row.is_cancelled,
        "is_substitution": row.is_substitution,
        "subject": {"code": row.subject_code, "name": row.subject},
        "class_group": {"id": row.class_group_id, "name": row.class_group},
        "subgroup": row.subgroup,
        "teacher": {"id": row.teacher_id, "short_name": row.teacher},
        "replaced_teacher": {"id": row.replaced_teacher_id, "short_name": row.replaced_teacher or ""}
        if row.replaced_teacher_id is not None
        else None,
        "room": row.room,
        "topic": {"code": row.topic_code, "title": row.topic or ""} if row.topic_code else None,
        "note": row.note,
        "online_link": row.online_link,
    }


class PersonTimetableApi(APIView):
    """The lessons of a student (their class group's, with only their own subgroups) or of a teacher
    (what they teach, and what a substitute took over from them) from one date to another, inclusive.

    Not paginated: the date range is the page, and it is at most a year long.
    """

    class FilterSerializer(serializers.Serializer[Any]):
        # "from" is a Python keyword, so the field is declared as from_ and renamed in get_fields().
        from_ = DateField(help_text=_("First day, YYYY-MM-DD."))
        to = DateField(help_text=_("Last day, YYYY-MM-DD (inclusive)."))

        class Meta:
            ref_name = "TimetableRange"

        def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
            fields = super().get_fields()
            fields["from"] = fields.pop("from_")
            return fields

        def validate(self, attrs: Row) -> Row:
            if attrs["to"] < attrs["from"]:
                raise serializers.ValidationError({"to": [_("“to” must not be before “from”.")]})
            if (attrs["to"] - attrs["from"]).days + 1 > MAX_RANGE_DAYS:
                raise serializers.ValidationError(
                    {"to": [_("Ask for at most %(days)d days at once.") % {"days": MAX_RANGE_DAYS}]}
                )
            return attrs

    class OutputSerializer(serializers.Serializer[Any]):
        class PersonSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            full_name = serializers.CharField()

            class Meta:
                ref_name = "TimetablePerson"

        person = PersonSerializer()
        lessons = LessonSerializer(many=True)

        class Meta:
            ref_name = "PersonTimetable"

        def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
            fields = super().get_fields()
            return {
                "person": fields["person"],
                "from": serializers.DateField(),
                "to": serializers.DateField(),
                "lessons": fields["lessons"],
            }

    @extend_schema(
        operation_id="people_timetable_retrieve",
        tags=["timetable"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, person_id: int) -> HttpResponse:
        # Access first: someone else's id answers 404 whatever the dates, so ids cannot be probed.
        person = access_person(request.user, person_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        date_from, date_to = filters.validated_data["from"], filters.validated_data["to"]
        scope = person_school_scope(request.user, person.pk)

        def data() -> Row:
            # Written as OutputSerializer would write it (a test pins that), without its cost, which
            # was most of the request's: the rows' datetimes are in the current time zone already.
            rows = lessons_for_person(person.pk, date_from, date_to, school_ids=scope)
            return {
                "person": {"id": person.pk, "full_name": person.full_name or person.get_username()},
                "from": date_from,
                "to": date_to,
                "lessons": [lesson_data(row) for row in rows],
            }

        return cached_json(timetable_reading(person.pk, date_from, date_to, scope), data)
