"""Writes of conversations: start one, send a message, post a class announcement, mark as read.

Each service takes the acting user first, checks access itself (``parta.messaging.access``),
validates every rule and either writes everything or raises ``ValidationError`` with a field
dict and writes nothing. Every message sent emits the outbox event ``messaging.message``
{message_id, conversation_id, actor_id} in the same transaction; the notifications are made
from it (parta.messaging.handlers).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.core.errors import FieldErrors
from parta.core.files import content_matches, extension_of
from parta.messaging.access import (
    access_announce_class_group,
    access_participant,
    is_contact,
    shared_school,
    student_link_school,
)
from parta.messaging.models import Conversation, Message, MessageAttachment, Notification, Participant
from parta.outbox.services import emit
from parta.schools.access import roles_of
from parta.schools.models import Enrolment

# A file as the page's form or the API's parser hands it over.
if TYPE_CHECKING:
    Upload = UploadedFile[bytes]
else:
    Upload = UploadedFile

MAX_TOPIC = 200
MAX_BODY = 10_000
MAX_FILES = 10
MAX_FILE_NAME = 200
EVENT_KIND = "messaging.message"

# What may be attached, by extension; the content must match it (parta.core.files).
ALLOWED_TYPES = (
    "pdf", "png", "jpg", "jpeg", "gif", "webp", "docx", "xlsx", "pptx", "odt", "ods", "odp",
    "doc", "xls", "ppt", "rtf", "txt", "csv",
)  # fmt: skip


def _check_files(files: Sequence[Upload], errors: FieldErrors) -> None:
    if len(files) > MAX_FILES:
        errors.add("files", _("At most %(count)d files can be attached.") % {"count": MAX_FILES})
        return
    limit = settings.PARTA_MAX_UPLOAD_BYTES
    for upload in files:
        name = PurePath(upload.name or "").name
        extension = extension_of(name)
        if (upload.size or 0) > limit:
            errors.add(
                "files",
                _("%(name)s is too big: a file may be at most %(limit)d MB.")
                % {"name": name, "limit": max(1, limit // (1024 * 1024))},
            )
        elif extension not in ALLOWED_TYPES:
            errors.add(
                "files",
                _("%(name)s cannot be attached: send PDF, images, office documents or text files.")
                % {"name": name},
            )
        elif not content_matches(upload, extension):
            errors.add(
                "files",
                _("%(name)s is not the kind of file its name says it is.") % {"name": name},
            )


def _check_body(body: str, errors: FieldErrors) -> str:
    body = body.strip()
    if not body:
        errors.add("body", _("Write the message."))
    elif len(body) > MAX_BODY:
        errors.add("body", _("The message is too long: at most %(limit)d characters.") % {"limit": MAX_BODY})
    return body


def _check_topic(topic: str, errors: FieldErrors) -> str:
    topic = " ".join(topic.split())
    if not topic:
        errors.add("topic", _("Give the conversation a topic."))
    elif len(topic) > MAX_TOPIC:
        errors.add("topic", _("The topic is too long: at most %(limit)d characters.") % {"limit": MAX_TOPIC})
    return topic


def _store_attachments(message: Message, files: Iterable[Upload]) -> None:
    for upload in files:
        original = PurePath(upload.name or "file").name[-MAX_FILE_NAME:]
        # Stored under a random name: the original one is kept for the download only, and a file
        # name cannot be guessed even where the media directory were served by mistake.
        upload.name = f"{secrets.token_urlsafe(16)}.{extension_of(original)}"
        MessageAttachment.objects.create(message=message, file=upload, name=original, size=upload.size or 0)


def _write_message(actor: User, conversation: Conversation, body: str, files: Sequence[Upload]) -> Message:
    message = Message.objects.create(conversation=conversation, author=actor, body=body)
    _store_attachments(message, files)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation.last_message_at = message.created_at
    # The author has read what they wrote.
    Participant.objects.filter(conversation=conversation, user=actor).update(last_read_at=message.created_at)
    emit(
        EVENT_KIND,
        {"message_id": message.pk, "conversation_id": conversation.pk, "actor_id": actor.pk},
        school_id=conversation.school_id,
    )
    return message


@dataclass(frozen=True)
class _Target:
    recipient: User
    school_id: int


def _target(
    actor: User, recipient_id: int | None, student_id: int | None, errors: FieldErrors
) -> _Target | None:
    if roles_of(actor).is_student and not (roles_of(actor).staff_school_ids or roles_of(actor).child_ids):
        errors.add("recipient", _("Students cannot start conversations."))
        return None
    recipient = (
        User.objects.filter(pk=recipient_id, is_active=True).first() if recipient_id is not None else None
    )
    if recipient is None or not is_contact(actor, recipient.pk):
        errors.add("recipient", _("You cannot write to this person."))
        return None
    if student_id is not None:
        school_id = student_link_school(actor, recipient, student_id)
        if school_id is None:
            errors.add("student", _("Choose one of the children that links you with this person."))
            return None
        return _Target(recipient, school_id)
    school_id = shared_school(actor, recipient)
    if school_id is None:
        errors.add("recipient", _("You cannot write to this person."))
        return None
    return _Target(recipient, school_id)


@transaction.atomic
def conversation_start(
    actor: User,
    *,
    recipient_id: int | None,
    student_id: int | None = None,
    topic: str,
    body: str,
    files: Sequence[Upload] = (),
) -> Conversation:
    """A private conversation between the actor and one of their contacts, optionally about a
    child of one of them (the child never takes part in it), with its first message."""
    errors = FieldErrors()
    topic = _check_topic(topic, errors)
    body = _check_body(body, errors)
    _check_files(files, errors)
    target = _target(actor, recipient_id, student_id, errors)
    errors.raise_if_any()
    assert target is not None  # raise_if_any() has refused every path without one
    conversation = Conversation.objects.create(
        school_id=target.school_id,
        kind=Conversation.Kind.DIRECT,
        topic=topic,
        student_id=student_id,
        created_by=actor,
    )
    Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, user=actor, can_write=True),
            Participant(conversation=conversation, user=target.recipient, can_write=True),
        ]
    )
    _write_message(actor, conversation, body, files)
    return conversation


@transaction.atomic
def message_send(actor: User, conversation_id: int, *, body: str, files: Sequence[Upload] = ()) -> Message:
    """A message in a conversation the actor takes part in and may write to (404 if they do not
    take part; an announcement's families read it but cannot reply)."""
    participant = access_participant(actor, conversation_id)
    errors = FieldErrors()
    if not participant.can_write:
        errors.add(
            "body",
            _("Only its author writes in a class announcement; start a conversation to reply."),
        )
    body = _check_body(body, errors)
    _check_files(files, errors)
    errors.raise_if_any()
    # Lock the conversation: two messages sent at once keep their order in last_message_at.
    conversation = Conversation.objects.select_for_update().get(pk=participant.conversation_id)
    return _write_message(actor, conversation, body, files)


@transaction.atomic
def announcement_post(
    actor: User,
    *,
    class_group_id: int,
    topic: str,
    body: str,
    files: Sequence[Upload] = (),
) -> Conversation:
    """A class announcement by the class teacher (or an administrator of the school) to the
    families of the class group's students: they read it and cannot reply in it."""
    group = access_announce_class_group(actor, class_group_id)
    errors = FieldErrors()
    topic = _check_topic(topic, errors)
    body = _check_body(body, errors)
    _check_files(files, errors)
    guardian_ids = set(
        Guardianship.objects.filter(
            student_id__in=Enrolment.objects.filter(class_group_id=group.pk).values("student_id"),
            guardian__is_active=True,
        ).values_list("guardian_id", flat=True)
    ) - {actor.pk}
    if not guardian_ids:
        errors.add("class_group", _("No family of this class group can receive an announcement yet."))
    errors.raise_if_any()
    conversation = Conversation.objects.create(
        school_id=group.school_id,
        kind=Conversation.Kind.ANNOUNCEMENT,
        topic=topic,
        class_group=group,
        created_by=actor,
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, user=actor, can_write=True)]
        + [
            Participant(conversation=conversation, user_id=guardian_id, can_write=False)
            for guardian_id in sorted(guardian_ids)
        ]
    )
    _write_message(actor, conversation, body, files)
    return conversation


def conversation_read(actor: Any, conversation_id: int) -> None:
    """The actor has read the conversation up to now (404 if they do not take part in it), and so
    the notifications of its messages: the bell no longer counts what the person has read."""
    from parta.messaging.handlers import ANNOUNCEMENT, MESSAGE

    participant = access_participant(actor, conversation_id)
    now = timezone.now()
    Participant.objects.filter(pk=participant.pk).update(last_read_at=now)
    Notification.objects.filter(
        recipient_id=participant.user_id,
        read_at__isnull=True,
        kind__in=[MESSAGE, ANNOUNCEMENT],
        payload__conversation_id=conversation_id,
    ).update(read_at=now)
