"""A teacher opens a lesson, attaches a material the page suggests for its topic in one click,
and sets homework with another; the student finds both in the diary, at a desk and on a phone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, demo_copy, manage, screenshot, serving
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# The demo student's latest whole-class lesson that has taken place, and two materials of its
# subject and grade made by its teacher (the demo's library may have none): one tied to the
# lesson's topic, one for the homework.
PREPARE = """
import json
from django.utils import timezone
from parta.library.services.authoring import MaterialData, material_create
from parta.schools.models import Enrolment
from parta.timetable.models import Lesson
enrolment = Enrolment.objects.filter(student__username="student").order_by("-year__starts_on").first()
lesson = Lesson.objects.filter(
    class_group_id=enrolment.class_group_id,
    subgroup__isnull=True,
    status=Lesson.Status.SCHEDULED,
    date__lte=timezone.localdate(),
).select_related("teacher", "class_group").order_by("-date", "-number").first()
common = {"subject_ids": [lesson.subject_id], "grades": [lesson.class_group.grade]}
topics = [lesson.topic_id] if lesson.topic_id else []
on_topic = material_create(lesson.teacher, kind="text", data=MaterialData(
    title="Разбор темы урока: опорный конспект", content={"body": "Конспект."}, topic_ids=topics, **common))
for_homework = material_create(lesson.teacher, kind="link", data=MaterialData(
    title="Тренажёр для домашней работы", content={"url": "https://example.org/trainer"}, **common))
print(json.dumps({"student": enrolment.student_id, "lesson": lesson.pk, "date": lesson.date.isoformat(),
                  "teacher": lesson.teacher.username, "on_topic": on_topic.pk,
                  "for_homework": for_homework.pk}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_school: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A demo school of its own (what is given here must not reach other tests' pages)."""
    env = demo_copy(demo_school, Path(tmp_path_factory.mktemp("lesson-materials")))
    found = json.loads(manage(env, "shell", "-c", PREPARE).strip().splitlines()[-1])
    with serving(env) as url:
        yield url, found


def test_a_teacher_gives_materials_at_a_lesson_and_with_homework_and_the_student_opens_them(
    chromium: Any, demo: tuple[str, dict[str, Any]]
) -> None:
    url, found = demo
    lesson, date = found["lesson"], found["date"]

    # The teacher at a desk: the lesson page suggests the material; one click attaches it (htmx).
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = desk.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, found["teacher"])
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/journal/lessons/{lesson}/")
    section = page.locator("#lesson-materials")
    offered = section.locator(".lesson-materials-offered li", has_text="опорный конспект")
    offered.locator("button").click()
    given = page.locator("#lesson-materials .lesson-materials-given")
    given.wait_for()
    assert "опорный конспект" in given.inner_text()
    assert page.url == f"{url}/journal/lessons/{lesson}/"  # swapped in place, no reload
    # The sticky header would cover the section in its own picture.
    page.add_style_tag(content=".topbar { position: static; }")
    section.screenshot(path=str(SCREENSHOTS / "lesson-materials-section-desk.png"))

    # Homework with the other material: a checkbox in the lesson page's homework form.
    form = page.locator("form.homework-form")
    form.locator("textarea[name=text]").fill("Пройти тренажёр, задания 1–5")
    due = dt.date.fromisoformat(date) + dt.timedelta(days=1)
    form.locator("input[name=due_on]").fill(due.isoformat())
    form.locator("label", has_text="Тренажёр для домашней работы").click()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{url}/journal/lessons/{lesson}/")
    homework = page.locator("section[aria-labelledby=homework-title]")
    assert "Тренажёр для домашней работы" in homework.inner_text()
    page.add_style_tag(content=".topbar { position: static; }")
    homework.screenshot(path=str(SCREENSHOTS / "lesson-materials-homework-desk.png"))
    desk.close()

    # The same section on the teacher's phone fits its width.
    phone = chromium.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, found["teacher"])
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/journal/lessons/{lesson}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.add_style_tag(content=".topbar { position: static; }")
    page.locator("#lesson-materials").screenshot(path=str(SCREENSHOTS / "lesson-materials-section-phone.png"))
    phone.close()

    # The student on a phone: the day of the lesson in the diary shows both, each a link.
    phone = chromium.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "student")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/diary/{found['student']}/?date={date}")
    day = page.locator(f"article.day[aria-labelledby=day-{date}]")
    # The demo's own materials may be given at other lessons of the day.
    materials = day.locator(".diary-materials", has_text="опорный конспект")
    assert materials.count() == 1
    link = day.locator("a", has_text="Тренажёр для домашней работы").first
    assert link.get_attribute("href") == f"/library/materials/{found['for_homework']}/"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.add_style_tag(content=".topbar { position: static; }")
    screenshot(page, "lesson-materials-diary-phone")
    phone.close()

    # And at a desk, the whole week.
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = desk.new_page()
    log_in(page, url, "student")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/diary/{found['student']}/?date={date}&view=week")
    assert "опорный конспект" in page.locator(f"article.day[aria-labelledby=day-{date}]").inner_text()
    screenshot(page, "lesson-materials-diary-desk")
    desk.close()
