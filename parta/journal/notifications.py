"""The journal's notification kinds (a mark, an attendance entry or an absence notice) and the outbox
handlers that make them. Registered by ``JournalConfig.ready`` through messaging's registry.

Who is told:
- ``journal.mark``, ``journal.attendance``, ``journal.remark``: the student and the student's
  guardians;
- ``journal.absence_notice``: the class teacher of the student's class group and the student's
  guardians (one notification each per notice, not one per excused lesson).
The person who made the change is never told of it. Each handler stores in the notification's
payload what its text needs (names in both languages), so that reading a list is one query. Marks
and attendance, the morning's stream, are read for the whole batch the worker hands over at once
(a few queries per batch); absence notices event by event.

A family's notification leads to the diary, which gives these kinds their links
(``parta.diary.apps``); the journal links only the class teacher's notice to its own list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pytrovich.enums import Case

from parta.accounts.selectors import guardians_of, names_of
from parta.journal.scales import display
from parta.messaging.kinds import (
    Payload,
    about_student,
    bilingual,
    date_text,
    person,
    person_fields,
    register_kind,
)
from parta.messaging.notifications import Notice, notify, notify_each, student_notices
from parta.outbox.handlers import payload_id, payload_ids, register
from parta.outbox.models import OutboxEvent

MARK = "mark"
ATTENDANCE = "attendance"
REMARK = "remark"


# --- texts and links ---------------------------------------------------------------------


def _mark_value(p: Payload, key: str) -> str:
    value = p.get(key)
    return display(str(p.get("scale") or "five"), value if isinstance(value, int) else None)


def render_mark(p: Payload) -> str:
    values = {
        "value": _mark_value(p, "value"),
        "old": _mark_value(p, "old_value"),
        "subject": bilingual(p.get("subject")),
        "form": bilingual(p.get("control_form")),
        "weight": p.get("weight") or 1,
    }
    change = p.get("change")
    if change == "deleted":
        return _("Mark %(old)s in %(subject)s removed") % values
    if p.get("value") is None:
        return _("A mark in %(subject)s is owed") % values
    if change == "changed":
        if values["form"]:
            return _(
                "Mark in %(subject)s changed from %(old)s to %(value)s (%(form)s, weight %(weight)s)"
            ) % (values)
        return _("Mark in %(subject)s changed from %(old)s to %(value)s (weight %(weight)s)") % values
    if values["form"]:
        return _("New mark %(value)s in %(subject)s (%(form)s, weight %(weight)s)") % values
    return _("New mark %(value)s in %(subject)s (weight %(weight)s)") % values


def _render_notice(p: Payload) -> str:
    """A family's absence notice: one notification for the whole notice."""
    start, end = date_text(p.get("starts_on")), date_text(p.get("ends_on"))
    dates = (
        start
        if p.get("starts_on") == p.get("ends_on")
        else _("%(start)s – %(end)s")
        % {
            "start": start,
            "end": end,
        }
    )
    values = {
        "student": person(p, "student_name", Case.GENITIVE),
        "dates": dates,
        "reason": p.get("reason") or "",
    }
    if p.get("change") == "withdrawn":
        # Translators: %(student)s is in the genitive case («об отсутствии Петрова И. С.»).
        return _("Absence notice for %(student)s withdrawn: %(dates)s") % values
    # Translators: %(student)s is in the genitive case («об отсутствии Петрова И. С.»).
    return _("Absence notice for %(student)s: %(dates)s — %(reason)s") % values


def render_attendance(p: Payload) -> str:
    if p.get("notice_id"):
        return _render_notice(p)
    values = {"subject": bilingual(p.get("subject")), "date": date_text(p.get("date"))}
    status = p.get("status")
    if p.get("change") == "deleted" or not status:
        return _("Attendance mark for %(subject)s on %(date)s removed") % values
    texts = {
        "absent": _("Absent from %(subject)s on %(date)s"),
        "late": _("Late for %(subject)s on %(date)s"),
        "sick": _("Ill, missed %(subject)s on %(date)s"),
        "excused": _("Excused from %(subject)s on %(date)s"),
    }
    return texts.get(str(status), _("Attendance in %(subject)s on %(date)s: %(status)s")) % {
        **values,
        "status": status,
    }


def render_remark(p: Payload) -> str:
    values = {"subject": bilingual(p.get("subject")), "date": date_text(p.get("date")), "text": p.get("text")}
    praise = p.get("kind") == "praise"
    if p.get("change") == "withdrawn":
        if praise:
            return _("Praise in %(subject)s on %(date)s withdrawn") % values
        return _("Remark in %(subject)s on %(date)s withdrawn") % values
    if praise:
        return _("Praise in %(subject)s: %(text)s") % values
    return _("Remark in %(subject)s: %(text)s") % values


def _about_attendance(p: Payload) -> tuple[Any, str] | None:
    # An absence notice names the child in its text already.
    return None if p.get("notice_id") else about_student(p)


def _staff_link(p: Payload) -> str:
    """The class teacher sees absence notices on the journal list; the rest leads to the diary."""
    staff = p.get("for_staff") or payload_id(p.get("student_id")) is None
    return reverse("journal") if p.get("notice_id") and staff else ""


def register_kinds() -> None:
    register_kind(
        MARK, label=gettext_lazy("mark"), render=render_mark, link=lambda p: "", about=about_student
    )
    register_kind(
        ATTENDANCE,
        label=gettext_lazy("absence"),
        render=render_attendance,
        link=_staff_link,
        about=_about_attendance,
    )
    register_kind(
        REMARK,
        label=gettext_lazy("remark or praise"),
        render=render_remark,
        link=lambda p: "",
        about=about_student,
    )


# --- outbox handlers ---------------------------------------------------------------------


@register("journal.mark")
def notify_marks(events: Sequence[OutboxEvent]) -> None:
    from parta.journal.models import ControlForm, Mark

    form_ids, mark_ids = payload_ids(events, "control_form_id"), payload_ids(events, "mark_id")
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
            "control_form": forms.get(payload_id(p.get("control_form_id")) or 0),
            "scale": scales.get(payload_id(p.get("mark_id")) or 0) or "five",
        }

    notify(student_notices(events, MARK, extra))


@register("journal.attendance")
def notify_attendance(events: Sequence[OutboxEvent]) -> None:
    # An entry whose writer tells the family itself, once for many (a clinic's sick note), is not
    # told lesson by lesson.
    told = [event for event in events if event.payload.get("notify", True) is not False]
    notify(student_notices(told, ATTENDANCE, lambda event: {}))


@register("journal.remark")
def notify_remarks(events: Sequence[OutboxEvent]) -> None:
    notify(student_notices(events, REMARK, lambda event: {}))


def _absence_notice(event: OutboxEvent) -> Notice | None:
    """One notification per recipient for a notice made or withdrawn: the class teacher of the
    student's class group (for the notice's days) and the student's other guardians."""
    from parta.schools.models import Enrolment

    p = event.payload
    student_id = payload_id(p.get("student_id"))
    if student_id is None:
        return None
    enrolments = Enrolment.objects.filter(student_id=student_id)
    if isinstance(p.get("starts_on"), str):
        enrolments = enrolments.filter(year__ends_on__gte=p["starts_on"])
    class_teacher_id = (
        enrolments.order_by("year__starts_on").values_list("class_group__class_teacher_id", flat=True).first()
    )
    guardians = guardians_of({student_id})[student_id]
    staff = {class_teacher_id} - guardians if class_teacher_id else set()
    return Notice(
        recipient_ids=guardians | staff,
        kind=ATTENDANCE,
        payload={**p, **person_fields("student_name", names_of({student_id}).get(student_id))},
        school_id=event.school_id,
        event_id=event.pk,
        extra={pk: {"for_staff": True} for pk in staff},
        actor_id=p.get("actor_id"),
    )


notify_absence_notice = register("journal.absence_notice")(notify_each(_absence_notice))
