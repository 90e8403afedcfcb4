"""API of the signed-in user: tokens, who am I, the calendar feed secret."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.models import User
from parta.accounts.services import auth_token_create, auth_token_delete, calendar_token_reset
from parta.schools.access import people_readable_by, roles_of, schools_readable_by
from parta.schools.api import NamedRefSerializer, error_responses, full_name, group_name, short_name
from parta.schools.models import AcademicYear, ClassGroup, Enrolment, School

Row = dict[str, Any]


def request_user(request: Request) -> User:
    """The signed-in user of a view that requires authentication."""
    user = request.user
    if not isinstance(user, User):
        # IsAuthenticated has already refused anonymous requests; this keeps the type honest.
        raise NotAuthenticated
    return user


def calendar_url(request: Request, user: User) -> str:
    return request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": user.calendar_token}))


# --- tokens --------------------------------------------------------------------------------


class AuthTokenApi(APIView):
    """The API token: POST signs in, DELETE signs out."""

    class InputSerializer(serializers.Serializer[Any]):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, style={"input_type": "password"}
        )

        class Meta:
            ref_name = "TokenCreate"

    class OutputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField()

        class Meta:
            ref_name = "Token"

    signing_in = False

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        # Signing in must not depend on credentials the client still holds: a stale Bearer token
        # or a browser session without a CSRF token would otherwise fail before the password is checked.
        self.signing_in = request.method == "POST"
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self) -> list[Any]:
        return [] if self.signing_in else super().get_authenticators()

    def get_permissions(self) -> Sequence[Any]:
        return [AllowAny()] if self.signing_in else super().get_permissions()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        description=_(
            "Sign in with a username and password. The token goes into every later request as "
            "`Authorization: Bearer <token>`; a user has one token, shared by their clients."
        ),
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = auth_token_create(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        return Response(self.OutputSerializer({"token": token.key}).data)

    @extend_schema(
        operation_id="auth_token_destroy",
        tags=["auth"],
        description=_("Sign out: the token stops working for every client that holds it."),
        responses={204: OpenApiResponse(description=_("Signed out.")), **error_responses(401)},
    )
    def delete(self, request: Request) -> Response:
        auth_token_delete(user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- me ------------------------------------------------------------------------------------


class ClassGroupRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    school = NamedRefSerializer()
    year = NamedRefSerializer()

    class Meta:
        ref_name = "ClassGroupRef"


_GROUP_FIELDS = ("id", "grade", "letter", "school_id", "school__short_name", "year_id", "year__name")


def _group_ref(row: Row, prefix: str = "") -> Row:
    return {
        "id": row[f"{prefix}id"],
        "name": group_name(row[f"{prefix}grade"], row[f"{prefix}letter"]),
        "school": {"id": row[f"{prefix}school_id"], "name": row[f"{prefix}school__short_name"]},
        "year": {"id": row[f"{prefix}year_id"], "name": row[f"{prefix}year__name"]},
    }


def _latest_year_of_school() -> Subquery:
    # A school's newest year: once next year's groups exist, they are the ones that matter.
    return Subquery(
        AcademicYear.objects.filter(school_id=OuterRef("school_id")).order_by("-starts_on").values("pk")[:1]
    )


def _schools(user: User) -> list[Row]:
    """The schools where the user works, studies or has a child."""
    roles = roles_of(user)
    family = Enrolment.objects.filter(student_id__in=roles.child_ids | {user.pk}).values("school_id")
    rows = (
        School.objects.filter(schools_readable_by(user))
        .filter(Q(pk__in=roles.staff_school_ids) | Q(pk__in=family))
        .order_by("short_name", "pk")
        .values("id", "short_name")
    )
    return [{"id": row["id"], "name": row["short_name"]} for row in rows]


def _class_group(user: User) -> Row | None:
    """A student's class group in the newest year they are enrolled in."""
    row = (
        ClassGroup.objects.filter(pk__in=roles_of(user).student_class_group_ids)
        .order_by("-year__starts_on")
        .values(*_GROUP_FIELDS)
        .first()
    )
    return _group_ref(row) if row else None


def _class_groups_taught(user: User) -> list[Row]:
    """The groups a teacher teaches or leads in their school's newest year."""
    if not roles_of(user).is_teacher:
        return []
    rows = (
        ClassGroup.objects.filter(Q(teaching_assignments__teacher_id=user.pk) | Q(class_teacher_id=user.pk))
        .filter(year_id=_latest_year_of_school())
        .distinct()
        .order_by("school__short_name", "grade", "letter")
        .values(*_GROUP_FIELDS, "class_teacher_id")
    )
    return [{**_group_ref(row), "is_class_teacher": row["class_teacher_id"] == user.pk} for row in rows]


def _children(user: User) -> list[Row]:
    """A guardian's children, each with their class group in the newest year they are enrolled in."""
    roles = roles_of(user)
    if not roles.child_ids:
        return []
    people = (
        User.objects.filter(people_readable_by(user), pk__in=roles.child_ids, is_active=True)
        .order_by("last_name", "first_name", "pk")
        .values("id", "last_name", "first_name", "middle_name")
    )
    enrolments = (
        Enrolment.objects.filter(student_id__in=roles.child_ids)
        .order_by("student_id", "-year__starts_on")
        .values("student_id", *(f"class_group__{name}" for name in _GROUP_FIELDS))
    )
    group_of: dict[int, Row] = {}
    for row in enrolments:
        group_of.setdefault(row["student_id"], _group_ref(row, "class_group__"))
    children = []
    for person in people:
        group = group_of.get(person["id"])
        children.append(
            {
                "id": person["id"],
                "full_name": full_name(person["last_name"], person["first_name"], person["middle_name"]),
                "short_name": short_name(person["last_name"], person["first_name"], person["middle_name"]),
                "class_group": group,
                "school": group["school"] if group else None,
            }
        )
    return children


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

        class Meta:
            ref_name = "Me"

    @extend_schema(
        operation_id="me_retrieve", tags=["auth"], responses={200: OutputSerializer, **error_responses(401)}
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.full_name,
            "short_name": user.short_name,
            "roles": roles_of(user).names,
            "schools": _schools(user),
            "children": _children(user),
            "class_group": _class_group(user),
            "class_groups_taught": _class_groups_taught(user),
            "calendar_url": calendar_url(request, user),
        }
        return Response(self.OutputSerializer(data).data)


class CalendarTokenResetApi(APIView):
    """A new secret address for the user's calendar feed; the old address stops working."""

    class OutputSerializer(serializers.Serializer[Any]):
        calendar_url = serializers.URLField()

        class Meta:
            ref_name = "CalendarUrl"

    @extend_schema(
        operation_id="me_calendar_token_reset",
        tags=["auth"],
        request=None,
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        calendar_token_reset(user=user)
        return Response(self.OutputSerializer({"calendar_url": calendar_url(request, user)}).data)
