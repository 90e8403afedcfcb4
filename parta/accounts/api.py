"""API of the signed-in user's credentials: the API token and the calendar feed secret.

Who the user is (``/api/v1/me``) needs their roles in schools, so it is answered by
``parta.schools.api.MeApi``: accounts sits below schools and does not read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from parta.accounts.models import User
from parta.accounts.selectors import calendar_url
from parta.accounts.services import auth_token_create, auth_token_delete, calendar_token_reset
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

    # Guessing passwords is throttled: the "auth" rate of REST_FRAMEWORK per client address.
    throttle_scope = "auth"

    def get_throttles(self) -> list[BaseThrottle]:
        return [ScopedRateThrottle()] if self.signing_in else super().get_throttles()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        description=_(
            "Sign in with a username and password. The token goes into every later request as "
            "`Authorization: Bearer <token>`; a user has one token, shared by their clients."
        ),
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 429)},
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
