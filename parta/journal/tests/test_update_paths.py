"""Rules tested on their create path, tested again on the update path and through the page that
uses them (issue 17, item 11): the closed period's reason on changing a mark or an attendance
entry, and the school's rounding threshold in the journal page's period-mark suggestion."""

from __future__ import annotations

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from parta.journal import services
from parta.journal.models import Attendance, GradingScheme, JournalChange, Mark
from parta.journal.tests.conftest import Journal, client_for, j
from parta.outbox.models import OutboxEvent


def _unchanged(kind: str, count: int) -> bool:
    return JournalChange.objects.filter(kind=kind).count() == count


def test_changing_a_mark_in_a_closed_period_needs_a_reason_and_the_history_keeps_it(journal: Journal) -> None:
    client = client_for(journal.teacher)
    created = client.post(
        "/api/v1/marks",
        {"lesson": journal.lesson.pk, "student": journal.student.pk, "value": 4},
        format="json",
    ).json()
    services.period_close(journal.admin, journal.q1.pk)
    url = f"/api/v1/marks/{created['id']}"
    events = OutboxEvent.objects.count()
    refused = client.patch(url, {"value": 5, "version": created["version"]}, format="json")
    assert refused.status_code == 400, refused.content
    assert "reason" in refused.json()["errors"]
    assert Mark.objects.get().value == 4
    assert _unchanged("mark", 1) and OutboxEvent.objects.count() == events
    accepted = client.patch(
        url, {"value": 5, "version": created["version"], "reason": "Retake after illness"}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    change = JournalChange.objects.filter(kind="mark").latest("pk")
    assert change.reason == "Retake after illness"
    assert (j(change.old)["value"], j(change.new)["value"]) == (4, 5)


def test_changing_attendance_in_a_closed_period_needs_a_reason_and_the_history_keeps_it(
    journal: Journal,
) -> None:
    client = client_for(journal.teacher)
    url = f"/api/v1/lessons/{journal.lesson.pk}/attendance/{journal.student.pk}"
    entry = client.put(url, {"status": "absent"}, format="json").json()["attendance"]
    services.period_close(journal.admin, journal.q1.pk)
    events = OutboxEvent.objects.count()
    for status in ("late", None):  # a change, and the removal (present after all)
        refused = client.put(url, {"status": status, "version": entry["version"]}, format="json")
        assert refused.status_code == 400, refused.content
        assert "reason" in refused.json()["errors"]
        assert Attendance.objects.get().status == "absent"
        assert _unchanged("attendance", 1) and OutboxEvent.objects.count() == events
    accepted = client.put(
        url, {"status": "late", "version": entry["version"], "reason": "Came with a note"}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    change = JournalChange.objects.filter(kind="attendance").latest("pk")
    assert change.reason == "Came with a note"
    assert (j(change.old)["status"], j(change.new)["status"]) == ("absent", "late")


def test_the_journal_page_suggests_period_marks_by_the_schools_threshold(journal: Journal) -> None:
    # 3 and 4 at equal weights: 3.50, which is 4 under ordinary rounding and 3 under a 0.60 rule.
    for lesson, value in zip(journal.lessons, (3, 4), strict=False):
        services.mark_create(journal.teacher, lesson_id=lesson.pk, student_id=journal.student.pk, value=value)
    client = Client()
    client.force_login(journal.teacher)
    url = reverse("journal-grid", args=[journal.assignment.pk]) + f"?period={journal.q1.pk}"

    def suggestion() -> str:
        page = client.get(url).content.decode()
        cell = re.search(rf'id="sug-{journal.student.pk}"[^>]*>([^<]*)<', page)
        assert cell is not None
        return cell.group(1).strip()

    assert suggestion() == "4"
    scheme = GradingScheme.objects.get(school=journal.school, subject__isnull=True)
    scheme.round_up_from = Decimal("0.60")
    scheme.save(update_fields=["round_up_from"])
    assert suggestion() == "3"
