"""An administrator keeps the weekly timetable in a real Chromium: reads a class's week, marks a
time a teacher cannot teach, moves a weekly lesson (a clash is refused on the form), and
publishes from tomorrow while the progress bar runs to the end; the pages fit a 390 px phone,
in Russian and in English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.browser.test_roles import log_in, switch_to_english
from tests.browser.test_structure import PHONE, fits, menu

pytestmark = pytest.mark.browser


def test_an_administrator_edits_and_publishes_the_weekly_timetable(page: Any, demo_server: str) -> None:
    log_in(page, demo_server, "admin")
    page.wait_for_url(f"{demo_server}/")
    menu(page, "Недельное расписание")
    assert page.get_by_role("heading", name="Недельное расписание").is_visible()
    assert page.locator(".template-grid .template-slot").count() >= 15
    page.set_viewport_size(PHONE)
    fits(page)
    screenshot(page, "timetable-template-ru-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    switch_to_english(page)

    # A time a teacher cannot teach.
    page.get_by_role("link", name="Times teachers cannot teach").click()
    page.wait_for_load_state()
    page.locator("input[name=times][value='6-7']").check()
    page.locator("form.form").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Saved." in page.locator(".messages").inner_text()
    assert page.locator("input[name=times][value='6-7']").is_checked()

    # Move a weekly lesson onto another of the class's lessons: refused on the form, then to Saturday.
    menu(page, "Weekly timetable")
    # The first lesson of the class's Monday; its second lesson is in the grid's next row.
    assert (
        page.locator(".template-grid tbody tr").nth(1).locator("td").first.locator(".template-slot").count()
    )
    page.locator(".template-grid tbody tr").first.locator("td").first.locator(".template-slot").first.click()
    page.wait_for_load_state()
    page.select_option("select[name=number]", "2")
    page.locator("form.form").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator(".field.has-error").first.is_visible()
    page.select_option("select[name=weekday]", "6")
    page.select_option("select[name=number]", "1")
    page.locator("form.form").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("columnheader", name="Saturday").is_visible()
    screenshot(page, "timetable-template-en-desk")

    # Publish from tomorrow: the progress bar runs to the end and says what changed.
    page.get_by_role("link", name="Publish", exact=True).click()
    page.wait_for_load_state()
    page.locator("form.form").get_by_role("button", name="Publish").click()
    page.wait_for_selector("#publication[data-status=done]", timeout=60_000)
    assert page.locator("#publication-progress").get_attribute("value") == "100"
    assert "The timetable is published." in page.locator("#publication").inner_text()
    page.set_viewport_size(PHONE)
    fits(page)
    screenshot(page, "timetable-publication-en-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_administrator_covers_an_absent_teachers_lesson(page: Any, demo_server: str) -> None:
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    log_in(page, demo_server, "admin")
    page.wait_for_url(f"{demo_server}/")
    switch_to_english(page)
    menu(page, "Substitutions")
    page.fill("input[name=date]", monday.isoformat())
    page.select_option("select[name=teacher]", index=1)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    page.locator(
        "#teacher-lessons ~ .table-wrap a.button, section[aria-labelledby=teacher-lessons] a.button"
    ).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Give the lesson to another teacher").is_visible()
    page.set_viewport_size(PHONE)
    fits(page)
    screenshot(page, "lesson-change-en-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("input[name=note]", "The teacher is at a course")
    page.get_by_role("button", name="Substitute", exact=True).click()
    page.wait_for_load_state()
    assert "Saved." in page.locator(".messages").inner_text()
    assert page.locator(".lesson-state .badge-substitution").is_visible()
    assert "substituted" in page.locator("section[aria-labelledby=history-title]").inner_text()
    page.get_by_role("link", name="The day's substitutions").click()
    page.wait_for_load_state()
    assert "The teacher is at a course" in page.locator("section[aria-labelledby=day-changes]").inner_text()
    screenshot(page, "substitutions-en-desk")
