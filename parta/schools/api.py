"""Read API of the school structure: schools, class groups, subjects, study periods.

Every endpoint fetches what it shows through ``parta.schools.access``: a school or class group
that is not the user's answers 404. Lists are read with ``values()`` (one query for the page,
one for the count) and paginated with limit/offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.models import User
from parta.core.i18n import pick
from parta.schools.access import (
    access_class_group,
    access_school,
    class_groups_readable_by,
    people_readable_by,
    roles_of,
    schools_readable_by,
)
from parta.schools.models import (
    AcademicYear,
    Building,
    ClassGroup,
    Enrolment,
    School,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
)

Row = dict[str, Any]


# --- shared by the API modules -----------------------------------------------------------


class Pagination(LimitOffsetPagination):
    # Without a ceiling one request could ask for a whole city's rows at once.
    max_limit = 500


class ListApi(APIView):
    """A read list paginated with limit/offset; drf-spectacular documents the envelope and parameters."""

    pagination_class = Pagination

    def paginate(self, rows: QuerySet[Any, Any] | Sequence[Any]) -> list[Any]:
        self.paginator = self.pagination_class()
        return list(self.paginator.paginate_queryset(rows, self.request, view=self) or [])

    def paginated_response(self, data: Any) -> Response:
        return self.paginator.get_paginated_response(data)


# The one error shape of the API (parta.web.api_errors). Built inline because a field named
# "errors" cannot be declared on a Serializer class: it would hide Serializer.errors.
ERROR_SERIALIZER = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=_("For invalid input: the messages of each field (“non_field_errors” for the whole)."),
        ),
    },
)


_ERROR_DESCRIPTIONS = {
    400: _("Invalid input: a message for each field in “errors”; nothing was changed."),
    401: _("Not signed in, or the token is not valid."),
    404: _("There is no such thing, or it is not yours to see."),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an operation, for extend_schema(responses=...)."""
    return {code: OpenApiResponse(ERROR_SERIALIZER, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


def short_name(last: str | None, first: str | None, middle: str | None) -> str:
    """«Иванова А. П.», built from ``values()`` columns without loading the user."""
    initials = " ".join(f"{part[0]}." for part in (first, middle) if part)
    return f"{last or ''} {initials}".strip()


def full_name(last: str | None, first: str | None, middle: str | None) -> str:
    return " ".join(part for part in (last, first, middle) if part)


def person_ref(pk: int | None, last: str | None, first: str | None, middle: str | None) -> Row | None:
    if pk is None:
        return None
    return {"id": pk, "short_name": short_name(last, first, middle)}


def group_name(grade: int, letter: str) -> str:
    return f"{grade}{letter}"


class PersonRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    short_name = serializers.CharField()

    class Meta:
        ref_name = "PersonRef"


class NamedRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "NamedRef"


class SubjectRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "SubjectRef"


def subject_ref(code: str, name_ru: str, name_en: str) -> Row:
    return {"code": code, "name": pick(name_ru, name_en)}


# --- schools -------------------------------------------------------------------------------


class SchoolListApi(ListApi):
    """The schools the user belongs to (as staff, student or parent), or their city's for a methodologist."""

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        name = serializers.CharField()
        short_name = serializers.CharField()
        city = NamedRefSerializer()
        district = NamedRefSerializer()

        class Meta:
            ref_name = "SchoolListItem"

    @extend_schema(
        operation_id="schools_list",
        tags=["schools"],
        responses={200: OutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        rows = (
            School.objects.filter(schools_readable_by(request.user))
            .order_by("short_name", "pk")
            .values("id", "name", "short_name", "city_id", "city__name", "district_id", "district__name")
        )
        data = [
            {
                "id": row["id"],
                "name": row["name"],
                "short_name": row["short_name"],
                "city": {"id": row["city_id"], "name": row["city__name"]},
                "district": {"id": row["district_id"], "name": row["district__name"]},
            }
            for row in self.paginate(rows)
        ]
        return self.paginated_response(self.OutputSerializer(data, many=True).data)


class SchoolDetailApi(APIView):
    class OutputSerializer(serializers.Serializer[Any]):
        class BuildingSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            name = serializers.CharField()
            address = serializers.CharField()

            class Meta:
                ref_name = "SchoolBuilding"

        class YearSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            name = serializers.CharField()
            starts_on = serializers.DateField()
            ends_on = serializers.DateField()

            class Meta:
                ref_name = "AcademicYear"

        id = serializers.IntegerField()
        name = serializers.CharField()
        short_name = serializers.CharField()
        city = NamedRefSerializer()
        district = NamedRefSerializer()
        buildings = BuildingSerializer(many=True)
        years = YearSerializer(many=True)

        class Meta:
            ref_name = "SchoolDetail"

    @extend_schema(
        operation_id="schools_retrieve",
        tags=["schools"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = access_school(request.user, school_id)
        names = School.objects.filter(pk=school.pk).values("city__name", "district__name").get()
        data = {
            "id": school.pk,
            "name": school.name,
            "short_name": school.short_name,
            "city": {"id": school.city_id, "name": names["city__name"]},
            "district": {"id": school.district_id, "name": names["district__name"]},
            "buildings": list(
                Building.objects.filter(school_id=school.pk).order_by("pk").values("id", "name", "address")
            ),
            "years": list(
                AcademicYear.objects.filter(school_id=school.pk)
                .order_by("-starts_on")
                .values("id", "name", "starts_on", "ends_on")
            ),
        }
        return Response(self.OutputSerializer(data).data)


# --- class groups --------------------------------------------------------------------------


class ClassGroupListApi(ListApi):
    """The school's class groups that the user may read: all of them for its administrator,
    the taught ones for a teacher, their own or their children's for a family."""

    class FilterSerializer(serializers.Serializer[Any]):
        year = serializers.IntegerField(
            required=False, min_value=1, help_text=_("Only this academic year (id).")
        )

        class Meta:
            ref_name = "ClassGroupFilter"

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        name = serializers.CharField()
        grade = serializers.IntegerField()
        letter = serializers.CharField()
        year = NamedRefSerializer()
        building = NamedRefSerializer()
        class_teacher = PersonRefSerializer(allow_null=True)
        student_count = serializers.IntegerField()

        class Meta:
            ref_name = "ClassGroupListItem"

    @extend_schema(
        operation_id="schools_class_groups_list",
        tags=["schools"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = access_school(request.user, school_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        groups = ClassGroup.objects.filter(class_groups_readable_by(request.user), school_id=school.pk)
        if "year" in filters.validated_data:
            groups = groups.filter(year_id=filters.validated_data["year"])
        rows = (
            groups.annotate(student_count=Count("enrolments"))
            .order_by("-year__starts_on", "grade", "letter")
            .values(
                "id",
                "grade",
                "letter",
                "year_id",
                "year__name",
                "building_id",
                "building__name",
                "class_teacher_id",
                "class_teacher__last_name",
                "class_teacher__first_name",
                "class_teacher__middle_name",
                "student_count",
            )
        )
        data = [
            {
                "id": row["id"],
                "name": group_name(row["grade"], row["letter"]),
                "grade": row["grade"],
                "letter": row["letter"],
                "year": {"id": row["year_id"], "name": row["year__name"]},
                "building": {"id": row["building_id"], "name": row["building__name"]},
                "class_teacher": person_ref(
                    row["class_teacher_id"],
                    row["class_teacher__last_name"],
                    row["class_teacher__first_name"],
                    row["class_teacher__middle_name"],
                ),
                "student_count": row["student_count"],
            }
            for row in self.paginate(rows)
        ]
        return self.paginated_response(self.OutputSerializer(data, many=True).data)


class ClassGroupDetailApi(APIView):
    """A class group with its subgroups and teachers; the student list only for the school's staff."""

    class OutputSerializer(serializers.Serializer[Any]):
        class SubgroupSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            name = serializers.CharField()
            subject = SubjectRefSerializer()

            class Meta:
                ref_name = "ClassGroupSubgroup"

        class AssignmentSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            subject = SubjectRefSerializer()
            subgroup = serializers.CharField(allow_null=True)
            teacher = PersonRefSerializer()
            hours_per_week = serializers.IntegerField()

            class Meta:
                ref_name = "ClassGroupAssignment"

        class StudentSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            full_name = serializers.CharField()

            class Meta:
                ref_name = "ClassGroupStudent"

        id = serializers.IntegerField()
        name = serializers.CharField()
        grade = serializers.IntegerField()
        letter = serializers.CharField()
        school = NamedRefSerializer()
        year = NamedRefSerializer()
        building = NamedRefSerializer()
        home_room = serializers.CharField(allow_null=True)
        class_teacher = PersonRefSerializer(allow_null=True)
        subgroups = SubgroupSerializer(many=True)
        assignments = AssignmentSerializer(many=True)
        students = StudentSerializer(
            many=True, allow_null=True, help_text=_("Null unless the user is on the staff of the school.")
        )

        class Meta:
            ref_name = "ClassGroupDetail"

    @extend_schema(
        operation_id="class_groups_retrieve",
        tags=["schools"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, class_group_id: int) -> Response:
        group = access_class_group(request.user, class_group_id)
        teacher = group.class_teacher
        data = {
            "id": group.pk,
            "name": group.name,
            "grade": group.grade,
            "letter": group.letter,
            "school": {"id": group.school_id, "name": group.school.short_name},
            "year": {"id": group.year_id, "name": group.year.name},
            "building": {"id": group.building_id, "name": group.building.name},
            "home_room": group.home_room.name if group.home_room_id and group.home_room else None,
            "class_teacher": person_ref(
                teacher.pk, teacher.last_name, teacher.first_name, teacher.middle_name
            )
            if teacher
            else None,
            "subgroups": _subgroups(group),
            "assignments": _assignments(group),
            "students": _students(request.user, group),
        }
        return Response(self.OutputSerializer(data).data)


def _subgroups(group: ClassGroup) -> list[Row]:
    rows = (
        Subgroup.objects.filter(class_group_id=group.pk)
        .order_by("subject__order", "subject__code", "number")
        .values("id", "number", "subject__code", "subject__name_ru", "subject__name_en")
    )
    return [
        {
            "id": row["id"],
            "name": f"{group.name}/{row['number']}",
            "subject": subject_ref(row["subject__code"], row["subject__name_ru"], row["subject__name_en"]),
        }
        for row in rows
    ]


def _assignments(group: ClassGroup) -> list[Row]:
    rows = (
        TeachingAssignment.objects.filter(class_group_id=group.pk)
        .order_by("subject__order", "subject__code", "subgroup__number")
        .values(
            "id",
            "hours_per_week",
            "subgroup__number",
            "subject__code",
            "subject__name_ru",
            "subject__name_en",
            "teacher_id",
            "teacher__last_name",
            "teacher__first_name",
            "teacher__middle_name",
        )
    )
    return [
        {
            "id": row["id"],
            "subject": subject_ref(row["subject__code"], row["subject__name_ru"], row["subject__name_en"]),
            "subgroup": f"{group.name}/{row['subgroup__number']}" if row["subgroup__number"] else None,
            "teacher": person_ref(
                row["teacher_id"],
                row["teacher__last_name"],
                row["teacher__first_name"],
                row["teacher__middle_name"],
            ),
            "hours_per_week": row["hours_per_week"],
        }
        for row in rows
    ]


def _students(user: Any, group: ClassGroup) -> list[Row] | None:
    """The class list, for the school's staff only: families see their own children elsewhere."""
    roles = roles_of(user)
    if not (roles.is_superuser or group.school_id in roles.staff_school_ids):
        return None
    # people_readable_by again, so the list can never be wider than the access policy.
    rows = (
        Enrolment.objects.filter(class_group_id=group.pk)
        .filter(student__in=User.objects.filter(people_readable_by(user)).values("pk"))
        .order_by("student__last_name", "student__first_name", "student_id")
        .values("student_id", "student__last_name", "student__first_name", "student__middle_name")
    )
    return [
        {
            "id": row["student_id"],
            "full_name": full_name(
                row["student__last_name"], row["student__first_name"], row["student__middle_name"]
            ),
        }
        for row in rows
    ]


# --- subjects and study periods ----------------------------------------------------------


class SubjectListApi(ListApi):
    """The city's catalogue of subjects (the same for every school); any signed-in user may read it."""

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        code = serializers.CharField()
        name = serializers.CharField()

        class Meta:
            ref_name = "Subject"

    @extend_schema(
        operation_id="subjects_list",
        tags=["schools"],
        responses={200: OutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        rows = Subject.objects.order_by("order", "code").values("id", "code", "name_ru", "name_en")
        data = [
            {"id": row["id"], "code": row["code"], "name": pick(row["name_ru"], row["name_en"])}
            for row in self.paginate(rows)
        ]
        return self.paginated_response(self.OutputSerializer(data, many=True).data)


class StudyPeriodListApi(ListApi):
    """The school's quarters (or trimesters, semesters), newest year first."""

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        name = serializers.CharField()
        kind = serializers.ChoiceField(choices=StudyPeriod.Kind.choices)
        number = serializers.IntegerField()
        starts_on = serializers.DateField()
        ends_on = serializers.DateField()
        year = NamedRefSerializer()

        class Meta:
            ref_name = "StudyPeriod"

    @extend_schema(
        operation_id="schools_study_periods_list",
        tags=["schools"],
        responses={200: OutputSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = access_school(request.user, school_id)
        rows = (
            StudyPeriod.objects.filter(school_id=school.pk)
            .order_by("-year__starts_on", "kind", "number")
            .values("id", "kind", "number", "starts_on", "ends_on", "year_id", "year__name")
        )
        data = [
            {
                "id": row["id"],
                "name": f"{row['number']} {StudyPeriod.Kind(row['kind']).label}",
                "kind": row["kind"],
                "number": row["number"],
                "starts_on": row["starts_on"],
                "ends_on": row["ends_on"],
                "year": {"id": row["year_id"], "name": row["year__name"]},
            }
            for row in self.paginate(rows)
        ]
        return self.paginated_response(self.OutputSerializer(data, many=True).data)
