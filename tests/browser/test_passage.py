"""The class teacher's "in the building now" in a real Chromium (issue: passage, meals and sick
notes): who of the class the turnstiles saw come in, and the lessons where the turnstile says
otherwise than the journal — the class teacher accepts the flags at their own lesson (the journal
changes, with "turnstile" as the source), the subject teacher answers theirs on the page of their
lessons today. Desk and phone, Russian and English, axe, screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from parta.journal.models import Attendance, JournalChange
from parta.passage.models import Card, FlagDecision
from parta.passage.tests.conftest import make_gate
from parta.schools.models import TeachingAssignment
from parta.testing import factories as f
from parta.testing.world import MONDAY, World
from parta.timetable.models import Lesson
from tests.browser.test_assessment import (
    DESK,
    PHONE,
    closed,
    fits,
    in_english,
    no_serious_axe_problems,
    open_as,
    screenshot,
)

pytestmark = pytest.mark.browser

# 10:30 on the world's Monday: lesson 1 (09:00, the class teacher's Russian) and lesson 2 (10:00,
# the subject teacher's algebra) have begun.
NOW = timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(10, 30)))


def at(hour: int, minute: int) -> str:
    return timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(hour, minute))).isoformat()


@pytest.fixture
def morning(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[World, Lesson]:
    """The student came at 08:40 yet is marked absent at both lessons; the classmate never came and
    is marked nothing."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    a = world.a
    russian = TeachingAssignment.objects.get(class_group=a.group, teacher=a.class_teacher)
    first = f.LessonFactory.create(assignment=russian, date=MONDAY, number=1)
    for lesson in (first, a.lesson):
        f.AttendanceFactory.create(lesson=lesson, student=a.student)
    Card.objects.create(school=a.school, holder=a.student, number="7700000001")
    Card.objects.create(school=a.school, holder=a.classmate, number="7700000002")
    gate = make_gate(a.school.pk)
    answer = gate.post(
        {"events": [{"event_id": "m1", "card": "7700000001", "direction": "in", "occurred_at": at(8, 40)}]}
    )
    assert answer.status_code == 200 and answer.json()["accepted"] == 1
    return world, first


def flag_row(page: Any, kind: str, lesson: Lesson, student_id: int) -> Any:
    return page.locator(f'li[data-flag="{kind}"][data-lesson="{lesson.pk}"][data-student="{student_id}"]')


def test_the_class_teacher_sees_who_is_in_and_corrects_the_journal(
    chromium: Any, live_server: Any, morning: tuple[World, Lesson]
) -> None:
    world, first = morning
    a = world.a
    url = f"{live_server.url}/passage/classes/{a.group.pk}/"

    context, page = open_as(chromium, live_server, a.class_teacher, DESK)
    try:
        page.goto(url)
        page.get_by_role("heading", name="В здании: 1", exact=True).wait_for()
        assert page.locator('[data-testid="inside"] li').all_inner_texts()[0].startswith(a.student.last_name)
        assert page.locator('[data-testid="outside"] li').count() == 1
        # Two lessons begun × two students; the class teacher answers only at their own lesson.
        assert page.locator('[data-testid="flags"] li').count() == 4
        assert flag_row(page, "absent_but_entered", first, a.student.pk).get_by_role("button").count() == 2
        assert flag_row(page, "absent_but_entered", a.lesson, a.student.pk).get_by_role("button").count() == 0
        assert "вход в 08:40" in flag_row(page, "absent_but_entered", first, a.student.pk).inner_text()
        no_serious_axe_problems(page)
        screenshot(page, "passage-class-desk-ru")

        flag_row(page, "absent_but_entered", first, a.student.pk).get_by_role(
            "button", name="Принять"
        ).click()
        page.get_by_text("Журнал исправлен.").wait_for()
        assert flag_row(page, "absent_but_entered", first, a.student.pk).count() == 0
        flag_row(page, "present_but_not_entered", first, a.classmate.pk).get_by_role(
            "button", name="Принять"
        ).click()
        page.get_by_text("Журнал исправлен.").wait_for()
        assert page.locator('[data-testid="flags"] li').count() == 2
    finally:
        closed(context)
    assert not Attendance.objects.filter(lesson=first, student=a.student).exists()
    change = JournalChange.objects.filter(lesson=first, student=a.student).latest("id")
    assert (change.actor_id, change.reason) == (a.class_teacher.pk, "Турникет: вход в 08:40")
    entry = Attendance.objects.get(lesson=first, student=a.classmate)
    assert (entry.status, entry.source) == ("absent", "turnstile")
    # The subject teacher's lesson keeps its absence until its teacher answers.
    assert Attendance.objects.filter(lesson=a.lesson, student=a.student).exists()

    context, page = open_as(chromium, live_server, a.class_teacher, PHONE)
    try:
        page.goto(url)
        in_english(page)
        page.get_by_role("heading", name="In the building: 1", exact=True).wait_for()
        page.get_by_text("marked absent, but entered at 08:40").wait_for()
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "passage-class-phone-en")
    finally:
        closed(context)


def test_the_subject_teacher_answers_the_flags_of_their_lessons_on_a_phone(
    chromium: Any, live_server: Any, morning: tuple[World, Lesson]
) -> None:
    world, _first = morning
    a = world.a
    context, page = open_as(chromium, live_server, a.subject_teacher, PHONE)
    try:
        page.goto(f"{live_server.url}/passage/today/")
        rows = page.locator('[data-testid="flags"] li')
        rows.first.wait_for()
        assert rows.count() == 2
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "passage-today-phone-ru")
        flag_row(page, "present_but_not_entered", a.lesson, a.classmate.pk).get_by_role(
            "button", name="Отклонить"
        ).click()
        page.get_by_text("Расхождение отклонено.").wait_for()
        assert rows.count() == 1
        in_english(page)
        page.get_by_role("heading", name="The turnstile and the journal today").wait_for()
        no_serious_axe_problems(page)
        screenshot(page, "passage-today-phone-en")
    finally:
        closed(context)
    assert FlagDecision.objects.get().decision == "dismissed"
    assert not Attendance.objects.filter(lesson=a.lesson, student=a.classmate).exists()
