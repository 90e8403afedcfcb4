"""The library's whole journey, as issue 19 tells it: a teacher builds a lesson scenario from
library elements and submits it; a methodologist publishes it; another teacher finds it by search
(an inflected word) and attaches it to a lesson; the student opens it from the diary; the scenario
runs in presentation mode on the classroom's panel. Desk and phone, Russian and English."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import demo_copy, manage, screenshot, serving
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Two elements another teacher of the school made and the city published, and the student's
# latest whole-class lesson taught by someone other than the scenario's author.
PREPARE = """
import json
from django.utils import timezone
from parta.accounts.models import User
from parta.library.models import Visibility
from parta.schools.models import Enrolment, StaffMembership
from parta.testing.library import published, text_material
from parta.timetable.models import Lesson
author = User.objects.get(username="teacher")
methodologist = User.objects.get(username="methodologist")
enrolment = Enrolment.objects.filter(student__username="student").order_by("-year__starts_on").first()
lesson = Lesson.objects.filter(
    class_group_id=enrolment.class_group_id, subgroup__isnull=True, status=Lesson.Status.SCHEDULED,
    date__lte=timezone.localdate(),
).exclude(teacher=author).select_related("teacher").order_by("-date", "-number").first()
colleague = StaffMembership.objects.filter(school_id=lesson.school_id, role="teacher").exclude(
    user__in=[author, lesson.teacher]).first().user
for title, body in (("Колебания маятника: опыт", "Подвесьте груз на нити и отклоните его."),
                    ("Колебания маятника: формула периода", "Период T = 2π√(l/g) не зависит от массы.")):
    published(text_material(colleague, title=title, body=body), methodologist, Visibility.CITY)
print(json.dumps({"student": enrolment.student_id, "lesson": lesson.pk, "date": lesson.date.isoformat(),
                  "teacher": lesson.teacher.username}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_school: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A demo school of its own: what is published and given here must not reach other tests."""
    env = demo_copy(demo_school, Path(tmp_path_factory.mktemp("library-journey")))
    found = json.loads(manage(env, "shell", "-c", PREPARE).strip().splitlines()[-1])
    with serving(env) as url:
        yield url, found


def signed_in(chromium: Any, url: str, username: str, *, phone: bool = False, locale: str = "ru-RU") -> Any:
    context = chromium.new_context(
        viewport=PHONE if phone else DESK, locale=locale, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, username)
    page.wait_for_url(f"{url}/")
    return page


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_scenario_goes_from_its_author_through_review_to_a_lesson_the_diary_and_the_panel(
    chromium: Any, demo: tuple[str, dict[str, Any]]
) -> None:
    url, found = demo

    # 1. The author composes a scenario of two published elements and submits it for the city.
    page = signed_in(chromium, url, "teacher")
    page.goto(f"{url}/library/new/?kind=scenario")
    page.fill("input[name=title]", "Маятник: урок-исследование")
    page.fill("#composer-search", "маятника")
    page.locator("#composer-found li", has_text="опыт").locator("button").click()
    page.locator("#composer-found li", has_text="формула").locator("button").click()
    page.fill("textarea[name=description]", "Опыт, затем формула периода и вопросы классу.")
    page.click("[data-testid=save-material]")
    page.wait_for_url(f"{url}/library/materials/*/")
    material_url = page.url
    material_path = material_url.removeprefix(url)
    page.check("input[name=visibility][value=city]")
    page.click("form[action$='/submit/'] button[type=submit]")
    page.wait_for_url(material_url)
    assert page.locator("form[action$='/submit/']").count() == 0  # submitted: nothing to submit now
    screenshot(page, "library-journey-submitted-desk-ru")
    page.context.close()

    # 2. The methodologist, in English, finds it in the queue and publishes it.
    page = signed_in(chromium, url, "methodologist", locale="en-GB")
    page.click(".lang-switch button[value=en]")
    page.wait_for_load_state()
    page.goto(f"{url}/library/review/")
    row = page.locator("table.library-queue tbody tr", has_text="Маятник: урок-исследование")
    row.locator("a").first.click()
    page.wait_for_url("**/library/review/*/")
    assert (
        "Подвесьте груз" in page.locator(".library-content").first.inner_text()
    )  # the reviewer reads the elements themselves
    screenshot(page, "library-journey-review-desk-en")
    page.fill("textarea[name=comment]", "Good structure; published for the city.")
    page.locator("button[value=publish]").click()
    page.locator(".flash-success").wait_for()
    assert page.locator("table.library-queue tbody tr", has_text="Маятник: урок-исследование").count() == 0
    page.context.close()

    # 3. Another teacher, on a phone, finds it by an inflected word in the catalogue, then gives it
    #    to the lesson from the lesson page: a search, then one click on Attach.
    page = signed_in(chromium, url, found["teacher"], phone=True)
    page.goto(f"{url}/library/?q=маятником")
    card = page.locator(".catalogue-title", has_text="Маятник: урок-исследование")
    card.wait_for()
    assert fits(page)
    screenshot(page, "library-journey-found-phone-ru")
    page.goto(f"{url}/journal/lessons/{found['lesson']}/")
    page.fill("#materials-q", "исследование маятника")
    page.locator("#lesson-materials form[role=search] button").click()
    offered = page.locator(".lesson-materials-offered li", has_text="Маятник: урок-исследование")
    offered.locator("button").click()
    page.locator(".lesson-materials-given", has_text="Маятник: урок-исследование").wait_for()
    assert fits(page)
    page.context.close()

    # 4. The student, on a phone in English, opens it from the diary's day of the lesson.
    page = signed_in(chromium, url, "student", phone=True, locale="en-GB")
    page.goto(f"{url}/diary/{found['student']}/?date={found['date']}")
    link = page.locator(f"article.day[aria-labelledby=day-{found['date']}] a[href='{material_path}']").first
    link.click()
    page.wait_for_url(material_url)
    body = page.locator(".library-content").inner_text()
    assert body.index("Подвесьте груз") < body.index("Период T")
    assert fits(page)
    screenshot(page, "library-journey-student-phone")
    page.context.close()

    # 5. On the classroom's panel the lesson's teacher runs it in presentation mode.
    page = signed_in(chromium, url, found["teacher"])
    page.goto(f"{material_url}present/")
    counter = page.locator("[data-counter]")
    assert counter.inner_text() == "1 / 3"
    page.keyboard.press("PageDown")  # what a clicker sends
    assert counter.inner_text() == "2 / 3"
    assert "Подвесьте груз" in page.locator(".slide:not([hidden])").inner_text()
    page.keyboard.press("ArrowRight")
    assert "Период T" in page.locator(".slide:not([hidden])").inner_text()
    screenshot(page, "library-journey-present-desk")
    page.context.close()
