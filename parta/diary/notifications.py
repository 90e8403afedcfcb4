"""Where a family's notification of a mark, an attendance entry or a changed lesson leads: the
diary, which the journal and the timetable below it may not name. Given to their kinds by
``DiaryConfig.ready``."""

from __future__ import annotations

from django.urls import reverse

from parta.journal.notifications import ATTENDANCE, MARK
from parta.messaging.kinds import Payload, register_link
from parta.outbox.handlers import payload_id
from parta.timetable.notifications import LESSON_CHANGE


def family_link(p: Payload) -> str:
    """The child's attendance page for an absence notice; else the diary's week of the lesson."""
    student_id = payload_id(p.get("student_id"))
    if student_id is None:
        return ""
    if p.get("notice_id"):
        return reverse("diary-attendance", args=[student_id])
    url = reverse("diary-week", args=[student_id])
    return f"{url}?week={p['date']}" if p.get("date") else url


def register_links() -> None:
    for kind in (MARK, ATTENDANCE, LESSON_CHANGE):
        register_link(kind, family_link)
