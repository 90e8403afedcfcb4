"""Messaging pages (conversations, announcements, attachments); notifications come from
notification_urls.py."""

from django.urls import URLPattern, URLResolver, include, path

from parta.messaging import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("messages/", views.inbox, name="messaging-inbox"),
    path("messages/new/", views.conversation_new, name="messaging-new"),
    path("messages/announce/", views.announcement_new, name="messaging-announce"),
    path("messages/<int:conversation_id>/", views.conversation_detail, name="messaging-conversation"),
    path(
        "messages/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="messaging-attachment",
    ),
    path("", include("parta.messaging.notification_urls")),
]
