"""Notifications in the HTTP API v1 (included by parta/messaging/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from parta.messaging import notification_api as api
from parta.messaging import push_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications", api.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all", api.NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path(
        "notifications/preferences",
        api.NotificationPreferencesApi.as_view(),
        name="api-notification-preferences",
    ),
    path(
        "notifications/push-subscriptions",
        push_api.PushSubscriptionListApi.as_view(),
        name="api-push-subscriptions",
    ),
    path(
        "notifications/push-subscriptions/<int:subscription_id>",
        push_api.PushSubscriptionDetailApi.as_view(),
        name="api-push-subscription",
    ),
    path(
        "notifications/<int:notification_id>/read",
        api.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
]
