"""The family's "entered at 08:12 / left at 14:35": two notification kinds, and the outbox handler
that makes them from the turnstiles' events (``ingest.OUTBOX_KIND``, one row per passage of a child
with a guardian). Registered by ``passage.apps`` through messaging's registry.

The child's guardians are told (the child, who walked through the turnstile, is not). A passage
that happened more than ``PUSH_MINUTES`` before the notification is made — a device's backlog
after a network outage, or a worker that was down — is told in the app alone: a phone buzzing at
noon with the morning's entries tells nobody anything (docs/decisions/0017-passage.md). Whoever
chose per child (messaging's preferences) gets each child's as chosen. Like every other kind, in
the app by default; push and e-mail as the guardian chooses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.accounts.selectors import guardians_of, names_of
from parta.messaging.kinds import Payload, about_student, date_text, person_fields, register_kind
from parta.messaging.notifications import Notice, notify
from parta.outbox.handlers import payload_id, payload_ids, register
from parta.outbox.models import OutboxEvent
from parta.passage.ingest import OUTBOX_KIND

ENTERED = "passage.entered"
LEFT = "passage.left"
# Older passages than this are told in the app only.
PUSH_MINUTES = int(getattr(settings, "PARTA_PASSAGE_PUSH_MINUTES", 30))


def _moment(p: Payload) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(p.get("at")))
    except ValueError:
        return None


def _when(p: Payload) -> dict[str, str]:
    """The time (08:12) and, for another day than today, the date."""
    moment = _moment(p)
    if moment is None:
        return {"time": "", "date": ""}
    local = timezone.localtime(moment)
    day = local.date()
    return {
        "time": formats.time_format(local.time(), "H:i"),
        "date": "" if day == timezone.localdate() else date_text(day.isoformat()),
    }


def render_entered(p: Payload) -> str:
    when = _when(p)
    if when["date"]:
        return _("entered school at %(time)s on %(date)s") % when
    return _("entered school at %(time)s") % when


def render_left(p: Payload) -> str:
    when = _when(p)
    if when["date"]:
        return _("left school at %(time)s on %(date)s") % when
    return _("left school at %(time)s") % when


def link(p: Payload) -> str:
    student_id = payload_id(p.get("student_id"))
    return reverse("passage-child", args=[student_id]) if student_id else ""


def register_kinds() -> None:
    register_kind(
        ENTERED,
        label=gettext_lazy("entered school (turnstile)"),
        render=render_entered,
        link=link,
        about=about_student,
    )
    register_kind(
        LEFT,
        label=gettext_lazy("left school (turnstile)"),
        render=render_left,
        link=link,
        about=about_student,
    )


@register(OUTBOX_KIND)
def notify_passages(events: Sequence[OutboxEvent]) -> None:
    """Each passage of a child, told to the child's guardians: two queries for the whole batch."""
    events = [event for event in events if payload_id(event.payload.get("student_id")) is not None]
    students = payload_ids(events, "student_id")
    names, guardians = names_of(students), guardians_of(students)
    now = timezone.now()
    window = dt.timedelta(minutes=PUSH_MINUTES)
    notices = []
    for event in events:
        p = event.payload
        student_id = p["student_id"]
        moment = _moment({"at": p.get("occurred_at")})
        payload = {
            "passage_id": p.get("passage_id"),
            "student_id": student_id,
            "at": p.get("occurred_at"),
            **person_fields("student_name", names.get(student_id)),
        }
        notices.append(
            Notice(
                guardians.get(student_id, set()),
                ENTERED if p.get("direction") == "in" else LEFT,
                payload,
                event.school_id,
                event.pk,
                in_app_only=moment is None or now - moment > window,
            )
        )
    notify(notices)
