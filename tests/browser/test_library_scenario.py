"""A teacher builds a lesson scenario from two elements in the constructor, reorders them with the
keyboard, previews, saves, and shows it in presentation mode paging with ArrowRight; the pages are
photographed at a desk and on a phone (390 px)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import demo_copy, manage, screenshot, serving
from tests.browser.test_every_page import _problems
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

MAKE_ELEMENTS = """
from parta.accounts.models import User
from parta.testing.library import text_material
teacher = User.objects.get(username="teacher")
text_material(teacher, title="Маятник: опыт", body="Подвесьте груз на нити и отклоните его.")
text_material(teacher, title="Маятник: формула", body="Период T = 2π√(l/g).")
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_school: Path) -> Iterator[str]:
    """A demo school of its own: the materials made here must not reach other tests' pages."""
    env = demo_copy(demo_school, Path(tmp_path_factory.mktemp("library")))
    manage(env, "shell", "-c", MAKE_ELEMENTS)
    with serving(env) as url:
        yield url


def labels(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".composer-root [data-label]").all_inner_texts()]


def test_a_teacher_builds_reorders_previews_saves_and_presents_a_scenario(chromium: Any, demo: str) -> None:
    url = demo
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = desk.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "teacher")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/library/new/?kind=scenario")
    page.fill("input[name=title]", "Маятник: урок")

    # Two elements found by title and added in turn.
    page.fill("#composer-search", "Маятник")
    found = page.locator("#composer-found [data-action=add-material]")
    found.first.wait_for()
    assert found.count() == 2
    page.locator("#composer-found li", has_text="опыт").locator("button").click()
    page.locator("#composer-found li", has_text="формула").locator("button").click()
    assert labels(page) == ["Маятник: опыт", "Маятник: формула"]

    # The second one up with the keyboard: its handle focused, Alt+ArrowUp; the move is announced.
    page.locator(".composer-root [data-item=block]").nth(1).locator("[data-handle]").focus()
    page.keyboard.press("Alt+ArrowUp")
    assert labels(page) == ["Маятник: формула", "Маятник: опыт"]
    page.wait_for_function("document.querySelector('[data-announce]').textContent.includes('1')")
    assert page.evaluate("document.activeElement.matches('[data-handle]')")
    content = json.loads(page.input_value("#id_content"))
    assert [block["type"] for block in content["blocks"]] == ["material", "material"]

    # The preview renders the unsaved blocks in their new order.
    page.click("[data-action=preview]")
    preview = page.locator("[data-preview-body]")
    preview.locator(".library-block-element").nth(1).wait_for()
    text = preview.inner_text()
    assert text.index("Период T") < text.index("Подвесьте груз")
    screenshot(page, "library-constructor-desk")

    page.click("[data-testid=save-material]")
    page.wait_for_url(f"{url}/library/materials/*/")
    body = page.locator(".library-content").inner_text()
    assert body.index("Период T") < body.index("Подвесьте груз")
    screenshot(page, "library-scenario-desk")
    material_url = page.url

    # Presentation: a title slide, then one element a slide; ArrowRight pages on.
    page.click("a[href$='/present/']")
    page.wait_for_url("**/present/")
    counter = page.locator("[data-counter]")
    assert counter.inner_text() == "1 / 3"
    page.keyboard.press("ArrowRight")
    assert counter.inner_text() == "2 / 3"
    assert "Период T" in page.locator(".slide:not([hidden])").inner_text()
    screenshot(page, "library-present-desk")
    page.keyboard.press("ArrowRight")
    assert counter.inner_text() == "3 / 3"
    assert "Подвесьте груз" in page.locator(".slide:not([hidden])").inner_text()
    page.keyboard.press("ArrowLeft")
    assert counter.inner_text() == "2 / 3"
    page.keyboard.press("Escape")
    page.wait_for_url(material_url)
    desk.close()

    # On a phone: the material page, its constructor and the presentation fit 390 px.
    phone = chromium.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "teacher")
    page.wait_for_url(f"{url}/")
    axe = Axe()
    pages = (
        ("", "library-scenario-phone"),
        ("edit/", "library-constructor-phone"),
        ("versions/", "library-versions-phone"),
        ("present/", "library-present-phone"),
    )
    for path, name in pages:
        page.goto(material_url + path)
        if path == "present/":
            page.keyboard.press("ArrowRight")
            assert page.locator("[data-counter]").inner_text() == "2 / 3"
        # Fits 390 px, and axe-core finds nothing serious (as every page reached from a menu).
        assert not _problems(page, axe), (name, _problems(page, axe))
        screenshot(page, name)
    phone.close()
