"""An administrator keeps the school's structure in a real Chromium: a building with a room, a
holiday, a bell, a subgroup with members, a control form and a student's move; every page fits a
390 px phone without sideways scrolling, in Russian and in English."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.browser.test_roles import log_in, switch_to_english

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} is {width}px wide in a {viewport}px window"


def menu(page: Any, name: str) -> None:
    page.locator("nav").get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_load_state()


def save(page: Any, label: str = "Save") -> None:
    page.locator("form.form").get_by_role("button", name=label).click()
    page.wait_for_load_state()


def demo_year(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.year if today.month >= 8 else today.year - 1
    return dt.date(start, 9, 1), dt.date(start + 1, 5, 31)


def test_an_administrator_keeps_the_schools_structure(page: Any, demo_server: str) -> None:
    today = timezone.localdate()
    first_day, last_day = demo_year(today)
    log_in(page, demo_server, "admin")
    page.wait_for_url(f"{demo_server}/")
    switch_to_english(page)

    # A building with a room.
    menu(page, "Buildings")
    page.get_by_role("link", name="New building").click()
    page.fill("input[name=name]", "Sports centre")
    page.fill("input[name=address]", "5 Stadium Street")
    save(page)
    assert page.get_by_role("heading", name="Sports centre").is_visible()
    page.get_by_role("link", name="Add a room (Sports centre)").click()
    page.fill("input[name=name]", "Gym 2")
    page.select_option("select[name=kind]", "gym")
    page.fill("input[name=capacity]", "60")
    save(page)
    assert page.get_by_role("link", name="Gym 2").is_visible()
    screenshot(page, "structure-buildings-en")

    # A holiday, first refused for falling outside the year, then saved.
    menu(page, "Study periods")
    page.get_by_role("link", name="New holiday").click()
    page.fill("input[name=name]", "Cosmonautics Day")
    page.fill("input[name=starts_on]", (last_day + dt.timedelta(days=1)).isoformat())
    page.fill("input[name=ends_on]", (last_day + dt.timedelta(days=2)).isoformat())
    save(page)
    assert page.locator(".has-error").count() >= 1
    screenshot(page, "structure-holiday-error-en")
    cosmonautics = dt.date(last_day.year, 4, 12)
    page.fill("input[name=starts_on]", cosmonautics.isoformat())
    page.fill("input[name=ends_on]", cosmonautics.isoformat())
    save(page)
    assert (
        page.get_by_role("cell", name="Cosmonautics Day")
        .or_(page.get_by_role("rowheader", name="Cosmonautics Day"))
        .first.is_visible()
    )

    # A bell after the last lesson.
    menu(page, "Bells")
    page.get_by_role("link", name="New lesson time").click()
    page.fill("input[name=starts_at]", "15:15")
    page.fill("input[name=ends_at]", "16:00")
    save(page)
    assert page.get_by_text("15:15").is_visible()
    screenshot(page, "structure-bells-en")

    # A subgroup with two members.
    menu(page, "Class groups")
    page.locator("table tbody th a").first.click()
    page.wait_for_url(re.compile(r"/school/\d+/classes/\d+/$"))
    class_url = page.url
    page.get_by_role("link", name="New subgroup").click()
    page.select_option("select[name=subject]", index=1)
    page.fill("input[name=number]", "5")
    save(page)
    page.wait_for_url(re.compile(r"/subgroups/\d+/$"))
    boxes = page.locator("input[name=students]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    save(page)
    page.wait_for_url(class_url)
    assert page.get_by_text("Subgroup", exact=False).first.is_visible()

    # A control form.
    menu(page, "Grading")
    page.get_by_role("link", name="New control form").click()
    page.fill("input[name=name_ru]", "Зачёт")
    page.fill("input[name=name_en]", "Credit test")
    page.fill("input[name=code]", "credit")
    page.fill("input[name=default_weight]", "4")
    save(page)
    assert page.get_by_role("rowheader", name="Credit test").is_visible()
    screenshot(page, "structure-grading-en")

    # A student's move to another class group.
    page.goto(class_url)
    page.get_by_role("link", name=re.compile(r"^Move ")).first.click()
    page.wait_for_url(re.compile(r"/move/$"))
    target = page.locator("select[name=to] optgroup option").first.get_attribute("value")
    page.select_option("select[name=to]", target)
    page.fill("input[name=moved_on]", min(today, last_day).isoformat())
    page.fill("textarea[name=reason]", "Order No. 15 of the school")
    screenshot(page, "structure-move-en")
    save(page, "Move")
    page.wait_for_url(class_url)
    assert page.get_by_text("Order No. 15 of the school").is_visible()
    screenshot(page, "structure-class-after-move-en")
    assert first_day <= min(today, last_day)

    # The same pages on a phone, in Russian and in English: nothing scrolls sideways.
    school_url = re.match(r"(.*/school/\d+)/", class_url)
    assert school_url is not None
    pages = {
        "buildings": f"{school_url.group(1)}/buildings/",
        "periods": f"{school_url.group(1)}/periods/",
        "bells": f"{school_url.group(1)}/bells/",
        "grading": f"{school_url.group(1)}/grading/",
        "class": class_url,
        "move-form": None,
    }
    page.set_viewport_size(PHONE)
    for language in ("en", "ru"):
        if language == "ru":
            page.click(".lang-switch button[value=ru]")
            page.wait_for_load_state()
        for name, url in pages.items():
            if url is None:
                page.goto(class_url)
                page.locator("a[href$='/move/']").first.click()
                page.wait_for_url(re.compile(r"/move/$"))
            else:
                page.goto(url)
            screenshot(page, f"structure-{name}-phone-{language}")
            fits(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    for name in ("buildings", "class"):
        page.goto(pages[name] or class_url)
        screenshot(page, f"structure-{name}-desk-ru")
