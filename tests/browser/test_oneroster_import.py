"""The administrator's OneRoster upload page in a real Chromium: the form, a dry run's progress
bar and report, on a desk and on a 390 px phone (issue 18, item 1).

Only dry runs: the demo server is shared by the browser tests, and a dry run writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parta.interop.parser import read_path
from parta.interop.services import zip_bytes
from tests.browser.conftest import screenshot
from tests.browser.test_roles import log_in

pytestmark = pytest.mark.browser

BUNDLE = Path(__file__).resolve().parents[2] / "parta" / "interop" / "tests" / "bundles" / "v12"


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize(("width", "name"), [(1280, "desk"), (390, "phone")])
def test_a_dry_run_shows_progress_then_the_report(
    chromium: Any, demo_server: str, tmp_path: Path, width: int, name: str
) -> None:
    bundle = tmp_path / "school7.zip"
    bundle.write_bytes(zip_bytes(read_path(BUNDLE)))
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, demo_server, "admin")
        page.wait_for_url(f"{demo_server}/")
        page.click("a[href$='/import/']")
        page.wait_for_selector("#import-form")
        assert page.is_checked("input[name=dry_run]")
        _no_sideways_scroll(page)
        screenshot(page, f"oneroster-import-form-{name}")
        page.set_input_files("input[name=bundle]", str(bundle))
        page.click("#import-form button[type=submit]")
        page.wait_for_selector("#import-run[data-status=done]")
        assert page.locator("progress#import-progress").get_attribute("value") == "100"
        report = page.locator("#import-report")
        assert report.locator("tr.import-skipped", has_text="r-x1").count() == 1
        assert report.locator("tr.import-created", has_text="u-t1").count() == 1
        page.evaluate("() => window.scrollTo(0, 0)")
        screenshot(page, f"oneroster-import-report-{name}")
        _no_sideways_scroll(page)
    finally:
        context.close()
