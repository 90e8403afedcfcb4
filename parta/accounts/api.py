"""API of the signed-in user's credentials: API tokens per device and the calendar feed secret.

Who the user is (``/api/v1/me``) needs their roles in schools, so it is answered by
the schools app's ``MeApi``: accounts sits below schools and does not read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.models import ApiToken, User
from parta.accounts.selectors import api_tokens_of, calendar_url
from parta.accounts.services import (
    DEVICE_MAX_LENGTH,
    api_token_revoke,
    auth_token_create,
    calendar_token_reset,
    password_change,
)
from parta.core.api import error_responses


def request_user(request: Request) -> User:
    """The signed-in user of a view that requires authentication."""
    user = request.user
    if not isinstance(user, User):
        # IsAuthenticated has already refused anonymous requests; this keeps the type honest.
        raise NotAuthenticated
    return user


# --- tokens --------------------------------------------------------------------------------


class AuthTokenApi(APIView):
    """A device's API token: POST signs in (a new token each time), DELETE signs the token in use out."""

    class InputSerializer(serializers.Serializer[Any]):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, style={"input_type": "password"}
        )
        device = serializers.CharField(max_length=DEVICE_MAX_LENGTH, required=False, allow_blank=True)

        class Meta:
            ref_name = "TokenCreate"

    class OutputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField()
        id = serializers.IntegerField()
        expires_at = serializers.DateTimeField()
        password_change_required = serializers.BooleanField(
            help_text=_(
                "The password was chosen by someone else (the enrolment slip's): the app asks for a new "
                "one (POST /api/v1/auth/password) before anything else."
            )
        )

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
        # Guessing passwords is limited by django-axes (parta.accounts.signin), not a throttle.
        return [AllowAny()] if self.signing_in else super().get_permissions()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        description=_(
            "Sign in with a username and password: a new token for this device, sent in every "
            "later request as `Authorization: Bearer <token>`. It is shown only now, and expires "
            "after a period without use. Too many failures from one address or for one login "
            "answer 429 with Retry-After."
        ),
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = auth_token_create(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
            device=serializer.validated_data.get("device", ""),
        )
        return Response(self.OutputSerializer(_token_answer(token, key)).data)

    @extend_schema(
        operation_id="auth_token_destroy",
        tags=["auth"],
        description=_("Sign out: the token in use stops working; the user's other devices stay signed in."),
        responses={204: OpenApiResponse(description=_("Signed out.")), **error_responses(401)},
    )
    def delete(self, request: Request) -> Response:
        user = request_user(request)
        if isinstance(request.auth, ApiToken):
            api_token_revoke(user=user, token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _token_answer(token: ApiToken, key: str) -> dict[str, Any]:
    user = token.user
    return {
        "token": key,
        "id": token.pk,
        "expires_at": token.expires_at,
        "password_change_required": user.must_change_password,
    }


class AuthPasswordApi(APIView):
    """The signed-in person changes their password."""

    class InputSerializer(serializers.Serializer[Any]):
        old_password = serializers.CharField(max_length=128, trim_whitespace=False)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)
        device = serializers.CharField(max_length=DEVICE_MAX_LENGTH, required=False, allow_blank=True)

        class Meta:
            ref_name = "PasswordChange"

    @extend_schema(
        operation_id="auth_password_change",
        tags=["auth"],
        description=_(
            "Change the password. Every device is signed out, as after a change on the web; the "
            "answer carries a new token for this one (the old token stops working)."
        ),
        request=InputSerializer,
        responses={200: AuthTokenApi.OutputSerializer, **error_responses(400, 401)},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        token, key = password_change(
            user=request_user(request),
            old_password=v["old_password"],
            new_password=v["new_password"],
            device=v.get("device", ""),
        )
        return Response(AuthTokenApi.OutputSerializer(_token_answer(token, key)).data)


class DeviceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    device = serializers.CharField()
    prefix = serializers.CharField(help_text=_("The token's first characters, to tell devices apart."))
    created = serializers.DateTimeField()
    last_used = serializers.DateTimeField(help_text=_("Recorded to within a few minutes."))
    expires_at = serializers.DateTimeField()
    current = serializers.BooleanField(help_text=_("The token of this request."))

    class Meta:
        ref_name = "Device"


class AuthTokenListApi(APIView):
    """The signed-in user's devices: one API token each."""

    @extend_schema(
        operation_id="auth_tokens_list",
        tags=["auth"],
        responses={200: DeviceSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        current = request.auth.pk if isinstance(request.auth, ApiToken) else None
        devices = [
            {**row, "current": row["id"] == current}
            for row in api_tokens_of(request_user(request), now=timezone.now())
        ]
        return Response(DeviceSerializer(devices, many=True).data)


class AuthTokenDetailApi(APIView):
    """One of the signed-in user's devices."""

    @extend_schema(
        operation_id="auth_tokens_destroy",
        tags=["auth"],
        description=_("Sign one device out: its token stops working. Another person's token is a 404."),
        responses={204: OpenApiResponse(description=_("Signed out.")), **error_responses(401, 404)},
    )
    def delete(self, request: Request, token_id: int) -> Response:
        api_token_revoke(user=request_user(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the calendar feed ------------------------------------------------------------------


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


# --- health ----------------------------------------------------------------------------------


class PingApi(APIView):
    """Who is signed in, and nothing else: a health check that goes through authentication (one
    token lookup) without touching any school data. The benchmark measures the framework's own
    cost with it."""

    class OutputSerializer(serializers.Serializer[Any]):
        user_id = serializers.IntegerField()

        class Meta:
            ref_name = "Ping"

    @extend_schema(
        operation_id="ping",
        tags=["auth"],
        description=_("The signed-in user's id: a health check of the API and its authentication."),
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response({"user_id": request_user(request).pk})
