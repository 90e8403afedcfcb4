"""A teacher writes a remark on the lesson page; the parent reads it on a phone (390 px, in Russian):
on the child's home card, and in the diary's day view at the lesson."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, demo_copy, manage, screenshot, serving
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# The demo parent's first child and the latest lesson of the child's class that takes a remark
# (taken place, not cancelled, in a study period), with its teacher's login.
FIND_LESSON = """
import json
from django.utils import timezone
from parta.accounts.models import Guardianship
from parta.schools.models import Enrolment, StudyPeriod
from parta.timetable.models import Lesson
child = Guardianship.objects.filter(guardian__username="parent").order_by("student_id").first().student
enrolment = Enrolment.objects.filter(student=child).order_by("-year__starts_on").first()
periods = list(StudyPeriod.objects.filter(year_id=enrolment.year_id))
lessons = Lesson.objects.filter(
    class_group_id=enrolment.class_group_id,
    subgroup__isnull=True,
    status=Lesson.Status.SCHEDULED,
    date__lte=timezone.localdate(),
).select_related("teacher").order_by("-date", "-number")[:200]
found = next(x for x in lessons if any(p.starts_on <= x.date <= p.ends_on for p in periods))
print(json.dumps({"student": child.pk, "lesson": found.pk, "date": found.date.isoformat(),
                  "teacher": found.teacher.username}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_school: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A demo school of its own (the remark written here must not reach other tests' pages)."""
    env = demo_copy(demo_school, Path(tmp_path_factory.mktemp("remarks")))
    found = json.loads(manage(env, "shell", "-c", FIND_LESSON).strip().splitlines()[-1])
    with serving(env) as url:
        yield url, found


def test_a_parent_reads_the_teachers_remark_on_a_phone(
    chromium: Any, demo: tuple[str, dict[str, Any]]
) -> None:
    url, found = demo
    student, lesson, date = found["student"], found["lesson"], found["date"]
    text = "Не выполнил домашнее задание, обещал принести завтра"

    # The teacher, at a desk: the lesson page's form at the child's row.
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = desk.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, found["teacher"])
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/journal/lessons/{lesson}/")
    row = page.locator(f"#remarks-{student}")
    row.locator("select[name=kind]").select_option("remark")
    row.locator("input[name=text]").fill(text)
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{url}/journal/lessons/{lesson}/#remarks-{student}")
    assert text in page.locator(f"#remarks-{student} .remark-list").inner_text()
    screenshot(page, "remarks-lesson-page")
    # The sticky header would cover the row in its own picture.
    page.add_style_tag(content=".topbar { position: static; }")
    page.locator(f"#remarks-{student}").screenshot(path=str(SCREENSHOTS / "remarks-lesson-page-row.png"))
    desk.close()

    # The parent, on a phone, in Russian (the demo's default).
    phone = chromium.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "parent")
    page.wait_for_url(f"{url}/")
    card = page.locator(f"section[aria-labelledby=child-{student}]")
    # The notification is made by the in-process worker a moment after the write.
    for _attempt in range(20):
        if text in card.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    news = card.locator(".home-news")
    assert "Замечание по предмету" in news.inner_text() and text in news.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card.scroll_into_view_if_needed()
    screenshot(page, "remarks-home-card-phone")

    # The notification leads to the diary at the lesson's day: one day on the phone.
    news.locator("a", has_text=text).first.click()
    page.wait_for_url(f"{url}/diary/{student}/?date={date}")
    days = page.locator("article.day")
    visible = [i for i in range(days.count()) if days.nth(i).is_visible()]
    assert len(visible) == 1
    day = days.nth(visible[0])
    assert day.get_attribute("aria-labelledby") == f"day-{date}"
    remark = day.locator(".diary-remark")
    assert text in remark.inner_text() and "замечание" in remark.inner_text().lower()
    assert page.locator(".diary-day-nav").is_visible()
    screenshot(page, "remarks-diary-day-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The next day is one tap away (htmx swaps the week in and puts the day in the address).
    following = page.locator(".diary-day-steps a").nth(1)
    href = following.get_attribute("href")
    following.click()
    page.wait_for_url(f"{url}{href}")
    page.wait_for_selector(f"article.day.is-selected:not([aria-labelledby=day-{date}])")
    shown = [i for i in range(days.count()) if days.nth(i).is_visible()]
    assert len(shown) == 1 and days.nth(shown[0]).get_attribute("aria-labelledby") != f"day-{date}"
    phone.close()
