"""Where a family's notification of a mark or an attendance entry leads: the diary, which the
journal below it may not name. Given to the journal's kinds by ``DiaryConfig.ready``."""

from __future__ import annotations

from django.urls import reverse

from parta.journal.notifications import ATTENDANCE, MARK
from parta.messaging.kinds import Payload, register_link
from parta.outbox.handlers import payload_id


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
    for kind in (MARK, ATTENDANCE):
        register_link(kind, family_link)
