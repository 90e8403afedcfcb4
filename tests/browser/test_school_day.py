"""A school day end to end, in a real Chromium (issue 3, item 12).

The demo teacher marks the demo student's class with the keyboard and sets homework at the lesson;
the demo parent finds the new mark, the homework and the notifications about them; the demo
student ticks the homework done and the teacher sees it on the "who has done it" page.

The selectors lean on ids, names and data attributes, not on interface words, so the test holds
whether a string is translated yet or not; the screenshots are taken in the demo's Russian.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

SUBJECT_LESSONS = "li.diary-lesson"


@contextmanager
def signed_in(chromium: Any, url: str, username: str) -> Iterator[Any]:
    """A page of a browser context of its own, logged in as ``username`` (the demo's Russian UI)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, url, username)
        page.wait_for_url(f"{url}/")
        yield page
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot from the top (scrolled, the sticky header would be drawn mid-page)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, name)


def unread_count(page: Any) -> int:
    """The number on the header's bell (0 without a badge)."""
    badge = page.locator("[data-testid=unread-notifications]")
    return int(badge.inner_text().strip()) if badge.count() else 0


def notification_ids(page: Any) -> set[str]:
    """The ids of the notifications listed on the notifications page."""
    return set(page.eval_on_selector_all("li.notification", "els => els.map(e => e.id)"))


def wait_saved(page: Any, cell_id: str) -> None:
    """The cell (found anew by id: each save replaces it) shows its saved or failed state."""
    page.wait_for_function(
        "id => { const el = document.getElementById(id);"
        " return el && (el.classList.contains('is-saved') || el.classList.contains('is-failed')); }",
        arg=cell_id,
    )


def average(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    return float(text) if text else None


def the_demo_student(page: Any, url: str) -> tuple[int, str, str]:
    """The demo student's id, full name and class group, read from the student's own diary."""
    page.goto(f"{url}/diary/")
    page.wait_for_url(re.compile(r"/diary/\d+/"))
    match = re.search(r"/diary/(\d+)/", page.url)
    assert match is not None
    full_name = page.locator(".page-head h1").inner_text().strip()
    subtitle = page.locator(".page-head p.muted").first.inner_text()
    # «Класс 5А · Школа № …»: the class group is the last word before the first «·».
    group = subtitle.split("·")[0].split()[-1]
    return int(match.group(1)), full_name, group


def pick_lesson_column(page: Any, student_id: int, today: str) -> tuple[int, str]:
    """The latest lesson up to today that is not cancelled and where the student's cell is empty:
    its lesson id and date."""
    heads = page.locator("table.journal-grid thead th.jdate")
    candidates: list[tuple[str, int]] = []
    for index in range(heads.count()):
        head = heads.nth(index)
        date = head.get_attribute("data-date") or ""
        if date > today or "is-cancelled" in (head.get_attribute("class") or ""):
            continue
        href = head.locator("a").get_attribute("href") or ""
        lesson = re.search(r"/lessons/(\d+)/", href)
        assert lesson is not None, href
        candidates.append((date, int(lesson.group(1))))
    for date, lesson_id in sorted(candidates, reverse=True):
        cell = page.locator(f"#c-{student_id}-{lesson_id}")
        if cell.locator(".jmark, .jatt").count() == 0:
            return lesson_id, date
    pytest.skip("no past lesson of this journal has an empty cell for the demo student")


def next_lesson_date(page: Any, after: str) -> str | None:
    """The first later lesson of the journal that is not cancelled (the homework's default due date)."""
    dates = page.eval_on_selector_all(
        "table.journal-grid thead th.jdate:not(.is-cancelled)", "els => els.map(e => e.dataset.date)"
    )
    later = sorted(d for d in dates if d > after)
    return later[0] if later else None


def step_timer() -> Callable[[str], None]:
    """Prints how long each step took (shown with -s), to keep the test quick."""
    started = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        print(f"{name}: {now - started[0]:.1f}s")
        started[0] = now

    return lap


def test_a_school_day_from_the_journal_to_the_diary(chromium: Any, demo_server: str) -> None:
    url = demo_server
    lap = step_timer()
    with ExitStack() as stack:
        # One browser per person, each logged in once (a login costs a password hash).
        teacher, parent, student = (
            stack.enter_context(signed_in(chromium, url, name)) for name in ("teacher", "parent", "student")
        )
        lap("logins")
        school_day(url, teacher, parent, student, lap)


def school_day(url: str, teacher: Any, parent: Any, student: Any, lap: Callable[[str], None]) -> None:
    student_id, student_name, group = the_demo_student(student, url)
    surname = student_name.split()[0]
    parent.goto(f"{url}/")
    unread_before = unread_count(parent)
    parent.goto(f"{url}/notifications/")
    seen = notification_ids(parent)
    lap("setup")

    # --- 1. The teacher marks the class with the keyboard. ---------------------------------
    teacher.goto(f"{url}/journal/")
    own = teacher.locator("section[aria-labelledby=own-title] tbody tr")
    mine = own.filter(has=teacher.locator("th", has_text=re.compile(rf"^\s*{re.escape(group)}\s*$")))
    assert mine.count() >= 1, f"the demo teacher does not teach {group}"
    subject = mine.first.locator("td").first.inner_text().strip()
    mine.first.locator("th a").click()
    teacher.wait_for_url(re.compile(r"/journal/\d+/"))
    grid_url = teacher.url
    journal = teacher.locator("#journal")
    today = journal.get_attribute("data-today") or ""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", today)
    assert journal.get_attribute("data-writable") == "1"

    lesson_id, lesson_date = pick_lesson_column(teacher, student_id, today)
    expected_due = next_lesson_date(teacher, lesson_date)
    rows = teacher.locator("table.journal-grid tbody tr")
    row_ids = [
        (rows.nth(i).locator(f"td.jcell[data-lesson='{lesson_id}']").get_attribute("data-student") or "")
        for i in range(rows.count())
    ]
    student_row = row_ids.index(str(student_id))
    student_short = rows.nth(student_row).locator("th.jname").inner_text().strip()
    assert student_short.startswith(surname)
    avg_before = average(teacher.locator(f"#avg-{student_id}").inner_text())

    # The heaviest control form, chosen with the arrow keys of the toolbar's select.
    options = teacher.eval_on_selector_all(
        "#journal-form option", "els => els.map(e => [e.value, Number(e.dataset.weight), e.text])"
    )
    current = teacher.locator("#journal-form").input_value()
    target = max(range(len(options)), key=lambda i: (options[i][1], -i))
    form_id, weight, form_label = options[target]
    form_name = re.sub(r"\s*\(\d+\)\s*$", "", form_label)
    assert weight > 1, "no control form weighs more than 1"
    teacher.locator("#journal-form").focus()
    steps = target - [o[0] for o in options].index(current)
    for _ in range(abs(steps)):
        teacher.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert teacher.locator("#journal-form").input_value() == form_id

    # The student's mark moves the average for sure: a 5 unless it is all fives already.
    student_value = "4" if avg_before == 5 else "5"
    absent_row = 1 if student_row != 1 else 2
    last_row = max(student_row, 5)
    assert last_row < len(row_ids)
    cell_ids = [f"c-{row_ids[i]}-{lesson_id}" for i in range(last_row + 1)]

    marks_before = [teacher.locator(f"#{cell_id} .jmark").count() for cell_id in cell_ids]
    started = time.monotonic()
    teacher.locator(f"#{cell_ids[0]} a.jcell-link").focus()
    for index, cell_id in enumerate(cell_ids):
        if index:
            teacher.keyboard.press("ArrowDown")
        assert teacher.evaluate("() => document.activeElement.closest('td').id") == cell_id
        if index == absent_row:
            # «н» on a Russian layout; Playwright types with a Latin one, where it is «n».
            teacher.keyboard.press("n")
            teacher.wait_for_selector(f"#{cell_id} .jatt-absent")
        else:
            teacher.keyboard.press(student_value if index == student_row else "345"[index % 3])
        wait_saved(teacher, cell_id)
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"marking {len(cell_ids)} students took {elapsed:.1f}s"
    failed = teacher.locator("td.jcell.is-failed")
    assert failed.count() == 0, failed.first.get_attribute("data-error")
    for index, cell_id in enumerate(cell_ids):
        if index == absent_row:
            continue
        assert "is-saved" in (teacher.locator(f"#{cell_id}").get_attribute("class") or "")
        assert teacher.locator(f"#{cell_id} .jmark").count() == marks_before[index] + 1
    student_cell = teacher.locator(f"#c-{student_id}-{lesson_id}")
    assert student_cell.locator(".jmark").inner_text().startswith(student_value)
    assert student_cell.locator(f".jmark sub:text-is('{weight}')").count() == 1
    avg_after = average(teacher.locator(f"#avg-{student_id}").inner_text())
    assert avg_after is not None and avg_after != avg_before
    assert "is-failed" not in (teacher.locator("#journal-status").get_attribute("class") or "")
    shot(teacher, "school-day-1-journal")
    # The averages are at the grid's right end.
    teacher.eval_on_selector(".journal-wrap", "el => { el.scrollLeft = el.scrollWidth; }")
    shot(teacher, "school-day-1b-journal-averages")
    # The grid survives a reload: what it showed was saved.
    teacher.goto(grid_url)
    assert teacher.locator(f"#c-{student_id}-{lesson_id} .jmark").inner_text().startswith(student_value)
    absent_cell = f"c-{row_ids[absent_row]}-{lesson_id}"
    assert teacher.locator(f"#{absent_cell} .jatt-absent").count() == 1
    assert average(teacher.locator(f"#avg-{student_id}").inner_text()) == avg_after
    lap("journal")

    # --- The lesson page: homework set with the keyboard. ---
    teacher.goto(f"{url}/journal/lessons/{lesson_id}/")
    text = f"Решить № {student_id}–{student_id + 4} на с. 112, повторить правило (урок {lesson_id})"
    homework_form = teacher.locator("form.homework-form")
    homework_form.locator("textarea[name=text]").focus()
    teacher.keyboard.type(text)
    teacher.keyboard.press("Tab")
    due_input = homework_form.locator("input[name=due_on]")
    assert teacher.evaluate("() => document.activeElement.name") == "due_on"
    due_on = due_input.input_value()
    assert due_on > lesson_date, f"the due date {due_on!r} is not after the lesson"
    if expected_due is not None:
        assert due_on == expected_due
    with teacher.expect_navigation():
        teacher.keyboard.press("Enter")
    assert re.search(rf"/journal/lessons/{lesson_id}/$", teacher.url), teacher.url
    set_item = teacher.locator("section[aria-labelledby=homework-title] li", has_text=text)
    assert set_item.count() == 1
    detail_href = set_item.locator("a[href^='/homework/']").first.get_attribute("href") or ""
    homework_match = re.fullmatch(r"/homework/(\d+)/", detail_href)
    assert homework_match is not None, detail_href
    homework_id = int(homework_match.group(1))
    shot(teacher, "school-day-2-lesson-homework")
    lap("homework")

    # --- 2. The parent: the bell, the notifications, the diary. ----------------------------
    parent.goto(f"{url}/")
    assert unread_count(parent) >= unread_before + 2
    parent.locator("[data-testid=unread-notifications]").click()
    parent.wait_for_url(re.compile(r"/notifications/"))
    new = sorted(notification_ids(parent) - seen)
    assert len(new) >= 2, f"new notifications: {new}"
    fresh = parent.locator(", ".join(f"li#{n}.notification-unread" for n in new))
    mark_note = fresh.filter(has=parent.locator(f"a[href='/diary/{student_id}/?date={lesson_date}']"))
    mark_note = mark_note.filter(has_text=subject).filter(has_text=form_name)
    assert mark_note.count() == 1, "no notification of the new mark"
    assert re.search(rf"\b{student_value}\b", mark_note.inner_text())
    assert re.search(rf"{re.escape(form_name)}\D*\b{weight}\b", mark_note.inner_text())
    homework_note = fresh.filter(has=parent.locator("a[href^='/homework/']")).filter(has_text=subject)
    assert homework_note.count() == 1, "no notification of the new homework"
    shot(parent, "school-day-3-parent-notifications")

    # The week of the lesson: the mark, its weight and control form, on the lesson's day.
    parent.goto(f"{url}/diary/{student_id}/?week={lesson_date}")
    day = parent.locator(f"article.day:has(#day-{lesson_date})")
    lessons = day.locator(SUBJECT_LESSONS).filter(has=parent.locator(".lesson-subject", has_text=subject))
    value = parent.locator(f".diary-mark-value:text-is('{student_value}')")
    # The control form is the mark's tooltip in the week (its text is hidden there).
    marks = lessons.locator(f".diary-mark[title*='{form_name}']").filter(has=value)
    assert marks.count() == 1, f"the mark {student_value} ({form_name}) is not in the diary on {lesson_date}"
    assert marks.locator(".diary-mark-weight").inner_text().strip().endswith(str(weight))
    set_here = lessons.locator(".diary-hw-set", has_text=text)
    assert set_here.count() == 1, "the homework is not shown at the lesson that set it"
    shot(parent, "school-day-4-parent-diary-week")

    # The day it is due: the homework at the next lesson (in the same week or the next one).
    if not parent.locator(f"#day-{due_on}").count():
        parent.goto(f"{url}/diary/{student_id}/?week={due_on}")
        shot(parent, "school-day-5-parent-diary-due-week")
    due_day = parent.locator(f"article.day:has(#day-{due_on})")
    due_lessons = due_day.locator(SUBJECT_LESSONS).filter(
        has=parent.locator(".lesson-subject", has_text=subject)
    )
    due_block = due_lessons.locator(".diary-hw-block:not(.diary-hw-set)", has_text=text)
    assert due_block.count() == 1, f"the homework is not in the diary on {due_on}"
    lap("parent")

    # --- 3. The student ticks the homework done. -------------------------------------------
    student.goto(f"{url}/homework/")
    item = student.locator(f"#homework-{homework_id}")
    assert text in item.locator(".homework-text").inner_text()
    item.locator("button[aria-pressed=false]").click()
    student.wait_for_selector(f"#homework-{homework_id} button[aria-pressed=true]")
    shot(student, "school-day-6-student-homework")
    # A reload shows it done: the tick was saved.
    student.goto(f"{url}/homework/?status=done")
    assert student.locator(f"#homework-{homework_id} button[aria-pressed=true]").count() == 1
    lap("student")

    # --- 4. The teacher sees who has done it. ----------------------------------------------
    teacher.goto(f"{url}/homework/{homework_id}/")
    done_rows = teacher.locator("tbody tr.is-done")
    assert done_rows.count() == 1
    assert done_rows.first.locator("th").inner_text().strip() == student_short
    assert teacher.locator("tbody tr.is-todo").count() >= 1
    shot(teacher, "school-day-7-teacher-done")
    lap("teacher")
