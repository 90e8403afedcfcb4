"""A new school with no demo generator (issue 18, item 10), in a real Chromium: a OneRoster bundle
imported by the operator's command, the administrator's first sign-in (a new password), the
weekly timetable drafted on its page and published into the year's lessons, the teacher's first
mark in the journal, and the family seeing it in the diary — on a desk and a phone, in Russian and
English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ROOT, manage, screenshot, server_env, serving
from tests.browser.test_journal import wait_saved, writable_column
from tests.browser.test_roles import switch_to_english
from tests.browser.test_structure import PHONE, fits, menu

pytestmark = pytest.mark.browser

BUNDLE = ROOT / "parta" / "interop" / "tests" / "bundles" / "v12"
FIRST = "first-Password-1"
NEW = "a-New-password-2"


@pytest.fixture(scope="module")
def new_school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """An empty Parta (migrated, no demo), the bundle imported as a new school, and one-time
    passwords set by the operator for three of its people, as an enrolment slip would give them."""
    env = server_env(tmp_path_factory.mktemp("new-school"))
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "oneroster_import", str(BUNDLE), "--new-school", "--quiet-rows")
    manage(
        env,
        "shell",
        "-c",
        "from parta.accounts.models import User\n"
        "for name in ('orlov.a', 'ivanova.t', 'belova.m'):\n"
        "    user = User.objects.get(username=name)\n"
        f"    user.set_password('{FIRST}')\n"
        "    user.must_change_password = True\n"
        "    user.save()\n",
    )
    with serving(env) as url:
        yield url, env


def first_sign_in(page: Any, url: str, username: str) -> None:
    """Sign in with the one-time password; Parta asks for a new one before anything else."""
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", FIRST)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/password/"))  # an imported account must choose its own first
    page.fill("input[name=old_password]", FIRST)
    page.fill("input[name=new_password1]", NEW)
    page.fill("input[name=new_password2]", NEW)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def sign_out(page: Any) -> None:
    page.context.clear_cookies()


def test_a_school_from_a_bundle_to_its_first_mark(page: Any, new_school: tuple[str, dict[str, str]]) -> None:
    url, env = new_school

    # The administrator: first sign-in, then the weekly timetable is drafted on its page.
    first_sign_in(page, url, "orlov.a")
    switch_to_english(page)
    menu(page, "Weekly timetable")
    page.get_by_role("button", name="Draft the timetable").click()
    page.wait_for_load_state()
    assert page.locator(".template-grid .template-slot").count() > 0
    screenshot(page, "new-school-timetable-en-desk")
    school_id = re.search(r"/school/(\d+)/", page.url).group(1)  # type: ignore[union-attr]

    # Publishing from the first day of the year (a school starting in September): the operator's
    # command, since the page publishes only from today on.
    out = manage(
        env, "timetable_build", "--school", school_id, "--keep-template", "--publish", "--since", "2026-09-01"
    )
    assert "Published: lessons created" in out
    page.reload()
    sign_out(page)

    # The teacher gives the first mark in the journal.
    first_sign_in(page, url, "ivanova.t")
    page.goto(f"{url}/journal/")
    page.locator("a[href^='/journal/']").filter(has_text=re.compile(r"\d")).first.click()
    page.wait_for_url(re.compile(r"/journal/\d+/"))
    column = writable_column(page)
    # The family's child: Anna Belova, in the bundle's 5A and its Mathematics.
    row = page.locator("table.journal-grid tbody tr").filter(has_text="Belova").first
    cell = row.locator("td.jcell").nth(column)
    cell.locator("a").focus()
    page.keyboard.press("5")
    wait_saved(page, cell.get_attribute("id"))
    assert page.locator("td.jcell.is-failed").count() == 0
    screenshot(page, "new-school-journal-en-desk")
    sign_out(page)

    # The parent sees it in the diary, on a phone, in Russian.
    page.set_viewport_size(PHONE)
    first_sign_in(page, url, "belova.m")
    page.goto(f"{url}/diary/")
    page.wait_for_load_state()
    five = page.locator(".diary-mark-value.tone-excellent")
    if not five.count():  # the lesson was in an earlier week (a Monday before its first lesson)
        with page.expect_navigation():
            page.locator("a[rel=prev]").first.click()
    assert five.count() == 1
    fits(page)
    screenshot(page, "new-school-diary-ru-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
