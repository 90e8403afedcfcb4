"""Exam preparation in a real Chromium (issue 20, part 6): a grade 9 student finds the project's OGE
tests in the catalogue (their exam first), takes the mathematics test (the right answer after each
answer), submits it, sees their progress at the test and on the progress page's chart; the guardian
sees the same on a phone. Desk and phone, screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from parta.assessment import prep_load, services
from parta.assessment.models import Attempt
from parta.curriculum.models import Section, Topic
from parta.library.models import Material
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

pytestmark = pytest.mark.browser

MATH_OGE = "ОГЭ по математике: тренировочный вариант"


def chart_drawn(page: Any, canvas_id: str) -> None:
    page.wait_for_function(f"() => window.Chart && window.Chart.getChart('{canvas_id}') !== undefined")


def another_attempt_all_right(student: Any, material: Material) -> None:
    """A second attempt, every question answered as the test's key says (the services, as the
    student's browser would)."""
    item = next(item for item in prep_load.prep_items() if item["title"] == MATH_OGE)
    solutions = {question["id"]: question["solution"] for question in prep_load.prep_questions(item)}
    attempt = services.attempt_start(student, material.pk).attempt
    for question_id in attempt.questions:
        services.answer_save(student, attempt.pk, question_id, solutions[question_id])
    services.attempt_submit(student, attempt.pk)


def framework_topics() -> None:
    """Two topics of the city's framework that the mathematics OGE test's questions name."""
    algebra = f.SubjectFactory.create(code="algebra")
    for grade, code, title in (
        (7, "ALG-07-01-01", "Рациональные числа. Действия с рациональными числами"),
        (9, "ALG-09-04-01", "Числовые последовательности. Арифметическая прогрессия"),
    ):
        section = Section.objects.create(
            subject=algebra, grade=grade, code=code[:9], title_ru=title, title_en=title, order=1
        )
        Topic.objects.create(
            section=section,
            subject=algebra,
            grade=grade,
            code=code,
            title_ru=title,
            title_en=title,
            hours=1,
            order=1,
        )


def test_a_student_prepares_for_the_oge_and_sees_the_progress(
    chromium: Any, live_server: Any, world: World
) -> None:
    framework_topics()
    prep_load.prep_tests_load(author=world.methodologist)
    student = world.a.sibling  # grade 9: the OGE
    material = Material.objects.get(title=MATH_OGE)
    context, page = open_as(chromium, live_server, student, DESK)
    # The charts drawn at once, not growing while the screenshot is taken.
    page.emulate_media(reduced_motion="reduce")
    try:
        page.goto(f"{live_server.url}/")
        page.click('nav.menu a[href="/prep/"]')
        page.wait_for_url("**/prep/")
        assert page.locator(".prep-exam h2").first.text_content() in ("ОГЭ", "OGE")
        assert page.locator('nav.menu a[aria-current="page"][href="/prep/"]').count() == 1
        screenshot(page, "prep-catalogue-desk-ru")

        card = page.locator(f'.prep-test[data-test="{material.pk}"]').first
        card.locator("[data-start] button").click()
        page.wait_for_url("**/attempts/*/")
        page.fill("#q-q1-input", "1,1")
        saved(page, "q1")
        page.locator("#q-q1 [data-feedback] .verdict").wait_for()
        page.fill("#q-q3-input", "2")  # the smaller root: wrong
        saved(page, "q3")
        page.locator("#q-q3 [data-feedback] .verdict").wait_for()
        page.fill("#q-q9-input", "10")
        saved(page, "q9")
        page.wait_for_load_state("networkidle")
        screenshot(page, "prep-attempt-desk-ru")
        page.click("[data-submit-form] button")
        page.locator("[data-submit-dialog]").wait_for()
        page.click("[data-confirm-submit]")
        page.locator(".attempt-result").wait_for()
        page.wait_for_load_state("networkidle")
        first = Attempt.objects.get(student=student, material=material)
        assert first.state == Attempt.State.SUBMITTED
        assert first.points == 2  # q1 and q9, one point each

        another_attempt_all_right(student, material)
        page.goto(f"{live_server.url}/prep/")
        card = page.locator(f'.prep-test[data-test="{material.pk}"]').first
        assert card.locator(".prep-progress dd").all_text_contents()[:2] == ["2", "100 %"]
        assert card.locator(".prep-trend-up").count() == 1
        screenshot(page, "prep-catalogue-progress-desk-ru")

        page.click(".page-actions a")
        page.wait_for_url("**/prep/progress/")
        chart_drawn(page, "prep-chart-1")
        rows = page.locator(".prep-subject-progress tbody tr")
        assert rows.count() == 1
        assert "13 %" in (rows.first.text_content() or "")  # 2 of 15 points, then all
        # The weakest first: progressions (q6 not answered, then right: 1 of 2 points), then
        # rational numbers (q1 right twice, q8 not answered then right: 4 of 6).
        topics = page.locator(".prep-topics tbody tr")
        assert topics.count() == 2
        assert "50 %" in (topics.nth(0).text_content() or "")
        assert "67 %" in (topics.nth(1).text_content() or "")
        no_serious_axe_problems(page)
        screenshot(page, "prep-progress-desk-ru")

        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/prep/")
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "prep-catalogue-phone-ru")
        page.goto(f"{live_server.url}/prep/progress/")
        chart_drawn(page, "prep-chart-1")
        fits(page, PHONE["width"])
        screenshot(page, "prep-progress-phone-ru")
        in_english(page)
        chart_drawn(page, "prep-chart-1")
        fits(page, PHONE["width"])
        screenshot(page, "prep-progress-phone-en")
    finally:
        closed(context)

    # The guardian of two children, on a phone: the child's tabs, the same progress, no start button.
    context, page = open_as(chromium, live_server, world.a.parent, PHONE)
    page.emulate_media(reduced_motion="reduce")
    try:
        page.goto(f"{live_server.url}/prep/progress/?student={student.pk}")
        chart_drawn(page, "prep-chart-1")
        assert page.locator('nav.tabs a[aria-current="page"]').count() == 1
        fits(page, PHONE["width"])
        screenshot(page, "prep-progress-parent-phone-ru")
        page.goto(f"{live_server.url}/prep/?student={student.pk}")
        assert page.locator("[data-start]").count() == 0
        fits(page, PHONE["width"])
        screenshot(page, "prep-catalogue-parent-phone-ru")
        response = page.goto(f"{live_server.url}/prep/progress/?student={world.a.classmate.pk}")
        assert response is not None and response.status == 404
    finally:
        closed(context)
