"""A teacher builds a test in the constructor (issue 20) in a real Chromium: its subject (the one
they teach, chosen already) and grade chosen, the questions' topics following them; six questions
of six types typed and ticked by hand, one moved with the keyboard, one previewed; a save with a
question left without its right answer is refused beside that question and saves nothing; the
mended test is saved as the library's version, read back from the database. The page is
photographed at a desk (1280 px) and on a phone (390 px), where it fits the screen and axe-core
finds nothing serious.
"""

from __future__ import annotations

from typing import Any

import pytest

from parta.assessment.tests.conftest import single
from parta.homework.forms import materials_offer
from parta.library.models import Kind, Material, MaterialVersion
from parta.library.services.authoring import MaterialData, material_create
from parta.testing.curriculum import framework_topic
from parta.testing.world import World
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


def topics_offered(select: Any) -> list[int]:
    return [int(value) for value in select.evaluate("select => Array.from(select.options, o => o.value)")]


def card(page: Any, number: int) -> Any:
    return page.locator(f"#question-{number}")


def ending(scope: Any, suffix: str) -> Any:
    """A control of a question's (or a section's) card by its focus key: the card's key and
    ``suffix`` (``:text``, ``:option:a:text``, ``:left:l1:pair``)."""
    return scope.locator(f'[data-focus="{scope.get_attribute("data-key")}{suffix}"]')


def add_question(page: Any, type_label: str) -> Any:
    """A new question of the type at the end of the last section; its card."""
    section = page.locator(".constructor-section").last
    ending(section, ":new-type").select_option(label=type_label)
    ending(section, ":add").click()
    question = page.locator(".constructor-question").last
    # The new question's text has the focus, to be typed at once.
    assert page.evaluate("document.activeElement.dataset.focus").endswith(":text")
    return question


def options(question: Any, *texts: str) -> None:
    """Fill the options in turn, adding as many as needed."""
    for index, text in enumerate(texts):
        letter = "abcdefgh"[index]
        if ending(question, f":option:{letter}:text").count() == 0:
            ending(question, ":option:add").click()
        ending(question, f":option:{letter}:text").fill(text)


def test_a_teacher_builds_a_test_of_six_types_and_saves_it(
    chromium: Any, live_server: Any, world: World
) -> None:
    teacher = world.a.subject_teacher
    algebra = world.a.assignment.subject
    seventh, ninth = (
        framework_topic(algebra, 7, "alg-7-fractions"),
        framework_topic(algebra, 9, "alg-9-roots"),
    )
    context, page = open_as(chromium, live_server, teacher, DESK)
    try:
        page.goto(f"{live_server.url}/library/new/")
        in_english(page)
        screenshot(page, "library-new-material-desk-en")
        page.click('a[href="/tests/new/"]')
        page.wait_for_url("**/tests/new/")
        page.fill("input[name=title]", "Fractions: a check")
        # The subject the teacher teaches is chosen already: the test's topics are its, of every grade.
        assert page.locator("select[name=subjects]").evaluate(
            "select => Array.from(select.selectedOptions, option => option.text)"
        ) == ["Algebra"]
        assert topics_offered(page.locator("select[name=topics]")) == [seventh.pk, ninth.pk]
        page.select_option("select[name=subjects]", label=["Algebra"])
        page.check("input[name=mode][value=control]")
        page.fill("input[name=attempts]", "2")
        page.fill("input[name=time_limit_minutes]", "25")
        page.check("input[name=results][value=on_submit]")
        ending(page.locator(".constructor-section").first, ":title").fill("Warm-up")

        single = add_question(page, "single choice")
        ending(single, ":text").fill("What is $\\frac{1}{2} + \\frac{1}{4}$?")
        options(single, "1/6", "3/4", "2/6")
        ending(single, ":option:b:right").check()
        ending(single, ":explanation").fill("Bring them to quarters: 2/4 + 1/4 = 3/4.")
        assert topics_offered(ending(single, ":topics")) == [seventh.pk, ninth.pk]
        # Grade 7 chosen: the test's topic picker and the question's offer the seventh grade's only.
        page.check("input[name=grades][value='7']")
        page.wait_for_function("document.querySelectorAll('[data-focus$=\":topics\"] option').length === 1")
        assert topics_offered(page.locator("select[name=topics]")) == [seventh.pk]
        ending(single, ":more").click()
        ending(single, ":topics").select_option(str(seventh.pk))

        several = add_question(page, "multiple choice")
        ending(several, ":text").fill("Which fractions equal one half?")
        ending(several, ":points").fill("2")
        options(several, "2/4", "3/5", "4/8")
        # Its right options are left unticked for now: the save is refused.

        number = add_question(page, "number")
        ending(number, ":text").fill("Write 3/4 as a decimal.")
        ending(number, ":answer").fill("0,75")
        ending(number, ":tolerance").fill("0.01")

        statement = add_question(page, "true or false")
        ending(statement, ":text").fill("1/3 is more than 1/4.")
        ending(statement, ":tf:true").check()

        pairs = add_question(page, "matching")
        ending(pairs, ":text").fill("Match each fraction with its decimal.")
        ending(pairs, ":left:l1:text").fill("1/2")
        ending(pairs, ":left:l2:text").fill("1/5")
        ending(pairs, ":right:r1:text").fill("0.5")
        ending(pairs, ":right:r2:text").fill("0.2")
        ending(pairs, ":right:add").click()
        ending(pairs, ":right:r3:text").fill("0.25")
        ending(pairs, ":left:l1:pair").select_option("r1")
        ending(pairs, ":left:l2:pair").select_option(label="B: 0.2")

        essay = add_question(page, "open answer")
        ending(essay, ":text").fill("Explain why 2/4 and 1/2 are the same number.")
        ending(essay, ":points").fill("3")
        ending(essay, ":files").uncheck()

        # The true-or-false question goes before the number one by the keyboard: its ↑ focused,
        # Enter pressed; the focus stays on the button, the move is announced.
        ending(card(page, 4), ":up").focus()
        page.keyboard.press("Enter")
        assert card(page, 3).locator("h3").inner_text().endswith("true or false")
        assert page.evaluate("document.activeElement.dataset.focus").endswith(":up")
        page.wait_for_function("document.querySelector('[data-announce]').textContent.includes('3')")

        # The first question previewed as a student sees it, with its right answer marked.
        ending(card(page, 1), ":preview").click()
        preview = card(page, 1).locator(".constructor-preview")
        preview.locator(".choice.is-key").wait_for()
        assert "3/4" in preview.locator(".choice.is-key").inner_text()
        preview.locator(".katex").first.wait_for()
        screenshot(page, "test-constructor-desk-en")

        # Saved with question 2 unmarked: refused beside it, nothing saved.
        page.click("[data-testid=save-test]")
        page.locator("[data-testid=constructor-refused]").wait_for()
        assert "Question 2: mark the correct options" in card(page, 2).locator(".errorlist").inner_text()
        assert card(page, 1).locator(".errorlist").count() == 0
        assert not Material.objects.filter(kind=Kind.TEST).exists()
        # What was typed is all there, to be mended.
        assert ending(card(page, 1), ":option:b:right").is_checked()
        assert ending(card(page, 6), ":text").input_value().startswith("Explain why")
        screenshot(page, "test-constructor-refused-desk-en")

        ending(card(page, 2), ":option:a:right").check()
        ending(card(page, 2), ":option:c:right").check()
        page.click("[data-testid=save-test]")
        page.wait_for_url("**/library/materials/*/")
        page.wait_for_load_state("networkidle")
    finally:
        closed(context)

    material = Material.objects.get(kind=Kind.TEST)
    assert material.owner == teacher
    version = MaterialVersion.objects.get(material=material)
    assert version.title == "Fractions: a check"
    # Of algebra in grade 7: the homework form of an algebra lesson in 7 А offers it.
    assert (version.subject_ids, version.grades) == ([algebra.pk], [7])
    assert material.pk in {offered.id for offered in materials_offer(teacher, world.a.lesson)}
    test = version.content["test"]
    assert (test["mode"], test["attempts"], test["time_limit_minutes"], test["results"]) == (
        "control",
        2,
        25,
        "on_submit",
    )
    [section] = test["sections"]
    assert section["title"] == "Warm-up"
    by_type = {question["type"]: question for question in section["questions"]}
    assert [question["type"] for question in section["questions"]] == [
        "single",
        "multiple",
        "true_false",
        "numeric",
        "matching",
        "open",
    ]
    assert len({question["id"] for question in section["questions"]}) == 6
    assert by_type["single"]["correct"] == "b"
    assert [option["text"] for option in by_type["single"]["options"]] == ["1/6", "3/4", "2/6"]
    assert by_type["single"]["explanation"] == "Bring them to quarters: 2/4 + 1/4 = 3/4."
    assert by_type["single"]["topic_ids"] == [seventh.pk]
    assert (by_type["multiple"]["correct"], by_type["multiple"]["points"]) == (["a", "c"], 2)
    assert (by_type["numeric"]["answer"], by_type["numeric"]["tolerance"]) == ("0.75", "0.01")
    assert by_type["true_false"]["correct"] is True
    assert by_type["matching"]["pairs"] == {"l1": "r1", "l2": "r2"}
    assert len(by_type["matching"]["right"]) == 3
    assert (by_type["open"]["points"], by_type["open"]["allow_files"]) == (3, False)

    # On a phone: the author's library page leads to the questions; the constructor fits.
    context, page = open_as(chromium, live_server, teacher, PHONE)
    try:
        page.goto(f"{live_server.url}/library/materials/{material.pk}/")
        page.click(f'a[href="/tests/{material.pk}/questions/"]')
        page.wait_for_url(f"**/tests/{material.pk}/questions/")
        assert page.locator(".constructor-question").count() == 6
        ending(card(page, 5), ":more").click()
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "test-constructor-phone-ru")
        in_english(page)
        fits(page, PHONE["width"])
        screenshot(page, "test-constructor-phone-en")
    finally:
        closed(context)


def test_blanks_ordering_a_short_answer_and_numbers_that_vary_on_a_phone(
    chromium: Any, live_server: Any, world: World
) -> None:
    teacher = world.a.subject_teacher
    subject = world.a.assignment.subject
    topic = framework_topic(subject, 7, "alg-7-fractions")
    material = material_create(
        teacher,
        kind="test",
        data=MaterialData(
            title="Roots and halves",
            subject_ids=[subject.pk],
            grades=[7],
            content={"test": {"mode": "training", "sections": [{"title": "", "questions": [single("q1")]}]}},
        ),
    )
    context, page = open_as(chromium, live_server, teacher, PHONE)
    try:
        page.goto(f"{live_server.url}/tests/{material.pk}/questions/")
        in_english(page)

        gaps = add_question(page, "fill in the blanks")
        ending(gaps, ":text").fill("The square root of 9 is [[1]], of 16 it is ")
        ending(gaps, ":insert-gap").click()
        assert ending(gaps, ":text").input_value().endswith("it is [[2]]")
        ending(gaps, ":gap1:variants").fill("3\nthree")
        ending(gaps, ":gap2:list").check()
        ending(gaps, ":gap2-option:a:text").fill("4")
        ending(gaps, ":gap2-option:b:text").fill("8")
        ending(gaps, ":gap2-option:a:right").check()

        order = add_question(page, "ordering")
        ending(order, ":text").fill("Put them from the least.")
        for item, text in (("i1", "1/4"), ("i2", "1"), ("i3", "1/2")):
            ending(order, f":item:{item}:text").fill(text)
        ending(order, ":item:i3:up").click()
        assert ending(order, ":item:i3:up").evaluate("node => node === document.activeElement")

        short = add_question(page, "short answer")
        ending(short, ":text").fill("What is 1/2 called?")
        ending(short, ":variants").fill("a half\none half")
        ending(short, ":case").check()

        varying = add_question(page, "number")
        ending(varying, ":text").fill("What is {a} × 2?")
        ending(varying, ":answer").fill("a*2")
        ending(varying, ":more").click()
        ending(varying, ":param-add").click()
        assert ending(varying, ":param0:name").input_value() == "a"
        ending(varying, ":param0:max").fill("5")
        ending(varying, ":topics").select_option(str(topic.pk))

        # The single choice question the test had goes: the rest move up.
        ending(card(page, 1), ":remove").click()
        assert page.locator(".constructor-question").count() == 4
        # A second section, and the last question moved down into it.
        page.click("[data-action=add-section]")
        second = page.locator(".constructor-section").nth(1)
        assert (
            page.evaluate("document.activeElement.dataset.focus")
            == f"{second.get_attribute('data-key')}:title"
        )
        page.keyboard.type("Numbers")
        ending(card(page, 4), ":down").click()
        assert second.locator(".constructor-question").count() == 1
        assert page.locator(".constructor-section").first.locator(".constructor-question").count() == 3
        ending(card(page, 1), ":preview").click()
        card(page, 1).locator(".constructor-preview select.gap").wait_for()
        fits(page, PHONE["width"])
        no_serious_axe_problems(page)
        screenshot(page, "test-constructor-more-types-phone-en")
        page.click("[data-testid=save-test]")
        page.wait_for_url("**/library/materials/*/")
        page.wait_for_load_state("networkidle")
    finally:
        closed(context)

    material.refresh_from_db()
    assert material.latest is not None and material.latest.number == 2
    # The subjects and grades the test had are kept: the page shows them chosen.
    assert (material.latest.subject_ids, material.latest.grades) == ([subject.pk], [7])
    first, second = material.latest.content["test"]["sections"]
    assert second["title"] == "Numbers"
    questions = first["questions"] + second["questions"]
    assert [question["type"] for question in second["questions"]] == ["numeric"]
    assert [question["type"] for question in questions] == ["blanks", "ordering", "short_text", "numeric"]
    blanks, ordering, short_text, numeric = questions
    assert blanks["text"] == "The square root of 9 is [[1]], of 16 it is [[2]]"
    assert blanks["gaps"] == {
        "1": {"variants": ["3", "three"], "case_sensitive": False, "ignore_spaces": False},
        "2": {"options": [{"id": "a", "text": "4"}, {"id": "b", "text": "8"}], "correct": "a"},
    }
    assert [item["text"] for item in ordering["items"]] == ["1/4", "1/2", "1"]
    assert (short_text["variants"], short_text["case_sensitive"]) == (["a half", "one half"], True)
    assert numeric["answer"] == "a*2"
    assert numeric["params"] == {"a": {"min": "1", "max": "5", "step": "1"}}
    assert numeric["topic_ids"] == [topic.pk]
