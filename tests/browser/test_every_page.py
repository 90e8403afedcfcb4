"""Every page each demo role can reach, on a 390 px phone: it answers 200, nothing makes it
wider than the screen, and axe-core (WCAG 2.1 A and AA, and its best practices) finds nothing
serious or critical on it.

The pages are found by following the links each role sees, from its home page: one page of
each kind (URL name and query keys), so a new page is checked as soon as anything links to it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve

from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Not pages: files, the back office, the API, signing out.
NOT_PAGES = re.compile(r"/logout|/admin/|/api/|/static/|/media/|\.(pdf|xlsx|csv|ics)\b|/export|/download")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    # Experimental in axe, and what a speech-input user meets: a name that differs from the text.
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}
MOST_PAGES = 90


def _kind(url: str) -> tuple[str, frozenset[str]] | None:
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).url_name or parts.path
    except Resolver404:
        return None
    return name, frozenset(key.split("=")[0] for key in parts.query.split("&") if key)


def _problems(page: Any, axe: Axe) -> list[str]:
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        found.append(f"{width} px wide")
    for violation in axe.run(page, options=AXE_OPTIONS).response["violations"]:
        if violation["impact"] in ("serious", "critical") or violation["id"] == "label-content-name-mismatch":
            nodes = violation["nodes"]
            targets = ", ".join(str(node["target"]) for node in nodes[:3])
            found.append(f"axe {violation['id']} ({violation['impact']}) ×{len(nodes)}: {targets}")
    return found


@pytest.mark.parametrize("username", ["student", "parent", "teacher", "admin", "methodologist"])
def test_every_page_fits_a_phone_and_passes_axe(chromium: Any, demo_server: str, username: str) -> None:
    context = chromium.new_context(viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, demo_server, username)
    page.wait_for_url(f"{demo_server}/")
    axe = Axe()
    queue = [f"{demo_server}/"]
    seen: set[tuple[str, frozenset[str]]] = set()
    report: dict[str, list[str]] = {}
    while queue and len(seen) < MOST_PAGES:
        url = queue.pop(0)
        kind = _kind(url)
        if kind is None or kind in seen:
            continue
        seen.add(kind)
        response = page.goto(url)
        assert response is not None
        if response.status != 200:
            report[url] = [f"HTTP {response.status}"]
            continue
        if problems := _problems(page, axe):
            report[url.removeprefix(demo_server)] = problems
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urljoin(url, href).split("#")[0]
            if target.startswith(demo_server) and not NOT_PAGES.search(target):
                queue.append(target)
    context.close()
    assert len(seen) > 3, "the crawl found almost no pages: did signing in fail?"
    assert not report, "\n".join(f"{url}: {'; '.join(problems)}" for url, problems in report.items())


def test_every_menu_item_is_reachable_on_a_phone(chromium: Any, demo_server: str) -> None:
    """The administrator has the longest menu: folded behind its button, all of it on the screen
    once opened, nothing scrolled out of reach."""
    context = chromium.new_context(viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    log_in(page, demo_server, "admin")
    page.wait_for_url(f"{demo_server}/")
    links = page.locator("#main-menu a")
    assert links.count() >= 12 and not links.first.is_visible()
    page.locator(".menu-button").click()
    assert page.locator(".menu-button").get_attribute("aria-expanded") == "true"
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    links.filter(has_text="Звонки").click()
    page.wait_for_url(re.compile(r"/school/\d+/bells/"))
    context.close()
