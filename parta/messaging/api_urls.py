"""This app's part of the HTTP API v1 (included by parta/api_urls.py)."""

from django.urls import URLPattern, URLResolver, include, path

from parta.messaging.api import (
    AnnouncementCreateApi,
    AttachmentDownloadApi,
    ContactListApi,
    ConversationDetailApi,
    ConversationListApi,
    ConversationReadApi,
    MessageCreateApi,
    UnreadCountApi,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("conversations", ConversationListApi.as_view(), name="api-conversations"),
    path("conversations/unread", UnreadCountApi.as_view(), name="api-conversations-unread"),
    path("conversations/<int:conversation_id>", ConversationDetailApi.as_view(), name="api-conversation"),
    path(
        "conversations/<int:conversation_id>/messages",
        MessageCreateApi.as_view(),
        name="api-conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/read",
        ConversationReadApi.as_view(),
        name="api-conversation-read",
    ),
    path("contacts", ContactListApi.as_view(), name="api-contacts"),
    path(
        "class-groups/<int:class_group_id>/announcements",
        AnnouncementCreateApi.as_view(),
        name="api-class-group-announcements",
    ),
    path(
        "message-attachments/<int:attachment_id>",
        AttachmentDownloadApi.as_view(),
        name="api-message-attachment",
    ),
    path("", include("parta.messaging.notification_api_urls")),
]
