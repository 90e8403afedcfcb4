"""Read API of the school structure: schools, class groups, subjects, study periods; and who
the signed-in user is (``/api/v1/me``).

Every endpoint fetches what it shows through ``parta.schools.access``: a school or class group
that is not the user's answers 404. Lists are read with ``values()`` (one query for the page,
one for the count) and paginated with limit/offset.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.accounts.models import User
from parta.accounts.selectors import calendar_url
from parta.core.api import (
    IdField,
    ListApi,
    NamedRefSerializer,
    PersonRefSerializer,
    Row,
    SubjectRefSerializer,
    error_responses,
    named_ref_of,
    person_columns,
    person_ref,
    person_ref_of,
    subject_columns,
    subject_ref_of,
)
from parta.core.i18n import pick
from parta.core.names import class_group_name, full_name, subgroup_name
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
from parta.schools.selectors import ClassGroupRef, Me, NamedRef, me_summary

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
        responses={200: OutputSerializer(many=True), **error_responses(400, 401)},
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
                "city": named_ref_of(row, "city"),
                "district": named_ref_of(row, "district"),
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


# What every answer about a class group holds; the list and the detail add their own fields.
# (A comment, not a docstring: drf-spectacular would copy a docstring into each subclass's schema.)
class ClassGroupFieldsSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    grade = serializers.IntegerField()
    letter = serializers.CharField()
    year = NamedRefSerializer()
    building = NamedRefSerializer()
    class_teacher = PersonRefSerializer(allow_null=True)


class TeachingAssignmentRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    subject = SubjectRefSerializer()
    subgroup = serializers.CharField(allow_null=True)
    teacher = PersonRefSerializer()
    hours_per_week = serializers.IntegerField()

    class Meta:
        ref_name = "ClassGroupAssignment"


class ClassGroupListApi(ListApi):
    """The school's class groups that the user may read: all of them for its administrator,
    the taught ones for a teacher, their own or their children's for a family."""

    class FilterSerializer(serializers.Serializer[Any]):
        year = IdField(required=False, help_text=_("Only this academic year (id)."))

        class Meta:
            ref_name = "ClassGroupFilter"

    class OutputSerializer(ClassGroupFieldsSerializer):
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
                *person_columns("class_teacher"),
                "student_count",
            )
        )
        data = [
            {
                "id": row["id"],
                "name": class_group_name(row["grade"], row["letter"]),
                "grade": row["grade"],
                "letter": row["letter"],
                "year": named_ref_of(row, "year"),
                "building": named_ref_of(row, "building"),
                "class_teacher": person_ref_of(row, "class_teacher"),
                "student_count": row["student_count"],
            }
            for row in self.paginate(rows)
        ]
        return self.paginated_response(self.OutputSerializer(data, many=True).data)


class ClassGroupDetailApi(APIView):
    """A class group with its subgroups and teachers; the student list only for the school's staff."""

    class OutputSerializer(ClassGroupFieldsSerializer):
        class SubgroupSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            name = serializers.CharField()
            subject = SubjectRefSerializer()

            class Meta:
                ref_name = "ClassGroupSubgroup"

        class StudentSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            full_name = serializers.CharField()

            class Meta:
                ref_name = "ClassGroupStudent"

        school = NamedRefSerializer()
        home_room = serializers.CharField(allow_null=True)
        subgroups = SubgroupSerializer(many=True)
        assignments = TeachingAssignmentRefSerializer(many=True)
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
        .values("id", "number", *subject_columns())
    )
    return [
        {"id": row["id"], "name": subgroup_name(group.name, row["number"]), "subject": subject_ref_of(row)}
        for row in rows
    ]


def _assignments(group: ClassGroup) -> list[Row]:
    rows = (
        TeachingAssignment.objects.filter(class_group_id=group.pk)
        .order_by("subject__order", "subject__code", "subgroup__number")
        .values("id", "hours_per_week", "subgroup__number", *subject_columns(), *person_columns("teacher"))
    )
    return [
        {
            "id": row["id"],
            "subject": subject_ref_of(row),
            "subgroup": subgroup_name(group.name, row["subgroup__number"]),
            "teacher": person_ref_of(row, "teacher"),
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
        .values(*person_columns("student"))
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
        responses={200: OutputSerializer(many=True), **error_responses(400, 401)},
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
        closed_at = serializers.DateTimeField(allow_null=True, help_text=_("Null: open."))
        year = NamedRefSerializer()

        class Meta:
            ref_name = "StudyPeriod"

    @extend_schema(
        operation_id="schools_study_periods_list",
        tags=["schools"],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = access_school(request.user, school_id)
        # Model objects rather than values(): a period's name is the model's to write.
        periods = (
            StudyPeriod.objects.filter(school_id=school.pk)
            .select_related("year")
            .only("id", "kind", "number", "starts_on", "ends_on", "closed_at", "year__id", "year__name")
            .order_by("-year__starts_on", "kind", "number")
        )
        return self.paginated_response(self.OutputSerializer(self.paginate(periods), many=True).data)


# --- the signed-in user ------------------------------------------------------------------


class ClassGroupRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    school = NamedRefSerializer()
    year = NamedRefSerializer()

    class Meta:
        ref_name = "ClassGroupRef"


class MeApi(APIView):
    """Who the signed-in user is: roles, schools, a parent's children, a student's class group,
    a teacher's class groups, and the address of their calendar feed."""

    class OutputSerializer(serializers.Serializer[Any]):
        class ChildSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            full_name = serializers.CharField()
            short_name = serializers.CharField()
            class_group = ClassGroupRefSerializer(allow_null=True)
            school = NamedRefSerializer(allow_null=True)

            class Meta:
                ref_name = "MeChild"

        class TaughtGroupSerializer(ClassGroupRefSerializer):
            is_class_teacher = serializers.BooleanField()

            class Meta:
                ref_name = "MeTaughtClassGroup"

        id = serializers.IntegerField()
        username = serializers.CharField()
        full_name = serializers.CharField()
        short_name = serializers.CharField()
        roles = serializers.ListField(
            child=serializers.ChoiceField(choices=["admin", "teacher", "methodologist", "parent", "student"])
        )
        schools = NamedRefSerializer(many=True)
        children = ChildSerializer(many=True, help_text=_("A parent's children; empty for everyone else."))
        class_group = ClassGroupRefSerializer(allow_null=True, help_text=_("A student's class group."))
        class_groups_taught = TaughtGroupSerializer(many=True, help_text=_("A teacher's class groups."))
        calendar_url = serializers.URLField(help_text=_("The secret iCalendar feed of the user's timetable."))
        password_change_required = serializers.BooleanField(
            help_text=_(
                "The password was chosen by someone else: ask for a new one (POST /api/v1/auth/password)."
            )
        )

        class Meta:
            ref_name = "Me"

    @extend_schema(
        operation_id="me_retrieve", tags=["auth"], responses={200: OutputSerializer, **error_responses(401)}
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        return Response(
            _me_data(me_summary(user))
            | {
                "calendar_url": calendar_url(request, user),
                "password_change_required": user.must_change_password,
            }
        )


# The summary written as MeApi.OutputSerializer would write it (a test pins that), without its cost
# (or asdict's): with the summary one query built once, they were most of what was left of a request.


def _ref(ref: NamedRef) -> Row:
    return {"id": ref.id, "name": ref.name}


def _group(group: ClassGroupRef) -> Row:
    return {"id": group.id, "name": group.name, "school": _ref(group.school), "year": _ref(group.year)}


def _me_data(me: Me) -> Row:
    return {
        "id": me.id,
        "username": me.username,
        "full_name": me.full_name,
        "short_name": me.short_name,
        "roles": me.roles,
        "schools": [_ref(school) for school in me.schools],
        "children": [
            {
                "id": child.id,
                "full_name": child.full_name,
                "short_name": child.short_name,
                "class_group": _group(child.class_group) if child.class_group else None,
                "school": _ref(child.school) if child.school else None,
            }
            for child in me.children
        ],
        "class_group": _group(me.class_group) if me.class_group else None,
        "class_groups_taught": [
            _group(group) | {"is_class_teacher": group.is_class_teacher} for group in me.class_groups_taught
        ],
    }
