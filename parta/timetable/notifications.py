"""The timetable's notification kind, a lesson's substitution, hand-back, cancellation or
restoration, and the outbox handler that makes it. Registered by ``TimetableConfig.ready``
through messaging's registry.

``timetable.lesson_change`` tells the class's students (a subgroup's lesson: its members) and their
guardians, and the teachers concerned: the one who teaches it now, the one who taught it before the
change and the planned one; never the administrator who made the change. A family's notification
leads to the diary's week (the diary gives the link: ``parta.diary.apps``), a teacher's to their
own timetable's week.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.accounts.selectors import names_of
from parta.messaging.kinds import (
    Payload,
    about_fields,
    about_student,
    bilingual,
    date_text,
    person,
    person_fields,
    register_kind,
)
from parta.messaging.notifications import Notice, notify_each
from parta.outbox.handlers import payload_id, register
from parta.outbox.models import OutboxEvent
from parta.schools.selectors import group_readers, subject_names
from parta.timetable.services.changes import LESSON_CHANGE_EVENT

LESSON_CHANGE = "lesson_change"


def render_lesson_change(p: Payload) -> str:
    values = {
        "subject": bilingual(p.get("subject")),
        "date": date_text(p.get("date")),
        "number": p.get("number"),
        "teacher": person(p, "teacher_name"),
        "note": p.get("note") or "",
    }
    change = p.get("change")
    if change == "cancelled":
        return _("%(subject)s on %(date)s (lesson %(number)s) is cancelled: %(note)s") % values
    if change == "restored":
        return _("%(subject)s on %(date)s (lesson %(number)s) takes place after all") % values
    if change == "returned":
        return _("%(subject)s on %(date)s (lesson %(number)s) is taught by %(teacher)s again") % values
    return _("%(subject)s on %(date)s (lesson %(number)s): %(teacher)s substitutes") % values


def _teacher_link(p: Payload) -> str:
    """A teacher's notification leads to their timetable's week; a family's gets the diary's."""
    if not p.get("for_staff"):
        return ""
    url = reverse("timetable")
    return f"{url}?week={p['date']}" if p.get("date") else url


def register_kinds() -> None:
    register_kind(
        LESSON_CHANGE,
        label=gettext_lazy("timetable change"),
        render=render_lesson_change,
        link=_teacher_link,
        about=about_student,
    )


def _lesson_change(event: OutboxEvent) -> Notice | None:
    p = event.payload
    families = group_readers(payload_id(p.get("class_group_id")), payload_id(p.get("subgroup_id")))
    teachers = {
        pk
        for key in ("teacher_id", "previous_teacher_id", "planned_teacher_id")
        if (pk := payload_id(p.get(key))) is not None
    } - set(families)
    teacher_id = payload_id(p.get("teacher_id"))
    names = names_of(set(families.values()) | ({teacher_id} if teacher_id else set()))
    subject_id = payload_id(p.get("subject_id"))
    subjects = subject_names({subject_id} if subject_id is not None else set())
    payload = {
        **p,
        "subject": subjects.get(subject_id or 0) or {"ru": "", "en": ""},
        **person_fields("teacher_name", names.get(teacher_id or 0)),
    }
    extra = about_fields(families, names) | {pk: {"for_staff": True} for pk in teachers}
    return Notice(
        recipient_ids=set(families) | teachers,
        kind=LESSON_CHANGE,
        payload=payload,
        school_id=event.school_id,
        event_id=event.pk,
        extra=extra,
        actor_id=p.get("actor_id"),
    )


notify_lesson_change = register(LESSON_CHANGE_EVENT)(notify_each(_lesson_change))
