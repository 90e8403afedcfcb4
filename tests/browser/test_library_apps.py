"""A teacher's application runs in its sandboxed frame in a real Chromium: its script (a file of
its zip) runs, but it cannot read the site's cookies nor reach the page around it (issue 19,
item 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from parta.library.files import app_url
from parta.library.services.authoring import MaterialData, material_create
from parta.testing.library import app_zip, zip_bytes
from parta.testing.world import World
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

# The application writes what it can see into its own page.
SCRIPT = """
const out = document.getElementById("out");
const seen = [];
function probe(name, read) {
  try { seen.push(name + ": " + JSON.stringify(read())); }
  catch (e) { seen.push(name + ": blocked (" + e.name + ")"); }
}
probe("cookie", () => document.cookie);
probe("storage", () => window.localStorage.length);
probe("parent", () => window.parent.document.title);
out.textContent = "script ran; " + seen.join("; ");
"""


def test_an_application_runs_sandboxed_without_the_sites_cookies(
    page: Any, live_server: Any, world: World, settings: Any
) -> None:
    settings.PARTA_SITE_URL = live_server.url
    teacher = world.a.subject_teacher
    material = material_create(
        teacher, kind="application", data=MaterialData(title="Маятник"), file=app_zip(script=SCRIPT)
    )
    assert material.latest is not None
    url = app_url(material.latest, teacher)
    client = Client()
    client.force_login(teacher)
    session = client.cookies["sessionid"].value
    # Even a session cookie that scripts could read (not HttpOnly) stays out of the application's reach.
    page.context.add_cookies(
        [{"name": "sessionid", "value": session, "url": live_server.url, "httpOnly": False}]
    )
    page.goto(f"{live_server.url}/")
    assert session in page.evaluate("() => document.cookie")
    frame_html = render_to_string("library/_app_frame.html", {"app_url": url, "title": "Маятник"})
    page.evaluate(
        "(html) => { document.querySelector('main').insertAdjacentHTML('afterbegin', html); }", frame_html
    )
    out = page.frame_locator("iframe.library-app-frame").locator("#out")
    out.filter(has_text="script ran").wait_for()
    text = out.text_content()
    assert "cookie: blocked (SecurityError)" in text, text
    assert "storage: blocked (SecurityError)" in text, text
    assert "parent: blocked (SecurityError)" in text, text
    assert session not in text
    screenshot(page, "library-app-sandboxed")


def _signed_in(chromium: Any, live_server: Any, user: Any, width: int) -> Any:
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


@pytest.mark.parametrize(("width", "name"), [(1280, "desk"), (390, "phone")])
def test_an_import_shows_progress_then_the_rejected_rows(  # noqa: PLR0917 - fixtures and parameters
    chromium: Any, live_server: Any, world: World, tmp_path: Any, width: int, name: str
) -> None:
    folder = tmp_path / "materials.zip"
    csv = (
        "title,kind,subjects,grades,file,body\n"
        "Линейные уравнения,text,,7,,Уравнение вида ax + b = 0\n"
        ",text,nosuch,13,,\n"
        "Опыт с маятником,video,,8,pendulum.mp4,\n"
    )
    folder.write_bytes(zip_bytes({"manifest.csv": csv, "pendulum.mp4": "<html>not a video</html>"}))
    context = _signed_in(chromium, live_server, world.a.subject_teacher, width)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/library/import/")
        page.set_input_files("input[name=archive]", str(folder))
        page.click("#import-form button[type=submit]")
        page.wait_for_selector("#import-run[data-status=done]")
        assert page.locator("progress#import-progress").get_attribute("value") == "100"
        rejected = page.locator("#import-report")
        assert rejected.locator("tr", has_text="nosuch").count() == 1
        assert rejected.locator("tr", has_text="pendulum").count() == 0
        assert rejected.locator("tr", has_text=".mp4").count() == 1
        assert page.locator("#import-created li").count() == 1
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        screenshot(page, f"library-import-report-{name}")
    finally:
        context.close()
