"""HTTP API of conversations: the inbox, a conversation with its messages, writing, marking as
read, the contacts one may write to, class announcements and attachment downloads.

Thin: every read goes through selectors.py and every write through services.py, both of which
check access (a conversation one does not take part in answers 404). Files are sent as
multipart/form-data under the name ``files`` (repeat it for several).
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.api import request_user
from parta.core.api import IdField, ListApi, Pagination, PersonRefSerializer, error_responses
from parta.core.idempotency import IdempotentApi
from parta.core.parsers import JSONParser
from parta.messaging import selectors, services
from parta.messaging.access import access_attachment
from parta.messaging.models import Conversation
from parta.messaging.selectors import ConversationPage, InboxRow, MessageRow, PersonRef
from parta.messaging.views import attachment_response

PARSERS = [MultiPartParser, FormParser, JSONParser]


def _person(person: PersonRef | None) -> dict[str, Any] | None:
    return {"id": person.id, "short_name": person.name} if person else None


def _files(request: Request) -> list[Any]:
    return list(request.FILES.getlist("files")) if request.FILES else []


# --- serializers ---------------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text=_("Where to download it (with the same credentials)."))

    class Meta:
        ref_name = "MessageAttachment"


class MessageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    author = PersonRefSerializer()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_mine = serializers.BooleanField()
    is_unread = serializers.BooleanField()
    attachments = AttachmentSerializer(many=True)

    class Meta:
        ref_name = "Message"


class ConversationListItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    topic = serializers.CharField()
    title = serializers.CharField(help_text=_("Who it is with: the other people, or the class group."))
    class_group = serializers.CharField(allow_null=True)
    student = PersonRefSerializer(allow_null=True, help_text=_("The child it is about, if any."))
    others = PersonRefSerializer(many=True)
    last_message_at = serializers.DateTimeField(allow_null=True)
    preview = serializers.CharField()
    last_author_id = serializers.IntegerField(allow_null=True)
    unread = serializers.IntegerField()
    can_write = serializers.BooleanField()

    class Meta:
        ref_name = "ConversationListItem"


class ConversationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    topic = serializers.CharField()
    class_group = serializers.CharField(allow_null=True)
    student = PersonRefSerializer(allow_null=True)
    can_write = serializers.BooleanField()
    participants = PersonRefSerializer(many=True)
    participant_count = serializers.IntegerField()
    messages = MessageSerializer(many=True)
    has_older = serializers.BooleanField()

    class Meta:
        ref_name = "Conversation"


def _attachment_url(attachment_id: int) -> str:
    return reverse("api-message-attachment", args=[attachment_id])


def message_data(row: MessageRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "author": _person(row.author),
        "body": row.body,
        "created_at": row.created_at,
        "is_mine": row.is_mine,
        "is_unread": row.is_unread,
        "attachments": [
            {"id": a.id, "name": a.name, "size": a.size, "url": _attachment_url(a.id)}
            for a in row.attachments
        ],
    }


def conversation_data(page: ConversationPage) -> dict[str, Any]:
    return {
        "id": page.id,
        "kind": page.kind,
        "topic": page.topic,
        "class_group": page.class_group,
        "student": _person(page.student),
        "can_write": page.can_write,
        "participants": [_person(p) for p in page.participants],
        "participant_count": page.participant_count,
        "messages": [message_data(m) for m in page.messages],
        "has_older": page.has_older,
    }


def inbox_row_data(row: InboxRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "topic": row.topic,
        "title": row.title,
        "class_group": row.class_group,
        "student": _person(row.student),
        "others": [_person(p) for p in row.others],
        "last_message_at": row.last_message_at,
        "preview": row.preview,
        "last_author_id": row.last_author_id,
        "unread": row.unread,
        "can_write": row.can_write,
    }


# --- conversations -------------------------------------------------------------------------


class ConversationListApi(IdempotentApi, ListApi):
    """The user's conversations, latest first (GET); a new conversation with its first message (POST)."""

    parser_classes = PARSERS

    class InputSerializer(serializers.Serializer[Any]):
        recipient_id = IdField(help_text=_("One of the people from /contacts."))
        student_id = IdField(
            required=False, allow_null=True, help_text=_("The child it is about (optional).")
        )
        topic = serializers.CharField(allow_blank=True, trim_whitespace=False)
        body = serializers.CharField(allow_blank=True, trim_whitespace=False)
        files = serializers.ListField(
            child=serializers.FileField(), required=False, help_text=_("Attachments (multipart).")
        )

        class Meta:
            ref_name = "ConversationCreate"

    class FilterSerializer(serializers.Serializer[Any]):
        unread = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="conversations_list",
        tags=["messages"],
        parameters=[FilterSerializer],
        responses={200: ConversationListItemSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = self.paginator = Pagination()
        limit = paginator.get_limit(request) or 100
        offset = paginator.get_offset(request)
        total, rows = selectors.inbox(
            request.user, limit=limit, offset=offset, unread_only=filters.validated_data["unread"]
        )
        paginator.count, paginator.limit, paginator.offset, paginator.request = total, limit, offset, request
        data = ConversationListItemSerializer([inbox_row_data(row) for row in rows], many=True).data
        return self.paginated_response(data)

    @extend_schema(
        operation_id="conversations_create",
        tags=["messages"],
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: ConversationSerializer, **error_responses(400, 401)},
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_start(
            user,
            recipient_id=data.validated_data["recipient_id"],
            student_id=data.validated_data.get("student_id"),
            topic=data.validated_data["topic"],
            body=data.validated_data["body"],
            files=_files(request),
        )
        page = selectors.conversation_page(user, conversation.pk)
        return Response(ConversationSerializer(conversation_data(page)).data, status=status.HTTP_201_CREATED)


class ConversationDetailApi(APIView):
    @extend_schema(
        operation_id="conversations_retrieve",
        tags=["messages"],
        responses={200: ConversationSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        page = selectors.conversation_page(request.user, conversation_id)
        return Response(ConversationSerializer(conversation_data(page)).data)


class MessageCreateApi(IdempotentApi):
    parser_classes = PARSERS

    class InputSerializer(serializers.Serializer[Any]):
        body = serializers.CharField(allow_blank=True, trim_whitespace=False)
        files = serializers.ListField(
            child=serializers.FileField(), required=False, help_text=_("Attachments (multipart).")
        )

        class Meta:
            ref_name = "MessageCreate"

    @extend_schema(
        operation_id="conversations_messages_create",
        tags=["messages"],
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: MessageSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        user = request_user(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_send(
            user, conversation_id, body=data.validated_data["body"], files=_files(request)
        )
        page = selectors.conversation_page(user, conversation_id)
        row = next(m for m in page.messages if m.id == message.pk)
        return Response(MessageSerializer(message_data(row)).data, status=status.HTTP_201_CREATED)


class ConversationReadApi(APIView):
    @extend_schema(
        operation_id="conversations_read",
        tags=["messages"],
        request=None,
        responses={204: OpenApiResponse(description=_("Marked as read.")), **error_responses(401, 404)},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        services.conversation_read(request.user, conversation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnreadCountApi(APIView):
    class OutputSerializer(serializers.Serializer[Any]):
        unread = serializers.IntegerField()

        class Meta:
            ref_name = "UnreadCount"

    @extend_schema(
        operation_id="conversations_unread",
        tags=["messages"],
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_total(request.user)})


# --- contacts and announcements ------------------------------------------------------------


class ContactListApi(APIView):
    """Whom the user may write to, grouped (the teachers of each child, the families of each class…)."""

    class OutputSerializer(serializers.Serializer[Any]):
        class ContactSerializer(serializers.Serializer[Any]):
            id = serializers.IntegerField()
            short_name = serializers.CharField()
            note = serializers.CharField()
            student = PersonRefSerializer(allow_null=True, help_text=_("The child who links you, if any."))

            class Meta:
                ref_name = "Contact"

        title = serializers.CharField()
        contacts = ContactSerializer(many=True)

        class Meta:
            ref_name = "ContactGroup"

    @extend_schema(
        operation_id="contacts_list",
        tags=["messages"],
        responses={200: OutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        data = [
            {
                "title": group.title,
                "contacts": [
                    {"id": c.id, "short_name": c.name, "note": c.note, "student": _person(c.student)}
                    for c in group.contacts
                ],
            }
            for group in selectors.contact_groups(request.user)
        ]
        return Response(self.OutputSerializer(data, many=True).data)


class AnnouncementCreateApi(IdempotentApi):
    parser_classes = PARSERS

    class InputSerializer(serializers.Serializer[Any]):
        topic = serializers.CharField(allow_blank=True, trim_whitespace=False)
        body = serializers.CharField(allow_blank=True, trim_whitespace=False)
        files = serializers.ListField(
            child=serializers.FileField(), required=False, help_text=_("Attachments (multipart).")
        )

        class Meta:
            ref_name = "AnnouncementCreate"

    @extend_schema(
        operation_id="class_groups_announcements_create",
        tags=["messages"],
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: ConversationSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, class_group_id: int) -> Response:
        user = request_user(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.announcement_post(
            user,
            class_group_id=class_group_id,
            topic=data.validated_data["topic"],
            body=data.validated_data["body"],
            files=_files(request),
        )
        page = selectors.conversation_page(user, conversation.pk)
        return Response(ConversationSerializer(conversation_data(page)).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadApi(APIView):
    @extend_schema(
        operation_id="message_attachments_retrieve",
        tags=["messages"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **error_responses(401, 404)},
    )
    def get(self, request: Request, attachment_id: int) -> FileResponse:
        return attachment_response(access_attachment(request.user, attachment_id))
