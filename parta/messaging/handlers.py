"""Messaging's own notification kinds (a new message, a class announcement) and the outbox handler
that makes them. Registered when the messaging app is ready (``MessagingConfig.ready``), the same
way every other app registers its kinds (``parta.messaging.kinds``).

``messaging.message`` tells the conversation's other participants, never the author. The payload
keeps the author's name (declined in Russian: «от Ермаковой К. В.») and the topic, so that reading
a list is one query.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pytrovich.enums import Case

from parta.accounts.selectors import names_of
from parta.messaging.kinds import Payload, person, person_fields, register_kind
from parta.messaging.models import Conversation, Message, Participant
from parta.messaging.notifications import Notice, notify_each
from parta.outbox.handlers import payload_id, register
from parta.outbox.models import OutboxEvent

MESSAGE = "message"
ANNOUNCEMENT = "announcement"


def _values(p: Payload) -> dict[str, str]:
    return {"author": person(p, "author", Case.GENITIVE), "topic": str(p.get("topic") or "")}


def _message_text(p: Payload) -> str:
    # Translators: %(author)s is in the genitive case («от Ермаковой К. В.»).
    return _("New message from %(author)s: %(topic)s") % _values(p)


def _announcement_text(p: Payload) -> str:
    # Translators: %(author)s is in the genitive case («от Ермаковой К. В.»).
    return _("Announcement from %(author)s: %(topic)s") % _values(p)


def _conversation_link(p: Payload) -> str:
    conversation_id = payload_id(p.get("conversation_id"))
    if conversation_id is None:
        return reverse("messaging-inbox")
    return reverse("messaging-conversation", args=[conversation_id])


def register_kinds() -> None:
    register_kind(MESSAGE, label=gettext_lazy("message"), render=_message_text, link=_conversation_link)
    register_kind(
        ANNOUNCEMENT, label=gettext_lazy("announcement"), render=_announcement_text, link=_conversation_link
    )


def _message(event: OutboxEvent) -> Notice | None:
    p = event.payload
    conversation_id, message_id = payload_id(p.get("conversation_id")), payload_id(p.get("message_id"))
    conversation = Conversation.objects.filter(pk=conversation_id).first() if conversation_id else None
    if conversation is None:
        return None
    message = Message.objects.filter(pk=message_id).values("author_id").first() if message_id else None
    author_id = message["author_id"] if message else payload_id(p.get("actor_id"))
    participants = set(
        Participant.objects.filter(conversation_id=conversation.pk).values_list("user_id", flat=True)
    )
    author = names_of({author_id}).get(author_id) if author_id else None
    return Notice(
        recipient_ids=participants,
        kind=ANNOUNCEMENT if conversation.kind == Conversation.Kind.ANNOUNCEMENT else MESSAGE,
        payload={**p, **person_fields("author", author), "topic": conversation.topic},
        school_id=event.school_id or conversation.school_id,
        event_id=event.pk,
        actor_id=author_id,
    )


notify_message = register("messaging.message")(notify_each(_message))
