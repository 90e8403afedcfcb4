"""Outbox events → notifications: who is told (exactly the family, never another one), the text,
idempotency, preferences and e-mail (locmem backend)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from parta.messaging import notifications as n
from parta.messaging.models import Conversation, Delivery, Notification, Participant
from parta.outbox import services as outbox
from parta.outbox.models import OutboxEvent
from parta.testing import factories as f
from parta.testing.world import World


def deliver(kind: str, payload: dict[str, Any], school_id: int | None, capture: Any) -> OutboxEvent:
    event = OutboxEvent.objects.create(kind=kind, payload=payload, school_id=school_id)
    with capture(execute=True):
        assert outbox.deliver(event.pk)
    return event


def recipients(event: OutboxEvent) -> set[int]:
    return set(Notification.objects.filter(event_id=event.pk).values_list("recipient_id", flat=True))


def mark_payload(world: World, **changes: Any) -> dict[str, Any]:
    a = world.a
    form = f.ControlFormFactory.create(school=a.school, code="test", name_ru="Контрольная", name_en="test")
    mark = f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5, weight=3, control_form=form)
    payload = {
        "mark_id": mark.pk,
        "student_id": a.student.pk,
        "lesson_id": a.lesson.pk,
        "subject_id": a.lesson.subject_id,
        "date": "2026-09-07",
        "value": 5,
        "old_value": None,
        "weight": 3,
        "control_form_id": form.pk,
        "change": "created",
        "actor_id": a.subject_teacher.pk,
    }
    return payload | changes


def test_mark_tells_the_student_and_their_guardians_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = world.a, world.b
    second_parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=second_parent, student=a.student)
    event = deliver("journal.mark", mark_payload(world), a.school.pk, django_capture_on_commit_callbacks)
    assert recipients(event) == {a.student.pk, a.parent.pk, second_parent.pk}
    for stranger in (a.sibling, b.parent, b.student, a.subject_teacher, a.class_teacher, world.outsider):
        assert not Notification.objects.filter(recipient=stranger).exists()
    note = Notification.objects.get(event_id=event.pk, recipient=a.student)
    assert note.kind == Notification.Kind.MARK
    assert note.school_id == a.school.pk
    assert n.row_of(note).text == "New mark 5 in Algebra (test, weight 3)"
    # A parent (of two children) is told which child it is about.
    parent_note = Notification.objects.get(event_id=event.pk, recipient=a.parent)
    assert n.row_of(parent_note).text == f"{a.student.short_name}: New mark 5 in Algebra (test, weight 3)"


def test_text_is_rendered_in_the_readers_language(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    event = deliver(
        "journal.attendance",
        {
            "attendance_id": 1,
            "student_id": world.a.student.pk,
            "lesson_id": world.a.lesson.pk,
            "subject_id": world.a.lesson.subject_id,
            "date": "2026-09-07",
            "status": "absent",
            "old_status": None,
            "change": "created",
            "actor_id": world.a.subject_teacher.pk,
        },
        world.a.school.pk,
        django_capture_on_commit_callbacks,
    )
    note = Notification.objects.get(event_id=event.pk, recipient=world.a.student)
    assert n.row_of(note).text == "Absent from Algebra on 7 September"
    with translation.override("ru"):
        assert "Алгебра" in n.row_of(note).text


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"change": "changed", "old_value": 3}, "Mark in Algebra changed from 3 to 5 (test, weight 3)"),
        ({"change": "deleted", "value": None, "old_value": 5}, "Mark 5 in Algebra removed"),
        ({"value": None}, "A mark in Algebra is owed"),
        ({"control_form_id": None, "weight": 1}, "New mark 5 in Algebra (weight 1)"),
    ],
)
def test_mark_texts(
    world: World, django_capture_on_commit_callbacks: Any, changes: dict[str, Any], text: str
) -> None:
    event = deliver(
        "journal.mark", mark_payload(world, **changes), world.a.school.pk, django_capture_on_commit_callbacks
    )
    assert n.row_of(Notification.objects.get(event_id=event.pk, recipient=world.a.student)).text == text


def test_delivering_twice_makes_nothing_twice(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from parta.messaging.handlers import notify_marks

    event = deliver(
        "journal.mark", mark_payload(world), world.a.school.pk, django_capture_on_commit_callbacks
    )
    assert Notification.objects.count() == 2
    # The worker died after the handler and before marking the row: the event runs again.
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(event.pk)
        notify_marks([OutboxEvent.objects.get(pk=event.pk)])
    assert Notification.objects.count() == 2


def test_the_actor_is_not_told(world: World, django_capture_on_commit_callbacks: Any) -> None:
    # A parent's absence notice excuses the lesson: the other guardian and the child are told, not the parent.
    a = world.a
    other = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=other, student=a.student)
    event = deliver(
        "journal.attendance",
        {
            "attendance_id": 1,
            "student_id": a.student.pk,
            "lesson_id": a.lesson.pk,
            "subject_id": a.lesson.subject_id,
            "date": "2026-09-07",
            "status": "excused",
            "old_status": None,
            "change": "created",
            "actor_id": a.parent.pk,
        },
        a.school.pk,
        django_capture_on_commit_callbacks,
    )
    assert recipients(event) == {a.student.pk, other.pk}


def test_homework_tells_every_family_of_the_class_group(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    classmate, classmate_parent = a.classmate, a.classmate_parent
    homework = f.HomeworkFactory.create(lesson=a.lesson)
    event = deliver(
        "homework.set",
        {
            "homework_id": homework.pk,
            "class_group_id": a.group.pk,
            "subgroup_id": None,
            "subject_id": a.lesson.subject_id,
            "due_on": "2026-09-09",
            "change": "created",
            "actor_id": a.subject_teacher.pk,
        },
        a.school.pk,
        django_capture_on_commit_callbacks,
    )
    assert recipients(event) == {a.student.pk, a.parent.pk, classmate.pk, classmate_parent.pk}
    note = Notification.objects.get(event_id=event.pk, recipient=classmate)
    assert n.row_of(note).text == "Homework in Algebra for 9 September"


def test_homework_for_a_subgroup_tells_only_its_families(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    classmate = f.UserFactory.create()
    f.EnrolmentFactory.create(class_group=a.group, student=classmate)
    subgroup = f.SubgroupFactory.create(class_group=a.group, subject=a.lesson.subject)
    f.SubgroupMembershipFactory.create(subgroup=subgroup, student=classmate)
    event = deliver(
        "homework.set",
        {
            "homework_id": 1,
            "class_group_id": a.group.pk,
            "subgroup_id": subgroup.pk,
            "subject_id": a.lesson.subject_id,
            "due_on": "2026-09-09",
            "change": "changed",
            "actor_id": a.subject_teacher.pk,
        },
        a.school.pk,
        django_capture_on_commit_callbacks,
    )
    assert recipients(event) == {classmate.pk}
    assert (
        n.row_of(Notification.objects.get(event_id=event.pk)).text
        == "Homework in Algebra for 9 September changed"
    )


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


def test_mark_written_through_the_journal_service_reaches_the_family(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    services = pytest.importorskip("parta.journal.services")
    a = world.a
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_create(a.subject_teacher, lesson_id=a.lesson.pk, student_id=a.student.pk, value=4)
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {a.student.pk, a.parent.pk}
    assert OutboxEvent.objects.get().delivered_at is not None


# --- preferences and e-mail ----------------------------------------------------------------


def test_email_goes_out_only_for_the_kinds_chosen(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    a.parent.email = "parent@example.org"
    a.parent.save()
    n.set_preferences(a.parent, {"mark": (True, False)})
    deliver("journal.mark", mark_payload(world), a.school.pk, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["parent@example.org"]
    assert "New mark 5 in Algebra" in mail.outbox[0].subject
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == ("email", "sent", 1)
    assert delivery.sent_at is not None
    # Attendance was not chosen: in-app only.
    deliver(
        "journal.attendance",
        {
            "attendance_id": 1,
            "student_id": a.student.pk,
            "lesson_id": a.lesson.pk,
            "subject_id": a.lesson.subject_id,
            "date": "2026-09-07",
            "status": "late",
            "old_status": None,
            "change": "created",
            "actor_id": a.subject_teacher.pk,
        },
        a.school.pk,
        django_capture_on_commit_callbacks,
    )
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=a.parent).count() == 2


def test_preferences_default_to_in_app_only(world: World) -> None:
    preferences = n.preferences_of(world.a.parent)
    assert [c.kind for c in preferences.kinds] == [
        "mark",
        "attendance",
        "homework",
        "message",
        "announcement",
    ]
    assert not any(c.email or c.webhook for c in preferences.kinds)
    assert preferences.push_url == ""


def test_set_preferences_keeps_a_secret_per_address(world: World) -> None:
    parent = world.a.parent
    first = n.set_preferences(parent, {"homework": (False, True)}, push_url="https://push.example.org/a")
    assert first.push_secret and len(first.push_secret) == 64
    same = n.set_preferences(parent, {"mark": (False, True)}, push_url="https://push.example.org/a")
    assert same.push_secret == first.push_secret
    assert {c.kind for c in same.kinds if c.webhook} == {"homework", "mark"}
    moved = n.set_preferences(parent, {}, push_url="https://push.example.org/b")
    assert moved.push_secret != first.push_secret


@pytest.mark.parametrize(
    ("choices", "push_url", "field"),
    [
        ({"mark": (False, True)}, None, "push_url"),
        ({}, "ftp://example.org/x", "push_url"),
        ({}, "not an address", "push_url"),
        ({"mark": (True, False)}, None, "kinds"),  # the parent has no e-mail address
        ({"grades": (False, False)}, None, "kinds"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(
    world: World, choices: dict[str, tuple[bool, bool]], push_url: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        n.set_preferences(world.a.parent, choices, push_url=push_url)
    assert field in error.value.message_dict
    assert not world.a.parent.notification_preferences.exists()
    assert n.preferences_of(world.a.parent).push_url == ""


def test_unread_count_is_one_query(world: World, django_assert_num_queries: Any) -> None:
    for _ in range(3):
        Notification.objects.create(recipient=world.a.parent, kind="mark", payload={})
    Notification.objects.create(recipient=world.b.parent, kind="mark", payload={})
    with django_assert_num_queries(1):
        assert n.unread_count(world.a.parent) == 3


def test_mark_read_is_yours_only(world: World) -> None:
    from django.http import Http404

    note = Notification.objects.create(recipient=world.a.parent, kind="mark", payload={})
    with pytest.raises(Http404):
        n.mark_read(world.b.parent, note.pk)
    with pytest.raises(Http404):
        n.mark_read(world.a.student, note.pk)
    assert n.mark_read(world.a.parent, note.pk).read_at is not None
    assert n.mark_all_read(world.a.parent) == 0


def test_an_absence_notice_tells_the_class_teacher_and_the_other_guardians_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """However many lessons a notice excuses, each recipient is told once: the class teacher and
    the other guardians, not the parent who gave it, not the child."""
    import datetime as dt

    from django.utils import timezone

    from parta.journal import services as journal

    a = world.a
    other = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=other, student=a.student)
    today = timezone.localdate()
    for day in range(2):  # several lessons a day for two days
        for number in (1, 3, 4, 5):
            f.LessonFactory.create(
                assignment=a.assignment, date=today + dt.timedelta(days=day), number=number
            )
    result = journal.absence_notice_create(
        a.parent, student_id=a.student.pk, starts_on=today, ends_on=today + dt.timedelta(days=1), reason="flu"
    )
    assert result.excused_lessons == 8
    [event] = OutboxEvent.objects.all()
    assert event.kind == "journal.absence_notice"
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(event.pk)
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [a.class_teacher.pk, other.pk]
    )
    teacher_note = Notification.objects.get(recipient=a.class_teacher)
    assert teacher_note.kind == Notification.Kind.ATTENDANCE
    assert teacher_note.school_id == a.school.pk
    dates = n._date(today.isoformat()) + " – " + n._date((today + dt.timedelta(days=1)).isoformat())
    row = n.row_of(teacher_note)
    assert row.text == f"Absence notice for {a.student.short_name}: {dates} — flu"
    assert row.link == "/journal/"
    family = n.row_of(Notification.objects.get(recipient=other))
    assert family.text == row.text  # the name is in the text once, not prefixed again
    assert family.link == f"/diary/{a.student.pk}/attendance/"
    with translation.override("ru"):
        russian = n.row_of(teacher_note).text
    assert "flu" in russian and a.student.short_name in russian
    assert n._date(today.isoformat()) not in russian  # the dates are in Russian too
    # Withdrawing: one more notification each.
    journal.absence_notice_withdraw(a.parent, result.notice.pk)
    withdrawal = OutboxEvent.objects.exclude(pk=event.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(withdrawal.pk)
    note = Notification.objects.get(recipient=a.class_teacher, event_id=withdrawal.pk)
    assert n.row_of(note).text == f"Absence notice for {a.student.short_name} withdrawn: {dates}"
    assert Notification.objects.count() == 4
    for stranger in (a.parent, a.student, a.subject_teacher, world.b.class_teacher, world.b.parent):
        assert not Notification.objects.filter(recipient=stranger).exists()


def test_a_one_day_notice_names_one_day(world: World, django_capture_on_commit_callbacks: Any) -> None:
    a = world.a
    payload = {
        "notice_id": 1,
        "student_id": a.student.pk,
        "starts_on": "2026-12-03",
        "ends_on": "2026-12-03",
        "reason": "dentist",
        "change": "created",
        "actor_id": a.parent.pk,
    }
    event = deliver("journal.absence_notice", payload, a.school.pk, django_capture_on_commit_callbacks)
    assert recipients(event) == {a.class_teacher.pk}
    note = Notification.objects.get(event_id=event.pk)
    assert n.row_of(note).text == f"Absence notice for {a.student.short_name}: 3 December — dentist"


def test_a_batch_of_events_tells_each_family_of_its_own_in_a_fixed_number_of_queries(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker drains many events at once: the queries do not grow with the batch, and no
    family is told of another's mark."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, b = world.a, world.b
    a.parent.email = "parent@example.org"
    a.parent.save()
    n.set_preferences(a.parent, {"mark": (True, False)})

    def mark_event(student: Any, lesson: Any, value: int) -> OutboxEvent:
        mark = f.MarkFactory.create(lesson=lesson, student=student, value=value)
        payload = {
            "mark_id": mark.pk,
            "student_id": student.pk,
            "lesson_id": lesson.pk,
            "subject_id": lesson.subject_id,
            "value": value,
            "change": "created",
            "actor_id": lesson.teacher_id,
        }
        return OutboxEvent.objects.create(kind="journal.mark", payload=payload, school_id=lesson.school_id)

    def deliver_counting(events: list[OutboxEvent]) -> int:
        with django_capture_on_commit_callbacks() as sending, CaptureQueriesContext(connection) as queries:
            assert outbox.deliver_many([e.pk for e in events]) == (len(events), [])
        for send in sending:  # the e-mails, one task per letter
            send()
        return len(queries)

    one = deliver_counting([mark_event(a.student, a.lesson, 2)])
    batch = [
        mark_event(a.student, a.lesson, 3),
        mark_event(a.sibling, a.other_lesson, 4),
        mark_event(b.student, b.lesson, 5),
        mark_event(b.student, b.lesson, 4),
    ]
    assert deliver_counting(batch) == one
    told = {
        (e.pk, r.recipient_id): n.row_of(r).text
        for e in batch
        for r in Notification.objects.filter(event_id=e.pk)
    }
    assert told == {
        (batch[0].pk, a.student.pk): "New mark 3 in Algebra (weight 1)",
        (batch[0].pk, a.parent.pk): f"{a.student.short_name}: New mark 3 in Algebra (weight 1)",
        (batch[1].pk, a.sibling.pk): f"New mark 4 in {a.other_lesson.subject.name_en} (weight 1)",
        (
            batch[1].pk,
            a.parent.pk,
        ): f"{a.sibling.short_name}: New mark 4 in {a.other_lesson.subject.name_en} (weight 1)",
        (batch[2].pk, b.student.pk): "New mark 5 in Algebra (weight 1)",
        (batch[2].pk, b.parent.pk): f"{b.student.short_name}: New mark 5 in Algebra (weight 1)",
        (batch[3].pk, b.student.pk): "New mark 4 in Algebra (weight 1)",
        (batch[3].pk, b.parent.pk): f"{b.student.short_name}: New mark 4 in Algebra (weight 1)",
    }
    # The parent who chose e-mail got one letter per mark of each child; the other parent none.
    assert [m.to for m in mail.outbox] == [["parent@example.org"]] * 3
