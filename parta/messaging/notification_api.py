"""Notifications in the HTTP API: the list, marking read, and the channel preferences.

Only one's own notifications exist here: another person's answers 404.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import FormListSerializer, ListApi, error_responses
from parta.messaging import notifications as n
from parta.messaging import push
from parta.messaging.kinds import registered_kinds

# The apps register the kinds, and new apps add more: a client meets kinds it does not know.
_KIND_HELP = format_lazy(
    _(
        "The kind of notification, one of those GET /api/v1/notifications/preferences lists; "
        "new kinds come with new apps. Now: {kinds}."
    ),
    kinds=lazy(lambda: ", ".join(kind.code for kind in registered_kinds()), str)(),
)


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_KIND_HELP)
    text = serializers.CharField(help_text=_("Rendered in the language of the request."))
    link = serializers.CharField(help_text=_("A page of the site it leads to; may be empty."))
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    is_read = serializers.BooleanField()

    class Meta:
        ref_name = "Notification"


def _data(row: n.NotificationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "text": row.text,
        "link": row.link,
        "created_at": row.created_at,
        "read_at": row.read_at,
        "is_read": row.is_read,
    }


class NotificationListApi(ListApi):
    """The signed-in user's notifications, unread first, then newest first."""

    class FilterSerializer(serializers.Serializer[Any]):
        unread = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="notifications_list",
        tags=["notifications"],
        parameters=[
            OpenApiParameter("unread", bool, description=str(_("Only the unread ones."))),
        ],
        responses={200: NotificationSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = request_user(request)
        rows = self.paginate(n.notifications_of(user, unread_only=filters.validated_data["unread"]))
        data = [_data(n.row_of(notification)) for notification in rows]
        return self.paginated_response(NotificationSerializer(data, many=True).data)


class NotificationReadApi(APIView):
    @extend_schema(
        operation_id="notifications_read",
        tags=["notifications"],
        request=None,
        responses={200: NotificationSerializer, **error_responses(401, 404)},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = n.mark_read(request_user(request), notification_id)
        return Response(NotificationSerializer(_data(n.row_of(notification))).data)


class NotificationReadAllApi(APIView):
    class OutputSerializer(serializers.Serializer[Any]):
        marked = serializers.IntegerField(help_text=_("How many were unread."))

        class Meta:
            ref_name = "NotificationsReadAll"

    @extend_schema(
        operation_id="notifications_read_all",
        tags=["notifications"],
        request=None,
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": n.mark_all_read(request_user(request))})


class KindChoiceSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text=_KIND_HELP)
    name = serializers.CharField(read_only=True, help_text=_("The kind, in the language of the request."))
    email = serializers.BooleanField()
    push = serializers.BooleanField(help_text=_("Pushed to each of the person's devices."))
    defaults = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The channels this kind goes by, besides in-app, while you have chosen nothing for it."),
    )

    class Meta:
        ref_name = "NotificationKindChoice"


class PreferencesSerializer(serializers.Serializer[Any]):
    kinds = KindChoiceSerializer(many=True)
    push_public_key = serializers.CharField(
        read_only=True,
        help_text=_(
            "The server's VAPID public key (base64url), the applicationServerKey a device subscribes "
            "with; empty when push is not set up."
        ),
    )
    has_email = serializers.BooleanField(read_only=True)

    class Meta:
        ref_name = "NotificationPreferences"


class PreferencesInputSerializer(serializers.Serializer[Any]):
    class ChoiceSerializer(serializers.Serializer[Any]):
        kind = serializers.CharField()
        email = serializers.BooleanField()
        push = serializers.BooleanField()

        class Meta:
            ref_name = "NotificationKindChoiceInput"
            list_serializer_class = FormListSerializer

    kinds = ChoiceSerializer(many=True, required=False)

    class Meta:
        ref_name = "NotificationPreferencesInput"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # An unknown or misspelt field ("offset") was ignored while the rest of the change applied.
        # Form keys of a list ("kinds[0]kind") count as their list.
        unknown = sorted({key.split("[", 1)[0] for key in self.initial_data} - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: [_("Unknown field.")] for key in unknown})
        return attrs


def _preferences(preferences: n.Preferences) -> dict[str, Any]:
    return {
        "kinds": [
            {
                "kind": c.kind,
                "name": c.label,
                "email": c.email,
                "push": c.push,
                "defaults": sorted(c.defaults),
            }
            for c in preferences.kinds
        ],
        "push_public_key": push.public_key(),
        "has_email": preferences.has_email,
    }


class NotificationPreferencesApi(APIView):
    """Which kinds also go out by e-mail or push (in-app is always on), and the key to subscribe
    a device for push with (``/notifications/push-subscriptions``)."""

    @extend_schema(
        operation_id="notifications_preferences",
        tags=["notifications"],
        responses={200: PreferencesSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(PreferencesSerializer(_preferences(n.preferences_of(request_user(request)))).data)

    @extend_schema(
        operation_id="notifications_preferences_update",
        tags=["notifications"],
        request=PreferencesInputSerializer,
        responses={200: PreferencesSerializer, **error_responses(400, 401)},
    )
    def put(self, request: Request) -> Response:
        body = PreferencesInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        choices = {c["kind"]: (c["email"], c["push"]) for c in body.validated_data.get("kinds", [])}
        preferences = n.set_preferences(request_user(request), choices)
        return Response(PreferencesSerializer(_preferences(preferences)).data)
