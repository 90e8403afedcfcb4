"""The library's catalogue in a real Chromium: a visitor who has not signed in finds public
materials from the login page; a teacher searches and narrows by a facet; at a desk and on a
390 px phone (screenshots in test-artifacts/screenshots/library-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import demo_copy, manage, screenshot, serving
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

# Materials by the demo teacher, published by the demo methodologist: two for everyone, one for
# the city only, and a draft nobody else sees. Each title has a word no demo material has, so
# the demo's own library (hundreds of materials) stays out of the counts.
SHELF = """
from parta.accounts.models import User
from parta.library.models import Visibility
from parta.schools.models import Subject
from parta.testing.library import published, text_material
teacher = User.objects.get(username="teacher")
methodologist = User.objects.get(username="methodologist")
subjects = list(Subject.objects.order_by("order", "code")[:2])
def make(title, visibility, subject, grades, description=""):
    material = text_material(
        teacher, title=title, subject_ids=[subject.pk], grades=grades, description=description
    )
    if visibility:
        published(material, methodologist, visibility)
make("Линейные уравнения Кирпичникова", Visibility.PUBLIC, subjects[0], [7],
     "Уравнения вида ax + b = 0: как их решать, примеры и задачи для самостоятельной работы.")
make("Квадратные уравнения Кирпичникова", Visibility.PUBLIC, subjects[0], [8], "Теорема Виета.")
make("Системы уравнений Кирпичникова", Visibility.CITY, subjects[1], [9])
make("Черновик про уравнения Кирпичникова", None, subjects[0], [7])
print(subjects[0].name_ru)
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, demo_school: Path) -> Iterator[tuple[str, str]]:
    env = demo_copy(demo_school, Path(tmp_path_factory.mktemp("library")))
    subject = manage(env, "shell", "-c", SHELF).strip().splitlines()[-1]
    with serving(env) as url:
        yield url, subject


def titles(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".catalogue-title").all_inner_texts()]


def test_a_visitor_finds_public_materials_from_the_login_page(
    chromium: Any, library: tuple[str, str]
) -> None:
    url, _subject = library
    for name, viewport in (("desk", DESK), ("phone", PHONE)):
        context = chromium.new_context(viewport=viewport, locale="ru-RU")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{url}/login/")
        page.click("a[href='/library/']")
        page.wait_for_url(f"{url}/library/")
        page.fill("#catalogue-q", "кирпичникова")
        page.press("#catalogue-q", "Enter")
        page.wait_for_url("**q=*")
        assert sorted(titles(page)) == [
            "Квадратные уравнения Кирпичникова",
            "Линейные уравнения Кирпичникова",
        ]
        page.fill("#catalogue-q", "уравнениями квадрат кирпичников")
        page.press("#catalogue-q", "Enter")
        page.wait_for_function("document.querySelectorAll('.catalogue-title').length === 1")
        assert titles(page) == ["Квадратные уравнения Кирпичникова"]
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"library-public-{name}")
        context.close()


def test_a_teacher_searches_and_narrows_by_a_facet(chromium: Any, library: tuple[str, str]) -> None:
    url, subject = library
    for name, viewport in (("desk", DESK), ("phone", PHONE)):
        context = chromium.new_context(viewport=viewport, locale="ru-RU")
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, url, "teacher")
        page.wait_for_url(f"{url}/")
        if name == "phone":
            page.click(".menu-button")
        page.click("#main-menu a[href='/library/']")
        page.wait_for_url(f"{url}/library/")
        page.fill("#catalogue-q", "уравнения кирпичникова")
        page.press("#catalogue-q", "Enter")
        page.wait_for_url("**q=*")
        assert len(titles(page)) == 4  # the public, the city's and the teacher's own draft
        if name == "phone":
            page.click(".catalogue-filters > summary")
        # The facet: the subject with its count; htmx applies it at once (no reload needed).
        facet = page.locator(".catalogue-filters label", has_text=subject).first
        assert "3" in facet.inner_text()
        facet.locator("input").check()
        page.wait_for_url("**subject=*")
        page.wait_for_function("document.querySelectorAll('.catalogue-title').length === 3")
        assert "Системы уравнений Кирпичникова" not in titles(page)
        assert page.locator(".catalogue-found").inner_text().startswith("3")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"library-teacher-{name}")
        context.close()
