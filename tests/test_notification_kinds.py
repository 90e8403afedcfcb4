"""A new app plugs its notifications in without editing messaging: it registers a kind (text in
both languages, link, default channels, whom it is about) and an outbox handler, as the library,
tests, passage and meals apps will. This module plays such an app."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient

from parta.accounts.selectors import guardians_of
from parta.messaging import notifications as n
from parta.messaging.kinds import Payload, about_student, bilingual, register_kind, unregister_kind
from parta.messaging.models import Delivery, Notification, NotificationPreference
from parta.outbox import handlers
from parta.outbox.models import OutboxEvent
from parta.testing.notifications import deliver, recipients
from parta.testing.world import World

KIND = "passage.entry"
EVENT = "passage.entered"


def render_entry(p: Payload) -> str:
    # A real app would use gettext; the payload's two languages show the same thing.
    return bilingual({"ru": f"Вход в {p['time']}", "en": f"Entered at {p['time']}"})


def entry_link(p: Payload) -> str:
    return f"/passage/{p['student_id']}/"


def notify_entries(events: Sequence[OutboxEvent]) -> None:
    """The student's guardians are told of the student's entry."""
    students = {event.payload["student_id"] for event in events}
    guardians = guardians_of(students)
    n.notify(
        [
            n.Notice(
                guardians[event.payload["student_id"]],
                KIND,
                {**event.payload, "student_name": "Petrov I."},
                event.school_id,
                event.pk,
            )
            for event in events
        ]
    )


def register_entry() -> None:
    register_kind(
        KIND,
        label=gettext_lazy("entry"),
        render=render_entry,
        link=entry_link,
        channels=frozenset({"email"}),
        about=about_student,
    )


@pytest.fixture
def passage() -> Iterator[None]:
    register_entry()
    handlers.register(EVENT)(notify_entries)
    yield
    handlers.unregister(EVENT, notify_entries)
    unregister_kind(KIND)


def entered(world: World, capture: Any) -> OutboxEvent:
    payload = {"student_id": world.a.student.pk, "time": "08:12"}
    return deliver(EVENT, payload, world.a.school.pk, capture)


def test_a_registered_kind_is_told_rendered_linked_and_sent_by_its_default_channel(
    world: World, passage: None, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    a.parent.email = "parent@example.org"
    a.parent.save(update_fields=["email"])
    event = entered(world, django_capture_on_commit_callbacks)
    assert recipients(event) == {a.parent.pk}
    row = n.row_of(Notification.objects.get(event_id=event.pk))
    assert row.kind == KIND
    assert row.text == "Petrov I.: Entered at 08:12"  # the parent is told which child
    assert row.link == f"/passage/{a.student.pk}/"
    with translation.override("ru"):
        assert n.row_of(Notification.objects.get(event_id=event.pk)).text == "Petrov I.: Вход в 08:12"
    # The parent chose nothing for the kind: its default channel, e-mail, is used.
    assert Delivery.objects.get().channel == "email"
    assert [m.to for m in mail.outbox] == [["parent@example.org"]]
    assert "Entered at 08:12" in mail.outbox[0].subject


def test_a_choice_overrides_the_default_and_no_address_gets_no_mail(
    world: World, passage: None, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    entered(world, django_capture_on_commit_callbacks)  # the parent has no e-mail address
    a.parent.email = "parent@example.org"
    a.parent.save(update_fields=["email"])
    n.set_preferences(a.parent, {KIND: (False, False)})
    entered(world, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=a.parent).count() == 2  # in-app is always on
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_the_preferences_page_and_api_list_the_kind_with_its_default(
    world: World, passage: None, client: Client
) -> None:
    a = world.a
    a.parent.email = "parent@example.org"
    a.parent.save(update_fields=["email"])
    api = APIClient()
    api.force_authenticate(a.parent)
    data = api.get("/api/v1/notifications/preferences").json()
    [entry] = [k for k in data["kinds"] if k["kind"] == KIND]
    assert entry == {"kind": KIND, "name": "entry", "email": True, "push": False, "defaults": ["email"]}
    client.force_login(a.parent)
    page = client.get("/notifications/settings/").content.decode()
    assert f'name="email_{KIND}" checked' in page
    response = api.put(
        "/api/v1/notifications/preferences",
        {"kinds": [{"kind": KIND, "email": False, "push": False}]},
        format="json",
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=a.parent, kind=KIND).email is False


def test_an_unknown_kind_is_refused_with_a_field_message_and_changes_nothing(world: World) -> None:
    api = APIClient()
    api.force_authenticate(world.a.parent)
    response = api.put(
        "/api/v1/notifications/preferences",
        {
            "kinds": [
                {"kind": "message", "email": False, "push": False},
                {"kind": KIND, "email": False, "push": False},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert KIND in str(response.json())
    assert not NotificationPreference.objects.exists()


def test_a_code_is_registered_once(passage: None) -> None:
    # The same definition again (an AppConfig.ready run twice) changes nothing ...
    register_entry()
    # ... another one under the same code is an error, and so is a channel nobody sends by.
    with pytest.raises(ImproperlyConfigured):
        register_kind(KIND, label=gettext_lazy("entry"), render=render_entry, link=lambda p: "")
    with pytest.raises(ImproperlyConfigured):
        register_kind(
            "passage.exit",
            label=gettext_lazy("exit"),
            render=render_entry,
            link=entry_link,
            channels=frozenset({"sms"}),
        )
