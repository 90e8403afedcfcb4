"""Digital homework from end to end in a real Chromium (issue 20): a teacher builds a test of
several question types in the constructor and gives it as homework at a lesson; the student opens
it from the homework page, answers, attaches a photo to the open answer, closes the tab half-way,
comes back to the answers saved, and submits; the parent sees the status and the score; the
teacher checks the open answer, then checks the work and puts the mark into the journal from the
check screen; the parent sees it checked, with the mark. Desk and phone, Russian and English,
screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from parta.assessment.models import Answer, AnswerFile, Attempt
from parta.homework.marking import origin_of
from parta.homework.models import Homework, HomeworkCompletion, WorkStatus
from parta.journal.models import Mark
from parta.library.models import Kind, Material
from parta.schools.models import AcademicYear
from parta.testing import factories as f
from parta.testing.world import World
from tests.browser.test_assessment import (
    DESK,
    PHONE,
    closed,
    fits,
    in_english,
    no_serious_axe_problems,
    open_as,
    saved,
    screenshot,
)
from tests.browser.test_test_constructor import add_question, ending, options

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _build_the_test(chromium: Any, live_server: Any, world: World) -> Material:
    context, page = open_as(chromium, live_server, world.a.subject_teacher, DESK)
    try:
        page.goto(f"{live_server.url}/tests/new/")
        in_english(page)
        page.fill("input[name=title]", "Дроби: домашняя проверка")
        choose_subject_and_grade(page, world)
        single = add_question(page, "single choice")
        ending(single, ":text").fill("Чему равно $\\frac{1}{2} + \\frac{1}{4}$?")
        options(single, "1/6", "3/4", "2/6")
        ending(single, ":option:b:right").check()
        several = add_question(page, "multiple choice")
        ending(several, ":text").fill("Какие дроби равны одной второй?")
        options(several, "2/4", "3/5", "4/8")
        ending(several, ":option:a:right").check()
        ending(several, ":option:c:right").check()
        essay = add_question(page, "open answer")
        ending(essay, ":text").fill("Объясните, почему 2/4 и 1/2 — одно и то же число.")
        ending(essay, ":points").fill("2")
        page.click("[data-testid=save-test]")
        page.wait_for_url("**/library/materials/*/")
        page.wait_for_load_state("networkidle")
    finally:
        closed(context)
    return Material.objects.get(kind=Kind.TEST, title="Дроби: домашняя проверка")


def choose_subject_and_grade(page: Any, world: World) -> None:
    """The test's subject and grade, so that the lesson's homework form offers it."""
    page.select_option("select[name=subjects]", value=[str(world.a.assignment.subject_id)])
    page.check(f"input[name=grades][value='{world.a.group.grade}']")


def _set_homework(chromium: Any, live_server: Any, world: World, test: Material) -> Homework:
    """At today's lesson, due at the one the day after tomorrow (the form's default)."""
    today = timezone.localdate()
    # The journal takes marks within a study period: the world's first quarter is long past.
    year = AcademicYear.objects.get(school=world.a.school)
    f.StudyPeriodFactory.create(
        year=year, number=2, starts_on=today - dt.timedelta(days=20), ends_on=today + dt.timedelta(days=20)
    )
    lesson = f.LessonFactory.create(assignment=world.a.assignment, date=today, number=4)
    f.LessonFactory.create(assignment=world.a.assignment, date=today + dt.timedelta(days=2), number=4)
    context, page = open_as(chromium, live_server, world.a.subject_teacher, DESK)
    try:
        page.goto(f"{live_server.url}/lessons/{lesson.pk}/homework/")
        page.fill("textarea[name=text]", "Пройдите тест по дробям.")
        page.fill("input[name=minutes]", "20")
        page.check(f"input[name=materials][value='{test.pk}']")
        screenshot(page, "homework-set-with-a-test-desk-ru")
        page.click(".homework-form button[type=submit]")
        page.locator(".flash-success").wait_for()
    finally:
        closed(context)
    return Homework.objects.get(materials__material=test)


def test_a_test_built_given_taken_resumed_checked_and_marked(
    chromium: Any, live_server: Any, world: World
) -> None:
    test = _build_the_test(chromium, live_server, world)
    homework = _set_homework(chromium, live_server, world, test)
    assert homework.minutes == 20
    student = world.a.student

    # The student, on a phone: from the homework list to the test, half the answers, then the tab closes.
    context, page = open_as(chromium, live_server, student, PHONE)
    try:
        page.goto(f"{live_server.url}/homework/")
        item = page.locator(f"#homework-{homework.pk}")
        assert "20" in (item.text_content() or "")
        item.locator(f'a[href="/homework/{homework.pk}/?student={student.pk}"]').click()
        page.wait_for_url(f"**/homework/{homework.pk}/?student={student.pk}")
        fits(page, PHONE["width"])
        screenshot(page, "homework-work-student-phone-ru")
        page.click(f'a[href="/tests/{test.pk}/?homework={homework.pk}"]')
        page.click("[data-start] button")
        page.wait_for_url("**/attempts/*/")
        attempt = Attempt.objects.get(student=student)
        assert attempt.homework_id == homework.pk
        by_type = {q["type"]: q["id"] for q in attempt.version.content["test"]["sections"][0]["questions"]}
        page.check(f"#q-{by_type['single']} input[value=b]")
        saved(page, by_type["single"])
        essay = by_type["open"]
        page.fill(f"#q-{essay}-input", "Если числитель и знаменатель умножить на 2, дробь не меняется.")
        page.set_input_files(
            f"#q-{essay}-files", files=[{"name": "working.png", "mimeType": "image/png", "buffer": PNG}]
        )
        page.locator(f"#q-{essay} [data-file-list] li").wait_for()
        saved(page, essay)
        page.wait_for_load_state("networkidle")
        attempt_url = page.url
        page.close()  # the tab is closed half-way

        page = context.new_page()
        page.goto(f"{live_server.url}/homework/{homework.pk}/")
        assert page.locator(".badge.work-in_progress").count() == 1
        page.click(f'a[href="/tests/{test.pk}/?homework={homework.pk}"]')
        page.click("[data-start] button")  # resumes
        page.wait_for_url(attempt_url)
        assert page.is_checked(f"#q-{by_type['single']} input[value=b]")
        assert page.input_value(f"#q-{essay}-input").startswith("Если числитель")
        assert page.locator(f"#q-{essay} [data-file-list] li").count() == 1
        several = by_type["multiple"]
        page.check(f"#q-{several} input[value=a]")
        page.check(f"#q-{several} input[value=c]")
        saved(page, several)
        fits(page, PHONE["width"])
        screenshot(page, "homework-test-resumed-phone-ru")
        page.click("[data-submit-form] button")
        page.locator("[data-submit-dialog]").wait_for()
        page.click("[data-confirm-submit]")
        page.locator(".attempt-result").wait_for()
        page.wait_for_load_state("networkidle")
    finally:
        closed(context)
    attempt.refresh_from_db()
    assert (attempt.state, attempt.points, attempt.waiting) == (Attempt.State.SUBMITTED, Decimal(2), 1)
    [attached] = AnswerFile.objects.filter(attempt=attempt)
    assert Answer.objects.get(attempt=attempt, question_id=essay).response["files"] == [attached.pk]
    work = HomeworkCompletion.objects.get(homework=homework, student=student)
    assert work.status == WorkStatus.HANDED_IN

    # The parent, on a phone, in English: the status and the score so far.
    context, page = open_as(chromium, live_server, world.a.parent, PHONE)
    try:
        page.goto(f"{live_server.url}/homework/?student={student.pk}&status=all")
        in_english(page)
        item = page.locator(f"#homework-{homework.pk}")
        assert "handed in" in (item.text_content() or "")
        page.goto(f"{live_server.url}/homework/{homework.pk}/?student={student.pk}")
        lines = page.text_content(".work-lines") or ""
        assert "2 of 4 points" in lines and "answers to check: 1" in lines
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "homework-parent-handed-in-phone-en")
    finally:
        closed(context)

    # The teacher: the open answer checked on the attempt's page, then the work and the mark.
    context, page = open_as(chromium, live_server, world.a.subject_teacher, DESK)
    try:
        page.goto(f"{live_server.url}/homework/{homework.pk}/")
        screenshot(page, "homework-teacher-table-desk-ru")
        page.click(f'a[href="/attempts/{attempt.pk}/"]')
        page.wait_for_url(f"**/attempts/{attempt.pk}/")
        form = page.locator(f"#q-{essay} .grade-form")
        assert page.locator(f"#q-{essay} a", has_text="working.png").count() == 1
        form.locator(f"input[name='grade-{essay}-points']").fill("2")
        form.locator("button[type=submit]").click()
        page.locator(".flash-success").wait_for()
        page.goto(f"{live_server.url}/homework/{homework.pk}/work/{student.pk}/")
        in_english(page)
        page.check("input[name=decision][value=checked]")
        page.fill("textarea[name=comment]", "Well explained.")
        page.fill("input[name=mark]", "9")  # not a mark of the school's scale: refused, nothing saved
        page.click(".check-form button[type=submit]")
        page.locator("#id_mark_error").wait_for()
        assert not Mark.objects.exists()
        screenshot(page, "homework-check-refused-desk-en")
        page.fill("input[name=mark]", "5")
        page.click(".check-form button[type=submit]")
        page.locator(".flash-success").wait_for()
        no_serious_axe_problems(page)
        screenshot(page, "homework-teacher-after-check-desk-en")
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/homework/{homework.pk}/work/{student.pk}/")
        fits(page, PHONE["width"])
        screenshot(page, "homework-check-phone-en")
    finally:
        closed(context)
    work.refresh_from_db()
    assert (work.status, work.comment) == (WorkStatus.CHECKED, "Well explained.")
    mark = Mark.objects.get()
    assert (mark.student_id, mark.value, mark.origin) == (student.pk, 5, origin_of(work.pk))

    # The parent sees it checked, with the comment and the mark.
    context, page = open_as(chromium, live_server, world.a.parent, DESK)
    try:
        page.goto(f"{live_server.url}/homework/{homework.pk}/?student={student.pk}")
        text = page.text_content("main") or ""
        assert "Well explained." in text
        assert "5" in (page.text_content(".work-lines") or "") or "5" in text
        screenshot(page, "homework-parent-checked-desk-ru")
    finally:
        closed(context)
