"""Notification pages (included by parta/messaging/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from parta.messaging import notification_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/settings/", views.notification_preferences, name="notification-preferences"),
    path(
        "notifications/devices/<int:subscription_id>/remove/",
        views.push_device_remove,
        name="push-device-remove",
    ),
    path("sw.js", views.service_worker, name="service-worker"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification-read"),
]
