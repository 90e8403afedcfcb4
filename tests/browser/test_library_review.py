"""The city methodologist's review in a browser: the queue (with its count on the menu), one
material returned with a comment, another published; at a desk and on a phone (390 px)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import demo_copy, manage, screenshot, serving
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Two materials of a demo teacher submitted for the city, and a third that is a new version of a
# published one (so the review page has a difference to show).
SUBMIT = """
import json
from parta.accounts.models import User
from parta.library.services.authoring import MaterialData, material_create, material_save
from parta.library.services.moderation import material_publish, material_submit
from parta.schools.models import StaffMembership
teacher = User.objects.get(pk=StaffMembership.objects.filter(role="teacher").order_by("pk").first().user_id)
methodologist = User.objects.get(username="methodologist")
# The queue starts empty: the demo's own submitted materials are set aside (returned).
from parta.library.models import Material
Material.objects.filter(status="submitted").update(status="returned")
def make(title, body):
    m = material_create(teacher, kind="text", data=MaterialData(title=title, content={"body": body}))
    return material_submit(teacher, m.pk, visibility="city")
first = make("Дроби: сложение и вычитание", "Чтобы сложить дроби, приведите их к общему знаменателю.")
second = make("Проценты в задачах", "Процент — это сотая часть числа.")
third = make("Десятичные дроби", "Десятичная дробь — запись дроби со знаменателем 10, 100, …")
material_publish(methodologist, third.pk)
body = "Десятичная дробь — запись дроби со знаменателем 10, 100, … Округление."
data = MaterialData(title="Десятичные дроби и округление", content={"body": body}, grades=[5, 6])
material_save(teacher, third.pk, data=data)
material_submit(teacher, third.pk, visibility="city")
# Some use of the published one over the last weeks, counted as the task counts it.
import datetime as dt
from django.utils import timezone
from parta.library.models import Use
from parta.library.services.usage import uses_count
for days_ago in range(0, 40, 3):
    kinds = ["view"] * (days_ago % 7 + 2) + ["lesson"]
    made = Use.objects.bulk_create([Use(material=third, kind=kind) for kind in kinds])
    at = timezone.now() - dt.timedelta(days=days_ago)
    Use.objects.filter(pk__in=[u.pk for u in made]).update(at=at)
uses_count()
print(json.dumps({"first": first.pk, "second": second.pk, "third": third.pk, "teacher": teacher.username}))
"""


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, demo_school: Path
) -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
    env = demo_copy(demo_school, Path(tmp_path_factory.mktemp("library-review")))
    ids = json.loads(manage(env, "shell", "-c", SUBMIT).strip().splitlines()[-1])
    with serving(env) as url:
        yield url, ids, env


def test_the_methodologist_returns_one_and_publishes_another(
    chromium: Any, demo: tuple[str, dict[str, Any], dict[str, str]]
) -> None:
    url, ids, env = demo
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = desk.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "methodologist")
    page.wait_for_url(f"{url}/")
    assert page.locator("[data-testid=review-queue-count]").first.inner_text() == "3"
    page.locator("#main-menu a[href='/library/review/']").click()
    page.wait_for_url(f"{url}/library/review/")
    rows = page.locator("table.library-queue tbody tr")
    assert rows.count() == 3
    assert rows.first.locator("a").inner_text() == "Дроби: сложение и вычитание"
    assert page.locator(f"#queue-{ids['third']} .badge").count() == 1
    screenshot(page, "library-review-queue-desk")

    # The new version shows what changed since the published one.
    page.goto(f"{url}/library/review/{ids['third']}/")
    diff = page.locator("table.library-diff").first.inner_text()
    assert "Десятичные дроби и округление" in diff and "5, 6" in diff
    screenshot(page, "library-review-page-desk")

    # Returning without a comment is refused at the field; with one it goes back to the author.
    page.goto(f"{url}/library/review/{ids['first']}/")
    page.locator("button[value=return]").click()
    page.locator(".field.has-error").wait_for()
    screenshot(page, "library-review-return-refused-desk")
    page.fill("textarea[name=comment]", "Добавьте, пожалуйста, примеры с разными знаменателями.")
    page.locator("button[value=return]").click()
    page.wait_for_url(f"{url}/library/review/")
    assert page.locator(".flash-success").count() == 1
    assert page.locator(f"#queue-{ids['first']}").count() == 0

    page.locator(f"#queue-{ids['second']} a").click()
    page.wait_for_url(f"{url}/library/review/{ids['second']}/")
    page.locator("button[value=publish]").click()
    page.wait_for_url(f"{url}/library/review/")
    assert page.locator("table.library-queue tbody tr").count() == 1
    assert page.locator("[data-testid=review-queue-count]").first.inner_text() == "1"
    desk.close()

    status = manage(
        env,
        "shell",
        "-c",
        "from parta.library.models import Material; "
        f"print(sorted(Material.objects.filter(pk__in=[{ids['first']}, {ids['second']}])"
        ".values_list('status', flat=True)))",
    )
    assert status.strip().splitlines()[-1] == "['published', 'returned']"

    # On a phone: the queue and the review page fit 390 px.
    phone = chromium.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, url, "methodologist")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/library/review/")
    screenshot(page, "library-review-queue-phone")
    page.goto(f"{url}/library/review/{ids['third']}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the review page is {width}px wide on a phone"
    screenshot(page, "library-review-page-phone")
    page.goto(f"{url}/library/review/{ids['first']}/")
    assert "Добавьте, пожалуйста, примеры" in page.locator(".library-reviews").inner_text()
    phone.close()


def test_the_author_reads_the_dashboard_and_the_top_lists(
    chromium: Any, demo: tuple[str, dict[str, Any], dict[str, str]]
) -> None:
    url, ids, _env = demo
    for name, viewport in (("desk", {"width": 1280, "height": 900}), ("phone", PHONE)):
        context = chromium.new_context(viewport=viewport, locale="ru-RU")
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, url, ids["teacher"])
        page.wait_for_url(f"{url}/")
        page.goto(f"{url}/library/dashboard/")
        # The chart is drawn (Chart.js sized the canvas) and the table carries the same figures.
        page.wait_for_function("document.getElementById('library-chart').height > 0")
        assert "Десятичные дроби" in page.locator("table.library-figures").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the dashboard is {width}px wide"
        screenshot(page, f"library-dashboard-{name}")
        page.goto(f"{url}/library/top/")
        assert "Десятичные дроби" in page.locator("table.library-figures").inner_text()
        screenshot(page, f"library-top-{name}")
        context.close()
