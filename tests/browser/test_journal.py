"""The teacher marks a class with the keyboard in the journal grid, in a real Chromium."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser


def open_first_journal(page: Any, url: str) -> None:
    log_in(page, url, "teacher")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/journal/")
    page.locator("a[href^='/journal/']").filter(has_text=re.compile(r"\d")).first.click()
    page.wait_for_url(re.compile(r"/journal/\d+/"))


def wait_saved(page: Any, cell_id: str) -> None:
    """The cell (found anew by id: each save replaces it) shows its saved or failed state."""
    page.wait_for_function(
        "id => { const el = document.getElementById(id);"
        " return el && (el.classList.contains('is-saved') || el.classList.contains('is-failed')); }",
        arg=cell_id,
    )


def writable_column(page: Any) -> int:
    """The index of the latest lesson column on or before today that is not cancelled (a lesson
    that has not taken place yet takes no marks), counted among the row's cells."""
    first_row = page.locator("table.journal-grid tbody tr").first
    cells = first_row.locator("td.jcell")
    for index in range(cells.count() - 1, -1, -1):
        classes = (cells.nth(index).get_attribute("class") or "").split()
        if "is-cancelled" not in classes and "is-future" not in classes:
            return index
    pytest.skip("no lesson to mark in this period")


def test_a_teacher_marks_the_class_with_the_keyboard(page: Any, demo_server: str) -> None:
    open_first_journal(page, demo_server)
    rows = page.locator("table.journal-grid tbody tr")
    count = min(rows.count(), 30)
    assert count > 0
    column = writable_column(page)
    rows.nth(0).locator("td.jcell").nth(column).locator("a").focus()
    started = time.monotonic()
    for index in range(count):
        page.keyboard.press("5" if index % 3 else "4")
        # Wait for the saved state before moving on, as a teacher watching the cell would.
        cell_id = rows.nth(index).locator("td.jcell").nth(column).get_attribute("id")
        wait_saved(page, cell_id)
        page.keyboard.press("ArrowDown")
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"marking {count} students took {elapsed:.1f}s"
    failed = page.locator("td.jcell.is-failed")
    assert failed.count() == 0, failed.first.get_attribute("data-error")
    # Attendance and removing the last mark.
    first_id = rows.nth(0).locator("td.jcell").nth(column).get_attribute("id")
    page.locator(f"#{first_id} a").focus()
    page.keyboard.press("Backspace")
    wait_saved(page, first_id)
    page.keyboard.press("n")
    page.wait_for_selector(f"#{first_id} .jatt-absent")
    # The average updates with the marks.
    assert rows.nth(1).locator("td.javg").inner_text().strip() != ""
    screenshot(page, "journal-grid-keyboard")
    # A lesson that has not taken place yet: typing a mark there is refused at once.
    future = page.locator("table.journal-grid tbody tr").first.locator("td.jcell.is-future")
    if future.count():
        future.first.locator("a").focus()
        page.keyboard.press("5")
        # The demo speaks Russian by default; the message is the catalogue's, in either language.
        page.wait_for_function(
            "texts => texts.some(t => document.getElementById('journal-status').textContent.includes(t))",
            arg=["The lesson has not taken place yet.", "Урок ещё не прошёл."],
        )
        assert future.first.locator(".jmark").count() == 0
    # Enter opens the cell's detail with its history.
    rows.nth(1).locator("td.jcell").nth(column).locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#journal-dialog[open] #cell-title")
    screenshot(page, "journal-cell-dialog")


def test_the_average_and_final_columns_stay_in_sight_while_the_lessons_scroll(
    page: Any, demo_server: str
) -> None:
    page.set_viewport_size({"width": 1024, "height": 800})
    open_first_journal(page, demo_server)
    wrap = page.locator(".journal-wrap")
    # The lessons are wider than the frame (else there is nothing to pin).
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth + 200")
    for left in (0, 100_000):
        wrap.evaluate("(el, left) => { el.scrollLeft = left; }", left)
        frame = wrap.bounding_box()
        average = page.locator("tbody tr").first.locator("td.javg").bounding_box()
        assert frame is not None and average is not None
        # Inside the frame's right edge, and the cell on top there is the average itself.
        assert (
            frame["x"] <= average["x"] and average["x"] + average["width"] <= frame["x"] + frame["width"] + 1
        )
        on_top = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('td')?.className || ''",
            [average["x"] + average["width"] / 2, average["y"] + average["height"] / 2],
        )
        assert "javg" in on_top
    screenshot(page, "journal-pinned-finals")
