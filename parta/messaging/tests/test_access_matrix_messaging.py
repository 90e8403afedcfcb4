"""Messaging and notification pages asked by every actor of the ``world``: a conversation, its
attachment and a notification are their owners' only; the wrong parent, the wrong teacher and
another school's people get 404. The API's matrix is test_conversations_api.py::test_the_404_matrix."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from parta.messaging.models import Conversation, MessageAttachment, Notification
from parta.testing.world import World

pytestmark = pytest.mark.django_db

EVERYONE = [
    "a.admin", "a.class_teacher", "a.subject_teacher", "a.parent", "a.student", "a.sibling",
    "a.classmate", "a.classmate_parent",
    "b.admin", "b.class_teacher", "b.subject_teacher", "b.parent", "b.student", "b.sibling",
    "outsider", "methodologist",
]  # fmt: skip
# A parent ↔ subject teacher conversation about a.student: only those two.
DIRECT_OWNERS = {"a.parent", "a.subject_teacher"}


@pytest.mark.parametrize("who", EVERYONE)
def test_conversation_attachment_and_notification_pages(
    world: World, start: Callable[..., Conversation], who: str
) -> None:
    conversation = start(files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 data")])
    attachment = MessageAttachment.objects.get(message__conversation=conversation)
    note = Notification.objects.create(recipient=world.a.parent, kind="message", payload={}, event_id=1)
    user = attrgetter(who)(world)
    client = Client()
    client.force_login(user)
    expect = 200 if who in DIRECT_OWNERS else 404
    assert client.get(f"/messages/{conversation.pk}/").status_code == expect
    assert client.get(f"/messages/attachments/{attachment.pk}/").status_code == expect
    assert client.post(f"/notifications/{note.pk}/read/").status_code == (302 if who == "a.parent" else 404)
    note.refresh_from_db()
    assert (note.read_at is not None) == (who == "a.parent")
    if who != "a.parent":
        api = APIClient()
        api.force_authenticate(user)
        assert api.post(f"/api/v1/notifications/{note.pk}/read").status_code == 404
