"""Homework's notification kinds and the outbox handlers that make them. Registered by
``HomeworkConfig.ready`` through messaging's registry.

``homework.set`` tells every student of the class group (of the subgroup, when it is set for one;
the chosen students, when it is set for them) and their guardians, never the teacher who set it.
``homework.checked`` tells the student and their guardians that the teacher checked the work or
returned it for rework, with the comment.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.accounts.selectors import names_of
from parta.messaging.kinds import Payload, about_fields, about_student, bilingual, date_text, register_kind
from parta.messaging.notifications import Notice, notify, notify_each, student_notices
from parta.outbox.handlers import payload_id, register
from parta.outbox.models import OutboxEvent
from parta.schools.selectors import group_readers, subject_names

HOMEWORK = "homework"
CHECKED = "homework_checked"


def render_homework(p: Payload) -> str:
    values = {"subject": bilingual(p.get("subject")), "date": date_text(p.get("due_on"))}
    changed = p.get("change") == "changed"
    if not p.get("due_on"):
        return (
            _("Homework in %(subject)s changed") if changed else _("New homework in %(subject)s")
        ) % values
    if changed:
        return _("Homework in %(subject)s for %(date)s changed") % values
    return _("Homework in %(subject)s for %(date)s") % values


def _homework_link(p: Payload) -> str:
    url = reverse("homework-list")
    student_id = p.get("student_id")
    return f"{url}?student={student_id}" if student_id else url


def render_checked(p: Payload) -> str:
    values = {"subject": bilingual(p.get("subject")), "comment": p.get("comment") or ""}
    if p.get("status") == "returned":
        return _("Homework in %(subject)s returned for rework: %(comment)s") % values
    if values["comment"]:
        return _("Homework in %(subject)s checked: %(comment)s") % values
    return _("Homework in %(subject)s checked") % values


def _work_link(p: Payload) -> str:
    homework_id = payload_id(p.get("homework_id"))
    if homework_id is None:
        return ""
    return reverse("homework-detail", args=[homework_id]) + f"?student={p.get('student_id')}"


def register_kinds() -> None:
    register_kind(
        HOMEWORK,
        label=gettext_lazy("homework"),
        render=render_homework,
        link=_homework_link,
        about=about_student,
    )
    register_kind(
        CHECKED,
        label=gettext_lazy("homework checked"),
        render=render_checked,
        link=_work_link,
        about=about_student,
    )


def _homework(event: OutboxEvent) -> Notice | None:
    p = event.payload
    # Each reader is told which child the homework is for: the student himself, or a guardian's
    # child in this class.
    about = group_readers(payload_id(p.get("class_group_id")), payload_id(p.get("subgroup_id")))
    chosen = set(p.get("student_ids") or ())
    if chosen:
        about = {reader: student for reader, student in about.items() if student in chosen}
    if not about:
        return None
    names = names_of(set(about.values()))
    subject_id = payload_id(p.get("subject_id"))
    subjects = subject_names({subject_id} if subject_id is not None else set())
    return Notice(
        recipient_ids=set(about),
        kind=HOMEWORK,
        payload={**p, "subject": subjects.get(subject_id or 0) or {"ru": "", "en": ""}},
        school_id=event.school_id,
        event_id=event.pk,
        extra=about_fields(about, names),
        actor_id=p.get("actor_id"),
    )


notify_homework = register("homework.set")(notify_each(_homework))


@register("homework.checked")
def notify_checked(events: Sequence[OutboxEvent]) -> None:
    notify(student_notices(events, CHECKED, lambda event: {}))
