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
Handlers are idempotent (``notify`` skips recipients already told of the event).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from parta.accounts.models import Guardianship, User
from parta.core.names import short_name
from parta.messaging.models import Conversation, Message, Notification, Participant
from parta.messaging.notifications import notify
from parta.outbox.handlers import register
from parta.outbox.models import OutboxEvent

Kind = Notification.Kind


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def family_of(student_ids: Iterable[int]) -> set[int]:
    """The students and all their guardians: one query."""
    students = {pk for pk in student_ids if pk}
    guardians = Guardianship.objects.filter(student_id__in=students).values_list("guardian_id", flat=True)
    return students | set(guardians)


def _subject(subject_id: int | None) -> dict[str, str]:
    from parta.schools.models import Subject

    row = Subject.objects.filter(pk=subject_id).values("name_ru", "name_en").first() if subject_id else None
    return {"ru": row["name_ru"], "en": row["name_en"]} if row else {"ru": "", "en": ""}


def _names(user_ids: set[int]) -> dict[int, str]:
    """Short names ("Petrov I. S.") of people: one query."""
    rows = User.objects.filter(pk__in=user_ids).values_list(
        "pk", "last_name", "first_name", "middle_name", "username"
    )
    return {pk: short_name(last, first, middle) or username for pk, last, first, middle, username in rows}


def _person(user_id: int | None) -> str:
    return _names({user_id}).get(user_id, "") if user_id else ""


def _recipients(ids: set[int], actor_id: Any) -> list[int]:
    return sorted(ids - {actor_id})


def _student_event(event: OutboxEvent, kind: str, extra: Mapping[str, Any]) -> None:
    p = event.payload
    student_id = _int(p.get("student_id"))
    if student_id is None:
        return
    payload = {
        **p,
        **extra,
        "subject": _subject(_int(p.get("subject_id"))),
        "student_name": _person(student_id),
    }
    notify(
        recipient_ids=_recipients(family_of([student_id]), p.get("actor_id")),
        kind=kind,
        payload=payload,
        school_id=event.school_id,
        event_id=event.pk,
    )


@register("journal.mark")
def notify_mark(event: OutboxEvent) -> None:
    from parta.journal.models import ControlForm, Mark

    p = event.payload
    form_id, mark_id = _int(p.get("control_form_id")), _int(p.get("mark_id"))
    form = ControlForm.objects.filter(pk=form_id).values("name_ru", "name_en").first() if form_id else None
    scale = Mark.objects.filter(pk=mark_id).values_list("scale", flat=True).first() if mark_id else None
    extra = {
        "control_form": {"ru": form["name_ru"], "en": form["name_en"]} if form else None,
        "scale": scale or "five",
    }
    _student_event(event, Kind.MARK, extra)


@register("journal.attendance")
def notify_attendance(event: OutboxEvent) -> None:
    _student_event(event, Kind.ATTENDANCE, {})


@register("journal.absence_notice")
def notify_absence_notice(event: OutboxEvent) -> None:
    """One notification per recipient for a notice made or withdrawn: the class teacher of the
    student's class group (for the notice's days) and the student's other guardians."""
    from parta.schools.models import Enrolment

    p = event.payload
    student_id = _int(p.get("student_id"))
    if student_id is None:
        return
    enrolments = Enrolment.objects.filter(student_id=student_id)
    if isinstance(p.get("starts_on"), str):
        enrolments = enrolments.filter(year__ends_on__gte=p["starts_on"])
    class_teacher_id = (
        enrolments.order_by("year__starts_on").values_list("class_group__class_teacher_id", flat=True).first()
    )
    guardians = set(Guardianship.objects.filter(student_id=student_id).values_list("guardian_id", flat=True))
    staff = {class_teacher_id} - guardians if class_teacher_id else set()
    notify(
        recipient_ids=_recipients(guardians | staff, p.get("actor_id")),
        kind=Kind.ATTENDANCE,
        payload={**p, "student_name": _person(student_id)},
        school_id=event.school_id,
        event_id=event.pk,
        extra={pk: {"for_staff": True} for pk in staff},
    )


@register("homework.set")
def notify_homework(event: OutboxEvent) -> None:
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
        return
    # Each reader is told which child the homework is for: the student himself, or a guardian's
    # child in this class (the first, for a guardian of two in one class).
    about: dict[int, int] = {pk: pk for pk in students}
    for guardian_id, student_id in Guardianship.objects.filter(student_id__in=students).values_list(
        "guardian_id", "student_id"
    ):
        about.setdefault(guardian_id, student_id)
    names = _names(set(about.values()))
    notify(
        recipient_ids=_recipients(set(about), p.get("actor_id")),
        kind=Kind.HOMEWORK,
        payload={**p, "subject": _subject(_int(p.get("subject_id")))},
        school_id=event.school_id,
        event_id=event.pk,
        extra={
            reader: {"student_id": student_id, "student_name": names.get(student_id, "")}
            for reader, student_id in about.items()
        },
    )


@register("messaging.message")
def notify_message(event: OutboxEvent) -> None:
    p = event.payload
    conversation_id, message_id = _int(p.get("conversation_id")), _int(p.get("message_id"))
    conversation = Conversation.objects.filter(pk=conversation_id).first() if conversation_id else None
    if conversation is None:
        return
    message = Message.objects.filter(pk=message_id).values("author_id").first() if message_id else None
    author_id = message["author_id"] if message else _int(p.get("actor_id"))
    participants = set(
        Participant.objects.filter(conversation_id=conversation.pk).values_list("user_id", flat=True)
    )
    kind = Kind.ANNOUNCEMENT if conversation.kind == Conversation.Kind.ANNOUNCEMENT else Kind.MESSAGE
    payload = {**p, "author": _person(author_id), "topic": conversation.topic}
    notify(
        recipient_ids=_recipients(participants, author_id),
        kind=kind,
        payload=payload,
        school_id=event.school_id or conversation.school_id,
        event_id=event.pk,
    )
