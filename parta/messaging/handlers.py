"""Outbox events → notifications. Registered with ``parta.outbox.handlers`` when the messaging app
is ready (``MessagingConfig.ready`` imports this module).

Who is told:
- ``journal.mark``, ``journal.attendance``: the student and the student's guardians;
- ``journal.absence_notice``: the class teacher of the student's class group and the student's
  guardians (one notification each per notice, not one per excused lesson);
- ``homework.set``: every student of the class group (or of the subgroup, when it is set for
  one) and their guardians;
- ``messaging.message``: the conversation's other participants.
The person who made the change is never told of it. Each handler stores in the notification's
payload what its text needs (names in both languages), so that reading a list is one query.
Handlers are idempotent (``notify`` skips recipients already told of the event). The worker hands
a handler a batch of events: marks and attendance, the morning's stream, are read for the whole
batch at once (a few queries per batch); the rarer kinds are read event by event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from parta.accounts.models import Guardianship, User
from parta.core.names import short_name
from parta.messaging.models import Conversation, Message, Notification, Participant
from parta.messaging.notifications import Notice, notify
from parta.outbox.handlers import register
from parta.outbox.models import OutboxEvent

Kind = Notification.Kind


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(events: Sequence[OutboxEvent], key: str) -> set[int]:
    return {pk for event in events if (pk := _int(event.payload.get(key))) is not None}


def _subjects(subject_ids: set[int]) -> dict[int, dict[str, str]]:
    """Subject names in both languages: one query."""
    from parta.schools.models import Subject

    rows = Subject.objects.filter(pk__in=subject_ids).values_list("pk", "name_ru", "name_en")
    return {pk: {"ru": ru, "en": en} for pk, ru, en in rows} if subject_ids else {}


def _subject_of(event: OutboxEvent, subjects: Mapping[int, dict[str, str]]) -> dict[str, str]:
    return subjects.get(_int(event.payload.get("subject_id")) or 0) or {"ru": "", "en": ""}


def _names(user_ids: set[int]) -> dict[int, str]:
    """Short names ("Petrov I. S.") of people: one query."""
    rows = User.objects.filter(pk__in=user_ids).values_list(
        "pk", "last_name", "first_name", "middle_name", "username"
    )
    return {pk: short_name(last, first, middle) or username for pk, last, first, middle, username in rows}


def _person(user_id: int | None) -> str:
    return _names({user_id}).get(user_id, "") if user_id else ""


def _guardians(student_ids: set[int]) -> dict[int, set[int]]:
    """Each student's guardians: one query."""
    found: dict[int, set[int]] = {pk: set() for pk in student_ids}
    rows = Guardianship.objects.filter(student_id__in=student_ids).values_list("student_id", "guardian_id")
    for student_id, guardian_id in rows:
        found[student_id].add(guardian_id)
    return found


def _recipients(ids: set[int], actor_id: Any) -> list[int]:
    return sorted(ids - {actor_id})


def _student_notices(
    events: Sequence[OutboxEvent], kind: str, extra: Callable[[OutboxEvent], Mapping[str, Any]]
) -> list[Notice]:
    """Events about one student each: the student and the student's guardians are told. Three
    queries for the whole batch."""
    events = [event for event in events if _int(event.payload.get("student_id")) is not None]
    students = _ids(events, "student_id")
    subjects, names, guardians = _subjects(_ids(events, "subject_id")), _names(students), _guardians(students)
    notices = []
    for event in events:
        p = event.payload
        student_id = p["student_id"]
        payload = {
            **p,
            **extra(event),
            "subject": _subject_of(event, subjects),
            "student_name": names.get(student_id, ""),
        }
        family = guardians[student_id] | {student_id}
        notices.append(
            Notice(_recipients(family, p.get("actor_id")), kind, payload, event.school_id, event.pk)
        )
    return notices


@register("journal.mark")
def notify_marks(events: Sequence[OutboxEvent]) -> None:
    from parta.journal.models import ControlForm, Mark

    form_ids, mark_ids = _ids(events, "control_form_id"), _ids(events, "mark_id")
    forms = (
        {
            pk: {"ru": ru, "en": en}
            for pk, ru, en in ControlForm.objects.filter(pk__in=form_ids).values_list(
                "pk", "name_ru", "name_en"
            )
        }
        if form_ids
        else {}
    )
    scales = dict(Mark.objects.filter(pk__in=mark_ids).values_list("pk", "scale")) if mark_ids else {}

    def extra(event: OutboxEvent) -> dict[str, Any]:
        p = event.payload
        return {
            "control_form": forms.get(_int(p.get("control_form_id")) or 0),
            "scale": scales.get(_int(p.get("mark_id")) or 0) or "five",
        }

    notify(_student_notices(events, Kind.MARK, extra))


@register("journal.attendance")
def notify_attendance(events: Sequence[OutboxEvent]) -> None:
    notify(_student_notices(events, Kind.ATTENDANCE, lambda event: {}))


def _each(make: Callable[[OutboxEvent], Notice | None]) -> Callable[[Sequence[OutboxEvent]], None]:
    """A handler for a kind read event by event; the notifications are still written at once."""

    def handler(events: Sequence[OutboxEvent]) -> None:
        notify([notice for event in events if (notice := make(event)) is not None])

    handler.__name__ = handler.__qualname__ = make.__name__
    return handler


def _absence_notice(event: OutboxEvent) -> Notice | None:
    """One notification per recipient for a notice made or withdrawn: the class teacher of the
    student's class group (for the notice's days) and the student's other guardians."""
    from parta.schools.models import Enrolment

    p = event.payload
    student_id = _int(p.get("student_id"))
    if student_id is None:
        return None
    enrolments = Enrolment.objects.filter(student_id=student_id)
    if isinstance(p.get("starts_on"), str):
        enrolments = enrolments.filter(year__ends_on__gte=p["starts_on"])
    class_teacher_id = (
        enrolments.order_by("year__starts_on").values_list("class_group__class_teacher_id", flat=True).first()
    )
    guardians = _guardians({student_id})[student_id]
    staff = {class_teacher_id} - guardians if class_teacher_id else set()
    return Notice(
        recipient_ids=_recipients(guardians | staff, p.get("actor_id")),
        kind=Kind.ATTENDANCE,
        payload={**p, "student_name": _person(student_id)},
        school_id=event.school_id,
        event_id=event.pk,
        extra={pk: {"for_staff": True} for pk in staff},
    )


def _homework(event: OutboxEvent) -> Notice | None:
    from parta.schools.models import Enrolment, SubgroupMembership

    p = event.payload
    subgroup_id = _int(p.get("subgroup_id"))
    class_group_id = _int(p.get("class_group_id"))
    students: list[int]
    if subgroup_id is not None:
        members = SubgroupMembership.objects.filter(subgroup_id=subgroup_id)
        students = list(members.values_list("student_id", flat=True))
    elif class_group_id is not None:
        enrolled = Enrolment.objects.filter(class_group_id=class_group_id)
        students = list(enrolled.values_list("student_id", flat=True))
    else:
        return None
    # Each reader is told which child the homework is for: the student himself, or a guardian's
    # child in this class (the first, for a guardian of two in one class).
    about: dict[int, int] = {pk: pk for pk in students}
    for guardian_id, student_id in Guardianship.objects.filter(student_id__in=students).values_list(
        "guardian_id", "student_id"
    ):
        about.setdefault(guardian_id, student_id)
    names = _names(set(about.values()))
    return Notice(
        recipient_ids=_recipients(set(about), p.get("actor_id")),
        kind=Kind.HOMEWORK,
        payload={**p, "subject": _subject_of(event, _subjects(_ids([event], "subject_id")))},
        school_id=event.school_id,
        event_id=event.pk,
        extra={
            reader: {"student_id": student_id, "student_name": names.get(student_id, "")}
            for reader, student_id in about.items()
        },
    )


def _message(event: OutboxEvent) -> Notice | None:
    p = event.payload
    conversation_id, message_id = _int(p.get("conversation_id")), _int(p.get("message_id"))
    conversation = Conversation.objects.filter(pk=conversation_id).first() if conversation_id else None
    if conversation is None:
        return None
    message = Message.objects.filter(pk=message_id).values("author_id").first() if message_id else None
    author_id = message["author_id"] if message else _int(p.get("actor_id"))
    participants = set(
        Participant.objects.filter(conversation_id=conversation.pk).values_list("user_id", flat=True)
    )
    kind = Kind.ANNOUNCEMENT if conversation.kind == Conversation.Kind.ANNOUNCEMENT else Kind.MESSAGE
    return Notice(
        recipient_ids=_recipients(participants, author_id),
        kind=kind,
        payload={**p, "author": _person(author_id), "topic": conversation.topic},
        school_id=event.school_id or conversation.school_id,
        event_id=event.pk,
    )


notify_absence_notice = register("journal.absence_notice")(_each(_absence_notice))
notify_homework = register("homework.set")(_each(_homework))
notify_message = register("messaging.message")(_each(_message))
