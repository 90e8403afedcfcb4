"""Where a family's notification of a mark, an attendance entry, a remark or a changed lesson leads:
the diary, which the journal and the timetable below it may not name. Given to their kinds by
``DiaryConfig.ready``."""

from __future__ import annotations

from django.urls import reverse

from parta.journal.notifications import ATTENDANCE, MARK, REMARK
from parta.messaging.kinds import Payload, register_link
from parta.outbox.handlers import payload_id
from parta.timetable.notifications import LESSON_CHANGE


def family_link(p: Payload) -> str:
    """The child's attendance page for an absence notice; else the diary's week of the lesson, at
    its day (what a phone shows of the week)."""
    student_id = payload_id(p.get("student_id"))
    if student_id is None:
        return ""
    if p.get("notice_id"):
        return reverse("diary-attendance", args=[student_id])
    url = reverse("diary-week", args=[student_id])
    return f"{url}?date={p['date']}" if p.get("date") else url


def register_links() -> None:
    for kind in (MARK, ATTENDANCE, REMARK, LESSON_CHANGE):
        register_link(kind, family_link)
