"""A few conversations of the weeks already past: parents and their children's teachers, a class
announcement, and for the demo accounts some notifications, so the first screens are not empty.

The rows are written with the models directly (a handful per school); their times are set to
the past afterwards, since ``created_at`` is filled in on insert.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone

from parta.accounts.models import Guardianship, User
from parta.homework.models import Homework
from parta.journal.models import Mark
from parta.messaging.models import Conversation, Message, Notification, Participant
from parta.outbox.models import OutboxEvent
from parta.outbox.services import deliver
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    School,
    SubgroupMembership,
    TeachingAssignment,
)

OTHER_CONVERSATIONS = 6
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)

# (topic, messages): "p" is the parent, "t" the teacher. {teacher} and {parent} are the first
# name and patronymic, {child} the child's first name, {subject} the teacher's subject;
# "[a|b]" is the form for a boy or a girl. Data that families read, not interface text.
DIALOGUES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Пропуск уроков",
        (
            (
                "p",
                "Здравствуйте, {teacher}! {child} с понедельника болеет, температура. Справку принесём, "
                "когда [он|она] поправится. Подскажите, пожалуйста, как быть с пропущенными темами?",
            ),
            (
                "t",
                "Здравствуйте, {parent}! Выздоравливайте. Домашние задания смотрите в дневнике, а новые "
                "темы {child} сможет разобрать со мной на консультации во вторник после шестого урока.",
            ),
            ("p", "Спасибо большое! Обязательно придём."),
        ),
    ),
    (
        "Контрольная работа: {subject}",
        (
            (
                "t",
                "Добрый день, {parent}! {child} [написал|написала] контрольную работу на «3», хотя на уроках "
                "[отвечал|отвечала] хорошо. Кажется, [он|она] торопится и ошибается по невнимательности. "
                "Предлагаю переписать работу в четверг.",
            ),
            ("p", "Здравствуйте! Спасибо, что написали. Дома позанимаемся, в четверг [он|она] придёт."),
            ("t", "Хорошо, жду после седьмого урока в своём кабинете."),
            ("p", "Договорились, спасибо!"),
        ),
    ),
    (
        "Домашнее задание",
        (
            (
                "p",
                "Здравствуйте, {teacher}! {child} говорит, что не [успел|успела] записать домашнее задание. "
                "Подскажите, пожалуйста, что задано?",
            ),
            (
                "t",
                "Здравствуйте! Задание уже в электронном дневнике: параграф и упражнения после него. "
                "Если будут вопросы — пишите.",
            ),
        ),
    ),
    (
        "Олимпиада: {subject}",
        (
            (
                "t",
                "{parent}, добрый день! {child} хорошо [справился|справилась] со школьным этапом олимпиады "
                "и проходит на муниципальный. Вы не против, если [он|она] будет участвовать?",
            ),
            ("p", "Здравствуйте! Конечно, не против, очень рады. Что нужно подготовить?"),
            (
                "t",
                "Ничего особенного: свидетельство о рождении или паспорт, ручку и хорошее настроение. "
                "Дату и место пришлю отдельно.",
            ),
            ("p", "Спасибо вам большое за подготовку!"),
            ("t", "Это в первую очередь [его|её] заслуга — [он|она] много [занимался|занималась]."),
        ),
    ),
    (
        "Поведение на уроке",
        (
            (
                "t",
                "Здравствуйте, {parent}. Хочу обсудить: {child} в последнее время часто отвлекается "
                "на уроках и мешает соседям. Поговорите, пожалуйста, с [ним|ней] дома.",
            ),
            ("p", "Здравствуйте. Спасибо, что сообщили, обязательно поговорим."),
            ("t", "Спасибо. Думаю, всё наладится."),
        ),
    ),
)
DEMO_DIALOGUE = 3  # the olympiad: it ends with the teacher's message, unread by the demo parent
ANNOUNCEMENTS = (
    (
        21,
        "Уважаемые родители! В пятницу класс едет на экскурсию в Политехнический музей. Сбор в 8:20 "
        "у школы, возвращение к 14:00. Стоимость билетов — 450 ₽, сдать до среды.",
    ),
    (
        2,
        "Уважаемые родители! {meeting} в 18:30 в кабинете {room} состоится родительское собрание. "
        "Повестка: итоги четверти, подготовка к олимпиадам, организация питания. Просим быть обязательно.",
    ),
)
_FORMS = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")


def _female(user: User) -> bool:
    """A Russian patronymic tells the gender: -вна / -чна for women, -вич / -ич for men."""
    return user.middle_name.endswith(("вна", "чна"))


def _text(template: str, *, teacher: User, parent: User, child: User, subject: str) -> str:
    girl = _female(child)
    text = _FORMS.sub(lambda m: m.group(2) if girl else m.group(1), template)
    return text.format(
        teacher=f"{teacher.first_name} {teacher.middle_name}".strip(),
        parent=f"{parent.first_name} {parent.middle_name}".strip(),
        child=child.first_name,
        subject=subject,
    )


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randrange(60))))


def _direct(
    school: School,
    rng: random.Random,
    today: dt.date,
    dialogue: tuple[str, tuple[tuple[str, str], ...]],
    *,
    teacher: User,
    parent: User,
    child: User,
    subject: str,
    days_ago: int,
    leave_unread: bool = False,
) -> tuple[Conversation, list[Message]]:
    topic, script = dialogue
    start = _at(rng, today - dt.timedelta(days=days_ago))
    times = [start]
    for _line in script[1:]:
        at = times[-1] + dt.timedelta(minutes=rng.randint(15, 240))
        if (
            timezone.localtime(at).hour >= 22
            or timezone.localtime(at).date() != timezone.localtime(times[-1]).date()
        ):
            at = _at(rng, timezone.localtime(times[-1]).date() + dt.timedelta(days=1))
            at = max(at, times[-1] + dt.timedelta(minutes=5))
        times.append(at)
    first_author = parent if script[0][0] == "p" else teacher
    conversation = Conversation.objects.create(
        school=school,
        kind=Conversation.Kind.DIRECT,
        topic=topic.format(subject=subject),
        student=child,
        created_by=first_author,
        last_message_at=times[-1],
    )
    messages = Message.objects.bulk_create(
        Message(
            conversation=conversation,
            author=parent if who == "p" else teacher,
            body=_text(line, teacher=teacher, parent=parent, child=child, subject=subject),
        )
        for who, line in script
    )
    for message, at in zip(messages, times, strict=True):
        Message.objects.filter(pk=message.pk).update(created_at=at)
        message.created_at = at
    Conversation.objects.filter(pk=conversation.pk).update(created_at=start)
    parent_read = times[-2] if leave_unread and len(times) > 1 else times[-1]
    Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, user=teacher, last_read_at=times[-1]),
            Participant(conversation=conversation, user=parent, last_read_at=parent_read),
        ]
    )
    return conversation, messages


def conversations_generate(
    *, school: School, year: AcademicYear, today: dt.date, rng: random.Random, demo: dict[str, User]
) -> dict[str, int]:
    """Parent ↔ teacher conversations, one class announcement, and the demo accounts' notifications."""
    counts = {"conversations": 0, "messages": 0, "notifications": 0}
    groups = {
        g.pk: g for g in ClassGroup.objects.filter(year=year).select_related("home_room", "class_teacher")
    }
    assignments = list(
        TeachingAssignment.objects.filter(year=year, subgroup__isnull=True)
        .select_related("teacher", "subject")
        .order_by("pk")
    )
    if not groups or not assignments:
        return counts
    by_group: dict[int, list[TeachingAssignment]] = {}
    for assignment in assignments:
        by_group.setdefault(assignment.class_group_id, []).append(assignment)
    demo_conversation: tuple[Conversation, list[Message]] | None = None
    teacher, parent, child = demo.get("teacher"), demo.get("parent"), demo.get("student")
    if teacher is not None and parent is not None and child is not None:
        child_group = Enrolment.objects.get(year=year, student=child).class_group_id
        taught = [a for a in by_group.get(child_group, []) if a.teacher_id == teacher.pk]
        subject = taught[0].subject.name_ru if taught else ""
        demo_conversation = _direct(
            school,
            rng,
            today,
            DIALOGUES[DEMO_DIALOGUE],
            teacher=teacher,
            parent=parent,
            child=child,
            subject=subject,
            days_ago=5,
            leave_unread=True,
        )
        counts["conversations"] += 1
        counts["messages"] += len(demo_conversation[1])
    enrolled = list(
        Enrolment.objects.filter(year=year, class_group__grade__gte=2)
        .exclude(student__in=[u.pk for u in demo.values()])
        .order_by("student_id")
        .values_list("student_id", "class_group_id")
    )
    picked = rng.sample(enrolled, min(OTHER_CONVERSATIONS, len(enrolled)))
    scripts = rng.sample(range(len(DIALOGUES)), len(DIALOGUES))
    guardians = {
        g.student_id: g.guardian
        for g in Guardianship.objects.filter(student_id__in=[s for s, _g in picked])
        .select_related("guardian")
        .order_by("-pk")
    }
    children = User.objects.in_bulk([s for s, _g in picked])
    for number, (student_id, group_id) in enumerate(picked):
        options = by_group.get(group_id)
        if student_id not in guardians or not options:
            continue
        assignment = rng.choice(options)
        _conversation, messages = _direct(
            school,
            rng,
            today,
            DIALOGUES[scripts[number % len(scripts)]],
            teacher=assignment.teacher,
            parent=guardians[student_id],
            child=children[student_id],
            subject=assignment.subject.name_ru,
            days_ago=rng.randint(5, 40),
        )
        counts["conversations"] += 1
        counts["messages"] += len(messages)
    announcement = _announcement(school=school, year=year, today=today, rng=rng, groups=groups, demo=demo)
    if announcement is not None:
        counts["conversations"] += 1
        counts["messages"] += announcement[1]
    if teacher is not None and parent is not None and child is not None:
        counts["notifications"] = _demo_notifications(
            school=school,
            year=year,
            today=today,
            parent=parent,
            child=child,
            conversation=demo_conversation,
            announcement=announcement,
        )
    return counts


def _announcement(
    *,
    school: School,
    year: AcademicYear,
    today: dt.date,
    rng: random.Random,
    groups: dict[int, ClassGroup],
    demo: dict[str, User],
) -> tuple[Conversation, int, Message] | None:
    """Two announcements of the class teacher to the families of the demo class (or the first class)."""
    teacher = demo.get("teacher")
    ordered = sorted(groups.values(), key=lambda g: (g.grade < 5, g.grade, g.letter))
    group = next((g for g in ordered if teacher is not None and g.class_teacher_id == teacher.pk), None)
    group = group or next((g for g in ordered if g.class_teacher is not None), None)
    if group is None or group.class_teacher is None:
        return None
    author = group.class_teacher
    families = list(
        Guardianship.objects.filter(student__enrolments__class_group=group)
        .order_by("guardian_id")
        .values_list("guardian_id", flat=True)
        .distinct()
    )
    meeting = today + dt.timedelta(days=3)
    times = [_at(rng, today - dt.timedelta(days=days)) for days, _body in ANNOUNCEMENTS]
    conversation = Conversation.objects.create(
        school=school,
        kind=Conversation.Kind.ANNOUNCEMENT,
        topic=f"{group.grade}-{group.letter}: объявления классного руководителя",
        class_group=group,
        created_by=author,
        last_message_at=times[-1],
    )
    Conversation.objects.filter(pk=conversation.pk).update(created_at=times[0])
    messages = Message.objects.bulk_create(
        Message(
            conversation=conversation,
            author=author,
            body=body.format(
                meeting=f"{meeting.day} {MONTHS_GENITIVE[meeting.month - 1]}",
                room=group.home_room.name if group.home_room else "",
            ),
        )
        for _days, body in ANNOUNCEMENTS
    )
    for message, at in zip(messages, times, strict=True):
        Message.objects.filter(pk=message.pk).update(created_at=at)
        message.created_at = at
    # Most families have read the older announcement; the new one is still unread by many.
    readers = [Participant(conversation=conversation, user=author, can_write=True, last_read_at=times[-1])]
    for guardian in families:
        draw = rng.random()
        read = times[-1] if draw < 0.4 else times[0] if draw < 0.85 else None
        if demo.get("parent") is not None and guardian == demo["parent"].pk:
            read = times[0]
        readers.append(
            Participant(conversation=conversation, user_id=guardian, can_write=False, last_read_at=read)
        )
    Participant.objects.bulk_create(readers)
    return conversation, len(messages), messages[-1]


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _demo_notifications(
    *,
    school: School,
    year: AcademicYear,
    today: dt.date,
    parent: User,
    child: User,
    conversation: tuple[Conversation, Sequence[Message]] | None,
    announcement: tuple[Conversation, int, Message] | None,
) -> int:
    """The demo family's latest notifications: two marks, a homework, the messages. They are made
    the way live ones are — an outbox event delivered through the real handlers — then back-dated."""
    events: list[tuple[str, dict[str, Any], dt.datetime]] = []
    marks = list(
        Mark.objects.filter(student=child, value__isnull=False, date__lt=today).order_by("-date", "-pk")[:2]
    )
    for mark in reversed(marks):
        payload = {
            "mark_id": mark.pk,
            "student_id": child.pk,
            "lesson_id": mark.lesson_id,
            "subject_id": mark.subject_id,
            "date": mark.date.isoformat(),
            "value": mark.value,
            "old_value": None,
            "weight": mark.weight,
            "control_form_id": mark.control_form_id,
            "change": "created",
            "actor_id": mark.created_by_id,
        }
        events.append(("journal.mark", payload, _local(mark.date, dt.time(15, 30))))
    enrolment = Enrolment.objects.filter(year=year, student=child).first()
    if enrolment is not None:
        subgroups = list(
            SubgroupMembership.objects.filter(student=child).values_list("subgroup_id", flat=True)
        )
        homework = (
            Homework.objects.filter(
                Q(class_group_id=enrolment.class_group_id, subgroup__isnull=True)
                | Q(subgroup_id__in=subgroups),
                lesson__date__lt=today,
            )
            .select_related("lesson")
            .order_by("-lesson__date", "-pk")
            .first()
        )
        if homework is not None:
            payload = {
                "homework_id": homework.pk,
                "class_group_id": homework.class_group_id,
                "subgroup_id": homework.subgroup_id,
                "subject_id": homework.subject_id,
                "due_on": homework.due_on.isoformat(),
                "change": "created",
                "actor_id": homework.created_by_id,
            }
            events.append(("homework.set", payload, _local(homework.lesson.date, dt.time(16, 0))))
    latest = []
    if conversation is not None:
        latest.append((conversation[0], conversation[1][-1]))
    if announcement is not None:
        latest.append((announcement[0], announcement[2]))
    for thread, last in latest:
        payload = {"message_id": last.pk, "conversation_id": thread.pk, "actor_id": last.author_id}
        events.append(("messaging.message", payload, last.created_at))
    made = 0
    for kind, payload, at in events:
        event = OutboxEvent.objects.create(kind=kind, payload=payload, school_id=school.pk)
        deliver(event.pk)
        made += Notification.objects.filter(event_id=event.pk).update(created_at=at)
    return made
