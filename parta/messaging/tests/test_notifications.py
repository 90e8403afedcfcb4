"""Notifications in messaging: a message tells the other participants; preferences; reading
one's own only. (Each app's kinds are tested with the app that registers them.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from parta.messaging import notifications as n
from parta.messaging.kinds import registered_kinds
from parta.messaging.models import Conversation, Notification, Participant
from parta.testing.notifications import deliver, recipients
from parta.testing.world import World


def test_message_tells_the_other_participants(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from parta.messaging.models import Message

    a = world.a
    conversation = Conversation.objects.create(
        school=a.school, topic="Trip", student=a.student, created_by=a.class_teacher
    )
    for user in (a.class_teacher, a.parent):
        Participant.objects.create(conversation=conversation, user=user)
    message = Message.objects.create(conversation=conversation, author=a.class_teacher, body="Hello")
    event = deliver(
        "messaging.message",
        {
            "message_id": message.pk,
            "conversation_id": conversation.pk,
            "actor_id": a.class_teacher.pk,
        },
        a.school.pk,
        django_capture_on_commit_callbacks,
    )
    assert recipients(event) == {a.parent.pk}  # never the child, never the author
    note = Notification.objects.get(event_id=event.pk)
    assert n.row_of(note).text == f"New message from {a.class_teacher.short_name}: Trip"
    assert n.row_of(note).link == f"/messages/{conversation.pk}/"


@pytest.mark.parametrize(
    ("name", "genitive"),
    [
        (("Ермакова", "Ксения", "Викторовна"), "Ермаковой К. В."),
        (("Петров", "Иван", "Сергеевич"), "Петрова И. С."),
        (("Ким", "Ли", ""), "Ким Л."),  # the rules cannot tell a gender: left as it is
    ],
)
@pytest.mark.parametrize("announce", [False, True])
def test_a_message_names_its_author_declined_in_russian(
    world: World,
    django_capture_on_commit_callbacks: Any,
    name: tuple[str, str, str],
    genitive: str,
    announce: bool,
) -> None:
    from parta.messaging.models import Message

    english, russian = (
        ("Announcement from", "Объявление от") if announce else ("New message from", "Новое сообщение от")
    )
    a = world.a
    teacher = a.class_teacher
    teacher.last_name, teacher.first_name, teacher.middle_name = name
    teacher.save(update_fields=["last_name", "first_name", "middle_name"])
    kind = Conversation.Kind.ANNOUNCEMENT if announce else Conversation.Kind.DIRECT
    conversation = Conversation.objects.create(school=a.school, kind=kind, topic="Trip", created_by=teacher)
    for user in (teacher, a.parent):
        Participant.objects.create(conversation=conversation, user=user)
    message = Message.objects.create(conversation=conversation, author=teacher, body="Hello")
    payload = {"message_id": message.pk, "conversation_id": conversation.pk, "actor_id": teacher.pk}
    event = deliver("messaging.message", payload, a.school.pk, django_capture_on_commit_callbacks)
    note = Notification.objects.get(event_id=event.pk)
    assert note.kind == ("announcement" if announce else "message")
    assert n.row_of(note).text == f"{english} {teacher.short_name}: Trip"  # English as it was
    with translation.override("ru"):
        assert n.row_of(note).text == f"{russian} {genitive}: Trip"
        # A notification stored before the name's parts were kept shows the name as written.
        del note.payload["author_parts"]
        assert n.row_of(note).text == f"{russian} {teacher.short_name}: Trip"


def test_a_kind_no_app_registers_reads_as_a_neutral_text(world: World) -> None:
    note = Notification.objects.create(recipient=world.a.parent, kind="retired.kind", payload={"x": 1})
    row = n.row_of(note)
    assert (row.text, row.link) == ("You have a notification.", "/notifications/")
    with translation.override("ru"):
        assert n.row_of(note).text == "У вас есть уведомление."


# --- preferences and e-mail ----------------------------------------------------------------


def test_preferences_list_the_registered_kinds_in_app_only_by_default(world: World) -> None:
    preferences = n.preferences_of(world.a.parent)
    kinds = [c.kind for c in preferences.kinds]
    assert kinds == [kind.code for kind in registered_kinds()]
    assert kinds[-2:] == ["message", "announcement"]  # messaging's own, registered last
    # In the app only, but for a kind whose app gave it default channels.
    assert not any(c.email or c.push for c in preferences.kinds if not c.defaults)


def test_set_preferences_changes_only_the_kinds_given(world: World) -> None:
    parent = world.a.parent
    n.set_preferences(parent, {"announcement": (False, True)})
    same = n.set_preferences(parent, {"message": (False, True)})
    # (Kinds with default channels show them while nothing is chosen: left out here.)
    assert {c.kind for c in same.kinds if c.push and not c.defaults} == {"announcement", "message"}
    off = n.set_preferences(parent, {"message": (False, False)})
    assert {c.kind for c in off.kinds if c.push and not c.defaults} == {"announcement"}


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"message": (True, False)}, "kinds"),  # the parent has no e-mail address
        ({"grades": (False, False)}, "kinds"),
        ({"message": (False, True), "grades": (False, True)}, "kinds"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(
    world: World, choices: dict[str, tuple[bool, bool]], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        n.set_preferences(world.a.parent, choices)
    assert field in error.value.message_dict
    assert not world.a.parent.notification_preferences.exists()


def test_unread_count_is_one_query(world: World, django_assert_num_queries: Any) -> None:
    for _ in range(3):
        Notification.objects.create(recipient=world.a.parent, kind="message", payload={})
    Notification.objects.create(recipient=world.b.parent, kind="message", payload={})
    with django_assert_num_queries(1):
        assert n.unread_count(world.a.parent) == 3


def test_mark_read_is_yours_only(world: World) -> None:
    from django.http import Http404

    note = Notification.objects.create(recipient=world.a.parent, kind="message", payload={})
    with pytest.raises(Http404):
        n.mark_read(world.b.parent, note.pk)
    with pytest.raises(Http404):
        n.mark_read(world.a.student, note.pk)
    assert n.mark_read(world.a.parent, note.pk).read_at is not None
    assert n.mark_all_read(world.a.parent) == 0
