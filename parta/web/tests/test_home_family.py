"""A family's home page is never empty (issue 18, item 8): the next school day's lessons when today
has none, what is new about each child since the last visit, the unread conversations about each
child, the homework due next with the overdue folded below, for the student and for each child of
a parent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from parta.messaging.models import Conversation, Message, Notification, Participant
from parta.testing import factories as f
from parta.testing.world import MONDAY, World

SUNDAY = MONDAY - dt.timedelta(days=1)


@pytest.fixture
def sunday(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: SUNDAY)
    return SUNDAY


def card(response: Any, student_id: int) -> Any:
    cards = response.context["children"] or [response.context["student"]]
    return next(c for c in cards if c.id == student_id)


def test_on_a_day_without_lessons_the_next_school_days_are_shown(
    world: World, client: Client, sunday: dt.date
) -> None:
    client.force_login(world.a.student)
    response = client.get(reverse("home"))
    mine = response.context["student"]
    assert mine.day == MONDAY and not mine.is_today
    assert [lesson.id for lesson in mine.lessons] == [world.a.lesson.pk]
    assert "Next school day: Monday, 7 September" in response.content.decode()


def test_a_parent_sees_what_is_new_about_each_child_only_on_that_childs_card(
    world: World, client: Client, sunday: dt.date
) -> None:
    a = world.a
    Notification.objects.create(
        recipient=a.parent, school=a.school, kind="mark", payload={"student_id": a.student.pk, "value": 5,
        "subject": {"ru": "Алгебра", "en": "Algebra"}, "weight": 1, "change": "created"},
    )  # fmt: skip
    Notification.objects.create(
        recipient=a.parent, school=a.school, kind="mark", read_at=MONDAY_NOON,
        payload={"student_id": a.student.pk, "value": 2, "subject": {"ru": "Алгебра", "en": "Algebra"}},
    )  # fmt: skip
    client.force_login(a.parent)
    response = client.get(reverse("home"))
    child = card(response, a.student.pk)
    assert [item.text for item in child.news] == ["New mark 5 in Algebra (weight 1)"]
    others = [c for c in response.context["children"] if c.id != a.student.pk]
    assert all(not c.news for c in others)
    assert "New since your last visit" in response.content.decode()


def test_homework_due_next_comes_first_and_the_overdue_is_folded(
    world: World, client: Client, sunday: dt.date
) -> None:
    a = world.a
    soon = f.HomeworkFactory.create(lesson=a.lesson, due_on=SUNDAY + dt.timedelta(days=2), text="Read §4")
    late = f.HomeworkFactory.create(lesson=a.lesson, due_on=SUNDAY - dt.timedelta(days=5), text="Exercise 12")
    client.force_login(a.student)
    response = client.get(reverse("home"))
    mine = response.context["student"]
    assert [h.id for h in mine.homework_next] == [soon.pk]
    assert [h.id for h in mine.overdue] == [late.pk]
    body = response.content.decode()
    assert body.index("Read §4") < body.index('<details class="home-overdue"') < body.index("Exercise 12")


def test_a_parents_home_stays_within_its_query_budget(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.a.parent)
    with django_assert_max_num_queries(24):
        assert client.get(reverse("home")).status_code == 200


MONDAY_NOON = dt.datetime(2026, 9, 7, 9, 0, tzinfo=dt.UTC)


def _conversation(school: Any, parent: Any, teacher: Any, topic: str, **about: Any) -> Conversation:
    """A conversation with a message from the teacher the parent has not read."""
    conversation = Conversation.objects.create(school=school, topic=topic, created_by=teacher, **about)
    Participant.objects.create(conversation=conversation, user=parent)
    Participant.objects.create(conversation=conversation, user=teacher, last_read_at=MONDAY_NOON)
    Message.objects.create(conversation=conversation, author=teacher, body=f"{topic}: please call me")
    return conversation


def test_unread_conversations_show_on_the_card_of_the_child_they_are_about(
    world: World, client: Client
) -> None:
    a = world.a
    about_student = _conversation(a.school, a.parent, a.subject_teacher, "Algebra test", student=a.student)
    announcement = {"kind": "announcement", "class_group": a.other_group}
    to_siblings_class = _conversation(
        a.school, a.parent, a.class_teacher, "Trip to the museum", **announcement
    )
    about_nobody = _conversation(a.school, a.parent, a.admin, "School fees")
    read = _conversation(a.school, a.parent, a.subject_teacher, "Old news", student=a.student)
    Participant.objects.filter(conversation=read, user=a.parent).update(last_read_at=dt.datetime.now(dt.UTC))
    client.force_login(a.parent)
    response = client.get(reverse("home"))
    assert [t.id for t in card(response, a.student.pk).messages] == [about_student.pk]
    assert [t.id for t in card(response, a.sibling.pk).messages] == [to_siblings_class.pk]
    assert [t.id for t in response.context["family_messages"]] == [about_nobody.pk]
    body = response.content.decode()
    for conversation in (about_student, to_siblings_class, about_nobody):
        assert reverse("messaging-conversation", args=[conversation.pk]) in body
    assert "Old news" not in body


def test_a_parent_with_messages_stays_within_the_home_budget(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    a = world.a
    for i in range(5):
        _conversation(a.school, a.parent, a.subject_teacher, f"Topic {i}", student=a.student)
    client.force_login(a.parent)
    with django_assert_max_num_queries(24):
        assert client.get(reverse("home")).status_code == 200
