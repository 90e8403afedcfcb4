"""Taking a test in a real Chromium (issue 20): a student starts a homework test of every question
type, answers some (each saved as it is given), leaves the page, comes back to the answers saved,
finishes, and submits; the parent sees the score; the teacher checks the open answer. A training
test shows the right answer under each answer. Desk and phone, Russian and English, screenshots in
test-artifacts/screenshots/."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from parta.assessment import questions
from parta.assessment.models import Answer, Attempt, Statement, Verb
from parta.assessment.tests.conftest import homework_with
from parta.library.models import Material
from parta.library.services.authoring import MaterialData, material_create
from parta.testing.library import published
from parta.testing.world import World
from tests.browser.conftest import screenshot as full_page
from tests.browser.test_every_page import AXE_OPTIONS

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# "13 of 16", in any language.
SCORE = re.compile(r"\b13\D+16\b")

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "q1",
        "type": "single",
        "text": "Сколько будет $2^2$?",
        "options": [{"id": "a", "text": "3"}, {"id": "b", "text": "4"}, {"id": "c", "text": "5"}],
        "correct": "b",
        "explanation": "$2^2 = 2 \\cdot 2 = 4$.",
    },
    {
        "id": "q2",
        "type": "multiple",
        "text": "Какие числа чётные?",
        "points": 2,
        "options": [
            {"id": "a", "text": "2"},
            {"id": "b", "text": "3"},
            {"id": "c", "text": "8"},
            {"id": "d", "text": "9"},
        ],
        "correct": ["a", "c"],
    },
    {"id": "q3", "type": "true_false", "text": "Квадрат — это прямоугольник.", "correct": True},
    {"id": "q4", "type": "short_text", "text": "Столица России?", "variants": ["Москва"]},
    {
        "id": "q5",
        "type": "numeric",
        "text": "Найдите $x$, если $x = {a} \\cdot {b}$.",
        "points": 2,
        "params": {"a": {"min": 2, "max": 9}, "b": {"min": 2, "max": 9}},
        "answer": "a*b",
    },
    {
        "id": "q6",
        "type": "matching",
        "text": "Сопоставьте фигуру и число её углов.",
        "points": 2,
        "left": [{"id": "l1", "text": "Треугольник"}, {"id": "l2", "text": "Квадрат"}],
        "right": [{"id": "r1", "text": "3"}, {"id": "r2", "text": "4"}, {"id": "r3", "text": "5"}],
        "pairs": {"l1": "r1", "l2": "r2"},
    },
    {
        "id": "q7",
        "type": "ordering",
        "text": "Расположите числа по возрастанию.",
        "points": 2,
        "items": [
            {"id": "i1", "text": "$\\frac{1}{4}$"},
            {"id": "i2", "text": "0,5"},
            {"id": "i3", "text": "1"},
            {"id": "i4", "text": "2"},
        ],
    },
    {
        "id": "q8",
        "type": "blanks",
        "text": "Квадратный [[1]] из 9 равен [[2]].",
        "points": 2,
        "gaps": {
            "1": {"variants": ["корень"]},
            "2": {"options": [{"id": "a", "text": "3"}, {"id": "b", "text": "81"}], "correct": "a"},
        },
    },
    {"id": "q9", "type": "open", "text": "Объясните, почему $0 \\cdot 5 = 0$.", "points": 3},
]


def make_quiz(world: World, mode: str, **settings: Any) -> Material:
    content = {
        "test": {"mode": mode, **settings, "sections": [{"title": "Всё сразу", "questions": QUESTIONS}]}
    }
    material = material_create(
        world.a.subject_teacher,
        kind="test",
        data=MaterialData(title="Проверочная: всё понемногу", content=content),
    )
    return published(material, world.methodologist)


def open_as(chromium: Any, live_server: Any, user: Any, viewport: dict[str, int]) -> tuple[Any, Any]:
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=viewport, locale="ru-RU")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # A script error anywhere fails the test when the context closes (see ``closed``).
    errors: list[str] = []
    context.script_errors = errors
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page


def closed(context: Any) -> None:
    errors = list(context.script_errors)
    context.close()
    assert errors == []


def screenshot(page: Any, name: str) -> None:
    """The whole page from its top (the site's header sticks where the page was scrolled to)."""
    page.evaluate("window.scrollTo(0, 0)")
    full_page(page, name)


def saved(page: Any, question: str) -> None:
    page.locator(f"#q-{question} [data-status] .is-saved").wait_for()


def fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def no_serious_axe_problems(page: Any) -> None:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    serious = [
        f"{v['id']}: {[node['target'] for node in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def in_english(page: Any) -> None:
    page.click(".lang-switch button[value=en]")
    page.wait_for_load_state()


def order_of(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("#q-q7 [data-item]", "items => items.map(i => i.dataset.item)"))


def put_in_order(page: Any, wanted: list[str]) -> None:
    """With the up buttons only, as a keyboard user would."""
    for place, item in enumerate(wanted):
        while order_of(page).index(item) > place:
            page.click(f'#q-q7 [data-item="{item}"] [data-move="-1"]')


def test_a_student_takes_a_test_the_parent_sees_the_score_the_teacher_checks(
    chromium: Any, live_server: Any, world: World
) -> None:
    material = make_quiz(world, "control", results="on_submit", show_answers=True, time_limit_minutes=30)
    homework = homework_with(world, material)
    context, page = open_as(chromium, live_server, world.a.student, DESK)
    try:
        page.goto(f"{live_server.url}/tests/{material.pk}/?homework={homework.pk}")
        screenshot(page, "assessment-start-desk-ru")
        page.click("[data-start] button")
        page.wait_for_url("**/attempts/*/")
        attempt = Attempt.objects.get(student=world.a.student)
        assert attempt.homework_id == homework.pk
        attempt_url = page.url
        # Formulas are typeset by KaTeX.
        assert page.locator("#q-q1 .question-text .katex").count() == 1
        # The countdown runs.
        page.wait_for_function(
            "() => /^(29|30):[0-9]{2}$/.test(document.querySelector('[data-timer]').textContent)"
        )

        page.check("#q-q1 input[value=b]")
        saved(page, "q1")
        page.check("#q-q2 input[value=a]")
        page.check("#q-q2 input[value=c]")
        page.check("#q-q3 input[value=true]")
        page.fill("#q-q4-input", "Москва")
        stored = attempt.version.content["test"]["sections"][0]["questions"]
        right = questions.feedback(next(q for q in stored if q["id"] == "q5"), attempt.seed)
        page.fill("#q-q5-input", str(right["answer"]["value"]))
        page.select_option("#q-q6-l-l1", "r1")
        page.select_option("#q-q6-l-l2", "r2")
        for done in ("q2", "q3", "q4", "q5", "q6"):
            saved(page, done)
        assert page.locator("[data-count-answered] >> nth=0").text_content() == "6"
        assert page.locator('[data-nav="q6"].is-answered').count() == 1
        screenshot(page, "assessment-attempt-desk-ru")

        # Leaving the page and coming back: the answers are there.
        page.goto(f"{live_server.url}/")
        page.goto(attempt_url)
        assert page.is_checked("#q-q1 input[value=b]")
        assert page.is_checked("#q-q2 input[value=c]")
        assert not page.is_checked("#q-q2 input[value=b]")
        assert page.is_checked("#q-q3 input[value=true]")
        assert page.input_value("#q-q4-input") == "Москва"
        assert page.input_value("#q-q6-l-l2") == "r2"
        # The page reports questions shown as they scroll by: let it finish before the test reads
        # the database (the live server's in-memory SQLite locks a table being written).
        page.wait_for_load_state("networkidle")
        assert Answer.objects.filter(attempt=attempt).count() == 6

        put_in_order(page, ["i1", "i2", "i3", "i4"])
        saved(page, "q7")
        page.fill('#q-q8 input[data-gap="1"]', "корень")
        page.select_option('#q-q8 select[data-gap="2"]', "a")
        saved(page, "q8")
        page.fill("#q-q9-input", "Потому что пять раз по нулю — это ноль.")
        saved(page, "q9")
        page.wait_for_load_state("networkidle")
        assert Answer.objects.get(attempt=attempt, question_id="q7").response == {
            "order": ["i1", "i2", "i3", "i4"]
        }
        assert Statement.objects.filter(attempt=attempt, verb=Verb.VIEWED).exists()

        page.click("[data-submit-form] button")
        page.locator("[data-submit-dialog]").wait_for()
        screenshot(page, "assessment-submit-dialog-desk-ru")
        page.click("[data-confirm-submit]")
        page.locator(".attempt-result").wait_for()
        page.wait_for_load_state("networkidle")
        attempt.refresh_from_db()
        assert (attempt.state, attempt.points, attempt.waiting) == (Attempt.State.SUBMITTED, Decimal(13), 1)
        assert SCORE.search(page.locator(".attempt-result dd >> nth=0").text_content() or "")
        screenshot(page, "assessment-results-desk-ru")
    finally:
        closed(context)

    # The parent, on a phone, in both languages.
    context, page = open_as(chromium, live_server, world.a.parent, PHONE)
    try:
        page.goto(attempt_url)
        assert SCORE.search(page.locator(".attempt-result dd >> nth=0").text_content() or "")
        assert page.locator("[data-submit-form]").count() == 0
        fits(page, PHONE["width"])
        screenshot(page, "assessment-results-parent-phone-ru")
        in_english(page)
        assert "13 of 16" in (page.locator(".attempt-result").text_content() or "")
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "assessment-results-parent-phone-en")
    finally:
        closed(context)

    # The teacher checks the open answer: a bad value first, then the points.
    context, page = open_as(chromium, live_server, world.a.subject_teacher, DESK)
    try:
        page.goto(f"{live_server.url}/homework/{homework.pk}/tests/")
        screenshot(page, "assessment-homework-attempts-desk-ru")
        page.click(f'a[href="/attempts/{attempt.pk}/"]')
        page.wait_for_url(attempt_url)
        form = page.locator("#q-q9 .grade-form")
        form.locator("input[name='grade-q9-points']").fill("7")
        form.locator("button[type=submit]").click()
        page.locator("#q-q9 .errorlist").wait_for()
        screenshot(page, "assessment-check-error-desk-ru")
        form = page.locator("#q-q9 .grade-form")
        form.locator("input[name='grade-q9-points']").fill("2,5")
        form.locator("textarea").fill("Верно, но коротко.")
        form.locator("button[type=submit]").click()
        page.locator(".flash-success").wait_for()
        attempt.refresh_from_db()
        assert (attempt.points, attempt.waiting) == (Decimal("15.5"), 0)
        assert "Верно, но коротко." in (page.locator("#q-q9 .teacher-comment").text_content() or "")
        no_serious_axe_problems(page)
        screenshot(page, "assessment-check-desk-ru")
        in_english(page)
        page.set_viewport_size(PHONE)
        fits(page, PHONE["width"])
        screenshot(page, "assessment-check-phone-en")
    finally:
        closed(context)


def test_a_training_test_shows_the_right_answer_after_each_answer_on_a_phone(
    chromium: Any, live_server: Any, world: World
) -> None:
    material = make_quiz(world, "training")
    context, page = open_as(chromium, live_server, world.a.student, PHONE)
    try:
        page.goto(f"{live_server.url}/tests/{material.pk}/")
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "assessment-start-phone-ru")
        page.click("[data-start] button")
        page.wait_for_url("**/attempts/*/")
        fits(page, PHONE["width"])
        page.check("#q-q1 input[value=a]")
        saved(page, "q1")
        feedback = page.locator("#q-q1 [data-feedback]")
        feedback.locator(".explanation .katex").wait_for()
        assert feedback.locator(".verdict-wrong").count() == 1
        # The right order: the page never shows it, so reaching it always takes a move (and a save).
        put_in_order(page, ["i1", "i2", "i3", "i4"])
        saved(page, "q7")
        page.locator("#q-q7 [data-feedback] .verdict-right").wait_for()
        page.fill('#q-q8 input[data-gap="1"]', "корень")
        saved(page, "q8")
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "assessment-training-phone-ru")
        in_english(page)
        fits(page, PHONE["width"])
        screenshot(page, "assessment-training-phone-en")
        page.set_viewport_size(DESK)
        screenshot(page, "assessment-training-desk-en")
    finally:
        closed(context)
