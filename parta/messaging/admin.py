"""The back office for conversations and notifications: for looking into a delivery problem and
removing what must not stay. Conversations are private: nothing here is for reading them as a
matter of course, so the lists show who and when, not what was written."""

from typing import Any

from django.contrib import admin

from parta.messaging.models import (
    Conversation,
    Delivery,
    Message,
    MessageAttachment,
    Notification,
    Participant,
    PushSubscription,
)


class ParticipantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Participant
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "can_write", "last_read_at"]
    readonly_fields = ["last_read_at"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "kind", "school", "class_group", "created_by", "created_at", "last_message_at"]
    list_filter = ["kind", "school"]
    raw_id_fields = ["created_by", "student", "class_group"]
    readonly_fields = ["created_at", "last_message_at"]
    inlines = [ParticipantInline]


class AttachmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = MessageAttachment
    extra = 0
    fields = ["name", "size"]
    readonly_fields = ["name", "size"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "conversation", "author", "created_at"]
    raw_id_fields = ["conversation", "author"]
    readonly_fields = ["created_at"]
    inlines = [AttachmentInline]


class DeliveryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "last_error", "sent_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "event_id"]
    inlines = [DeliveryInline]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Which devices get push and whether pushes reach them; an address is only ever added by its
    person's browser (``parta.messaging.push``, which checks it), so nothing is editable here."""

    list_display = ["id", "user", "label", "created_at", "last_success_at", "failures"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "user",
        "endpoint",
        "p256dh",
        "auth",
        "label",
        "user_agent",
        "created_at",
        "last_success_at",
        "failures",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False
