"""A family's notification of a mark, an absence or a remark leads to the diary at the lesson's day
(the diary gives the journal's kinds their links); the class teacher's absence notice leads to the
journal's own list."""

from __future__ import annotations

import pytest

from parta.messaging.notifications import link_of


@pytest.mark.parametrize(
    ("kind", "payload", "link"),
    [
        ("mark", {"student_id": 7, "date": "2026-09-07"}, "/diary/7/?date=2026-09-07"),
        ("mark", {"student_id": 7}, "/diary/7/"),
        ("attendance", {"student_id": 7, "date": "2026-09-07"}, "/diary/7/?date=2026-09-07"),
        ("remark", {"student_id": 7, "date": "2026-09-07"}, "/diary/7/?date=2026-09-07"),
        ("attendance", {"student_id": 7, "notice_id": 3}, "/diary/7/attendance/"),
        ("attendance", {"student_id": 7, "notice_id": 3, "for_staff": True}, "/journal/"),
        ("mark", {}, ""),
    ],
)
def test_the_journals_kinds_lead_families_to_the_diary(
    kind: str, payload: dict[str, object], link: str
) -> None:
    assert link_of(kind, payload) == link
