"""Each demo role logs in, sees its home page and its timetable, in a real Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "parta-demo"


def log_in(page: Any, url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")


def switch_to_english(page: Any) -> None:
    page.click(".lang-switch button[value=en]")
    page.wait_for_load_state()


def test_a_wrong_password_is_refused_with_a_message(page: Any, demo_server: str) -> None:
    log_in(page, demo_server, "student", "not-the-password")
    page.locator("[role=alert]").wait_for()  # the answer to the POST, not the page before it
    assert page.url.endswith("/login/")
    screenshot(page, "login-error")


@pytest.mark.parametrize(
    ("username", "home_heading", "timetable_link"),
    [
        ("student", "Your day", "Timetable for the week"),
        ("parent", "Homework due next", "Timetable for the week"),
        ("teacher", "Your lessons today", "Your week"),
        ("admin", "Substitutions today", None),
        ("methodologist", "Schools of the city", None),
    ],
)
def test_each_role_sees_its_home_and_timetable(
    page: Any, demo_server: str, username: str, home_heading: str, timetable_link: str | None
) -> None:
    log_in(page, demo_server, username)
    page.wait_for_url(f"{demo_server}/")
    switch_to_english(page)
    assert page.get_by_text(home_heading).first.is_visible()
    screenshot(page, f"home-{username}")

    if timetable_link is None:
        return
    page.get_by_role("link", name=timetable_link).first.click()
    page.wait_for_url(re.compile(r"/timetable/(student|teacher)/\d+/"))
    assert page.locator("#week .day").count() >= 5
    if page.locator("#week .lesson").count() == 0:
        # A holiday week: the next one has lessons.
        page.get_by_role("link", name="Next week").click()
        page.wait_for_url(re.compile(r"week="))
    assert page.locator("#week .lesson").count() > 0
    screenshot(page, f"timetable-{username}")


def test_admin_opens_a_class_group_timetable_from_the_structure(page: Any, demo_server: str) -> None:
    log_in(page, demo_server, "admin")
    switch_to_english(page)
    page.get_by_role("link", name="Class groups").first.click()
    page.wait_for_url(re.compile(r"/school/\d+/classes/"))
    screenshot(page, "admin-class-groups")
    page.locator("table a").first.click()
    page.wait_for_url(re.compile(r"/school/\d+/classes/\d+/"))
    screenshot(page, "admin-class-group")
    page.get_by_role("link", name="Timetable", exact=True).first.click()
    page.wait_for_url(re.compile(r"/timetable/class/\d+/"))
    assert page.locator("#week .lesson").count() > 0
    screenshot(page, "timetable-class-group")


def test_parent_switches_between_children(page: Any, demo_server: str) -> None:
    log_in(page, demo_server, "parent")
    page.goto(f"{demo_server}/timetable/")
    tabs = page.locator("nav.tabs a")
    assert tabs.count() == 2
    first_title = page.locator("h1").inner_text()
    tabs.nth(1).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() != first_title
    assert page.locator("nav.tabs a[aria-current=page]").inner_text() == tabs.nth(1).inner_text()


def test_week_navigation_keeps_the_page_and_the_address_in_step(page: Any, demo_server: str) -> None:
    log_in(page, demo_server, "student")
    page.goto(f"{demo_server}/timetable/")
    page.wait_for_url(re.compile(r"/timetable/student/\d+/"))
    title = page.locator("#week-title").inner_text()
    page.locator("#week a[rel=next]").click()
    page.wait_for_url(re.compile(r"week=\d{4}-\d{2}-\d{2}"))
    page.wait_for_function("(old) => document.querySelector('#week-title').innerText !== old", arg=title)
    page.go_back()
    page.wait_for_function("(old) => document.querySelector('#week-title').innerText === old", arg=title)


def test_the_interface_speaks_russian_and_english(page: Any, demo_server: str) -> None:
    log_in(page, demo_server, "student")
    page.goto(f"{demo_server}/timetable/")
    page.click(".lang-switch button[value=ru]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_text("Следующая неделя").first.is_visible()
    screenshot(page, "timetable-student-ru")
    switch_to_english(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Next week").first.is_visible()


def test_superuser_reaches_the_back_office(page: Any, demo_server: str) -> None:
    log_in(page, demo_server, "root")
    page.goto(f"{demo_server}/admin/")
    assert page.locator("#site-name").is_visible()
    screenshot(page, "admin-back-office")


def test_a_parents_home_has_each_childs_day_news_and_homework(page: Any, demo_server: str) -> None:
    """Never an empty card: lessons (today's or the next school day's), homework due next, on a phone."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, demo_server, "parent")
    page.wait_for_url(f"{demo_server}/")
    cards = page.locator("section.child-home")
    assert cards.count() == 2
    for index in range(2):
        text = cards.nth(index).inner_text().lower()  # the card's subtitles are in capitals
        assert "уроки сегодня" in text or "следующий учебный день" in text
        assert "ближайшие домашние задания" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "home-parent-ru-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
