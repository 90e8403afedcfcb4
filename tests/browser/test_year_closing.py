"""Period and year marks at the end of a period, in a real Chromium: the teacher gives «н/а» from the
grid's period-mark list; the administrator is asked to confirm before closing a period or the year
that has not ended, and the pages fit a 390 px phone. Nothing is left changed for the other tests:
the mark is taken back and nothing is closed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_journal import open_first_journal, wait_saved
from tests.browser.test_roles import log_in, switch_to_english
from tests.browser.test_structure import PHONE, fits

pytestmark = pytest.mark.browser


def test_the_teacher_gives_not_attested_from_the_grid(page: Any, demo_server: str) -> None:
    open_first_journal(page, demo_server)
    switch_to_english(page)
    select = page.locator("select.jpm-select").first
    cell_id = select.locator("xpath=ancestor::td").get_attribute("id")
    before = select.input_value()
    select.select_option("na")
    wait_saved(page, cell_id)
    cell = page.locator(f"#{cell_id}")
    assert "is-failed" not in (cell.get_attribute("class") or ""), cell.get_attribute("data-error")
    assert page.locator(f"#{cell_id} select").input_value() == "na"
    page.reload()
    assert page.locator(f"#{cell_id} select").input_value() == "na"
    page.locator(f"#{cell_id}").scroll_into_view_if_needed()
    screenshot(page, "journal-period-mark-not-attested")
    page.locator(f"#{cell_id} select").select_option(before)
    wait_saved(page, cell_id)


def test_closing_a_running_period_or_year_asks_first(page: Any, demo_server: str) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, demo_server, "admin")
    page.wait_for_url(f"{demo_server}/")
    switch_to_english(page)
    page.goto(f"{demo_server}/")
    school = page.locator("a[href^='/school/']").first.get_attribute("href")
    school_id = re.match(r"/school/(\d+)/", school or "").group(1)  # type: ignore[union-attr]
    page.goto(f"{demo_server}/school/{school_id}/periods/")
    fits(page)
    page.get_by_role("link", name="Close the year").click()
    page.wait_for_url(re.compile(r"/years/\d+/close/"))
    assert page.get_by_text("The academic year has not ended").is_visible()
    assert page.get_by_text(re.compile(r"This closes the study periods? ")).is_visible()
    fits(page)
    screenshot(page, "year-close-phone")
    # Without the tick nothing closes, and the page says why.
    page.get_by_role("button", name="Close the academic year").click()
    page.wait_for_load_state()
    assert page.get_by_text("Confirm that it is to be closed before its end").first.is_visible()
    assert page.get_by_role("button", name="Close the academic year").is_visible()
    screenshot(page, "year-close-refused-phone")
    page.goto(f"{demo_server}/school/{school_id}/periods/")
    running = page.locator("table a[href$='/close/']").filter(has_text="Close").last
    running.click()
    page.wait_for_url(re.compile(r"/periods/\d+/close/"))
    if page.get_by_text("The study period has not ended").count():
        page.get_by_role("button", name="Close the study period").click()
        page.wait_for_load_state()
        assert page.get_by_text("Confirm that it is to be closed before its end").first.is_visible()
    fits(page)
    screenshot(page, "period-close-phone")


def test_the_teacher_opens_the_thematic_plan_from_the_journal(page: Any, demo_server: str) -> None:
    open_first_journal(page, demo_server)
    switch_to_english(page)
    page.get_by_role("link", name="Thematic plan").click()
    page.wait_for_url(re.compile(r"/journal/\d+/plan/"))
    assert page.locator("table.plan-table tbody tr").count() > 3
    assert page.get_by_role("button", name="Save the plan").is_visible()
    screenshot(page, "thematic-plan-desk")
    page.set_viewport_size(PHONE)
    fits(page)
    # Every column, *Remove* included, is in view: the table does not scroll sideways either.
    assert page.evaluate(
        "document.querySelector('.plan-table').closest('.table-wrap').scrollWidth"
    ) <= page.evaluate("document.querySelector('.plan-table').closest('.table-wrap').clientWidth")
    screenshot(page, "thematic-plan-phone")
