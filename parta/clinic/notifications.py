"""The sick note's notification kind and the outbox handler that makes it: the student's guardians
and the class teacher of the student's class group are told once per note recorded, amended or
withdrawn — not once per lesson (the journal's entries of a note tell nobody). Registered by
``ClinicConfig.ready`` through messaging's registry."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parta.accounts.selectors import guardians_of, names_of
from parta.messaging.kinds import Payload, about_student, date_text, person_fields, register_kind
from parta.messaging.notifications import Notice, notify_each
from parta.outbox.handlers import payload_id, register
from parta.outbox.models import OutboxEvent
from parta.schools.models import Enrolment

KIND = "sick_note"


def render_note(p: Payload) -> str:
    start, end = date_text(p.get("starts_on")), date_text(p.get("ends_on"))
    dates = (
        start
        if p.get("starts_on") == p.get("ends_on")
        else _("%(start)s – %(end)s") % {"start": start, "end": end}
    )
    raw = p.get("lessons")
    lessons = raw if isinstance(raw, int) else 0
    change = p.get("change")
    if change == "withdrawn":
        return _(
            "The clinic withdrew its sick note for %(dates)s; the journal shows the lessons as they were."
        ) % {"dates": dates}
    values = {"dates": dates, "lessons": lessons}
    if change == "amended":
        return (
            ngettext(
                "The clinic changed its sick note: ill %(dates)s, %(lessons)d lesson marked as illness.",
                "The clinic changed its sick note: ill %(dates)s, %(lessons)d lessons marked as illness.",
                lessons,
            )
            % values
        )
    return (
        ngettext(
            "Sick note from the clinic: ill %(dates)s, %(lessons)d lesson marked as illness.",
            "Sick note from the clinic: ill %(dates)s, %(lessons)d lessons marked as illness.",
            lessons,
        )
        % values
    )


def _link(p: Payload) -> str:
    """The class teacher's notification leads to the note; the family's to nothing of ours (the
    diary shows the sick days)."""
    note_id = payload_id(p.get("note_id"))
    return reverse("clinic-note", args=[note_id]) if p.get("for_staff") and note_id is not None else ""


def register_kinds() -> None:
    register_kind(
        KIND,
        label=gettext_lazy("sick note from a clinic"),
        render=render_note,
        link=_link,
        about=about_student,
    )


def _note(event: OutboxEvent) -> Notice | None:
    p = event.payload
    student_id = payload_id(p.get("student_id"))
    if student_id is None:
        return None
    enrolments = Enrolment.objects.filter(student_id=student_id)
    if isinstance(p.get("starts_on"), str) and isinstance(p.get("ends_on"), str):
        enrolments = enrolments.filter(year__starts_on__lte=p["ends_on"], year__ends_on__gte=p["starts_on"])
    class_teacher_id = (
        enrolments.order_by("year__starts_on").values_list("class_group__class_teacher_id", flat=True).first()
    )
    guardians = guardians_of({student_id})[student_id]
    staff = {class_teacher_id} - guardians if class_teacher_id else set()
    return Notice(
        recipient_ids=guardians | staff,
        kind=KIND,
        payload={**p, **person_fields("student_name", names_of({student_id}).get(student_id))},
        school_id=event.school_id,
        event_id=event.pk,
        extra={pk: {"for_staff": True} for pk in staff},
    )


notify_note = register("clinic.note")(notify_each(_note))
