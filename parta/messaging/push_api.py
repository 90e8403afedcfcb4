"""The person's push devices in the HTTP API: list, add (what ``PushManager.subscribe()`` gives),
rename, remove. Another person's device answers 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import ListApi, error_responses
from parta.messaging import push


class DeviceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text=_("A name for the device; from its browser unless renamed."))
    user_agent = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_success_at = serializers.DateTimeField(allow_null=True, help_text=_("When a push last reached it."))
    failures = serializers.IntegerField(help_text=_("Failed pushes since the last one that reached it."))

    class Meta:
        ref_name = "PushSubscription"


def _data(device: push.Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "name": device.label,
        "user_agent": device.user_agent,
        "created_at": device.created_at,
        "last_success_at": device.last_success_at,
        "failures": device.failures,
    }


class PushSubscriptionListApi(ListApi):
    """The signed-in person's push devices, oldest first; POST adds the device a browser subscribed."""

    class InputSerializer(serializers.Serializer[Any]):
        class KeysSerializer(serializers.Serializer[Any]):
            p256dh = serializers.CharField(max_length=100)
            auth = serializers.CharField(max_length=50)

            class Meta:
                ref_name = "PushSubscriptionKeys"

        endpoint = serializers.CharField(max_length=1000, help_text=_("The push service's https address."))
        keys = KeysSerializer()
        expirationTime = serializers.IntegerField(
            required=False, allow_null=True, help_text=_("Given by browsers; not used.")
        )
        name = serializers.CharField(required=False, allow_blank=True, max_length=100)

        class Meta:
            ref_name = "PushSubscriptionInput"

    @extend_schema(
        operation_id="push_subscriptions_list",
        tags=["notifications"],
        responses={200: DeviceSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        rows = self.paginate(push.devices_of(request_user(request)))
        return self.paginated_response(DeviceSerializer([_data(row) for row in rows], many=True).data)

    @extend_schema(
        operation_id="push_subscriptions_create",
        tags=["notifications"],
        request=InputSerializer,
        responses={
            201: DeviceSerializer,
            200: OpenApiResponse(DeviceSerializer, description=_("The device was already there.")),
            **error_responses(400, 401),
        },
    )
    def post(self, request: Request) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row, created = push.push_subscribe(
            user=request_user(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            label=data.get("name", ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(
            DeviceSerializer(_data(push.device_of(row))).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PushSubscriptionDetailApi(APIView):
    class RenameSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=100)

        class Meta:
            ref_name = "PushSubscriptionRename"

    @extend_schema(
        operation_id="push_subscriptions_rename",
        tags=["notifications"],
        request=RenameSerializer,
        responses={200: DeviceSerializer, **error_responses(400, 401, 404)},
    )
    def patch(self, request: Request, subscription_id: int) -> Response:
        body = self.RenameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = push.push_rename(
            user=request_user(request), subscription_id=subscription_id, label=body.validated_data["name"]
        )
        return Response(DeviceSerializer(_data(push.device_of(row))).data)

    @extend_schema(
        operation_id="push_subscriptions_delete",
        tags=["notifications"],
        request=None,
        responses={204: OpenApiResponse(description=_("Removed.")), **error_responses(401, 404)},
    )
    def delete(self, request: Request, subscription_id: int) -> Response:
        push.push_unsubscribe(user=request_user(request), subscription_id=subscription_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
