"""Turning on push on the notification settings page, in a real Chromium: the service worker is
registered at the root, the browser's subscription is posted to the API with the CSRF token, and a
browser without the Push API gets an explanation instead of a button. The push service itself
cannot be reached offline, so ``PushManager.subscribe`` answers a fixed subscription here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_roles import log_in, switch_to_english

pytestmark = pytest.mark.browser

FAKE_SUBSCRIBE = """
PushManager.prototype.getSubscription = async function () { return null; };
PushManager.prototype.subscribe = async function (options) {
  const key = new Uint8Array(options.applicationServerKey);
  return { toJSON: () => ({
    endpoint: "https://push.example.org/send/" + key.length + "-" + key[0],
    expirationTime: null,
    keys: { p256dh: "BFAKE", auth: "AUTH" },
  }) };
};
Notification.requestPermission = async function () { return "granted"; };
"""


def test_turning_on_push_registers_the_worker_and_posts_the_subscription(page: Any, demo_server: str) -> None:
    page.add_init_script(FAKE_SUBSCRIBE)
    posted: list[dict[str, Any]] = []

    def answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posted.append({"body": route.request.post_data_json, "headers": route.request.headers})
        route.fulfill(status=201, content_type="application/json", body=json.dumps({"id": 1}))

    page.route("**/api/v1/notifications/push-subscriptions", answer)
    log_in(page, demo_server, "parent")
    page.wait_for_url(f"{demo_server}/")
    page.goto(f"{demo_server}/notifications/settings/")
    button = page.locator("#push-subscribe")
    assert button.is_visible()
    assert page.locator("#push-status").inner_text() == ""
    screenshot(page, "notification-settings-push-ru")
    switch_to_english(page)
    assert page.get_by_role("button", name="Turn on push on this device").is_visible()
    assert page.get_by_text("No device gets push yet.").is_visible()
    screenshot(page, "notification-settings-push-en")

    with page.expect_navigation():
        page.get_by_role("button", name="Turn on push on this device").click()
    assert len(posted) == 1
    # The uncompressed P-256 point of the server's VAPID key: 65 bytes starting 0x04.
    assert posted[0]["body"]["endpoint"] == "https://push.example.org/send/65-4"
    assert posted[0]["body"]["keys"] == {"p256dh": "BFAKE", "auth": "AUTH"}
    assert posted[0]["headers"]["x-csrftoken"]
    scope = page.evaluate("navigator.serviceWorker.getRegistration('/').then(r => r && r.scope)")
    assert scope == f"{demo_server}/"


def test_a_browser_without_the_push_api_is_told_why(page: Any, demo_server: str) -> None:
    page.add_init_script("delete window.PushManager;")
    log_in(page, demo_server, "parent")
    page.wait_for_url(f"{demo_server}/")
    page.goto(f"{demo_server}/notifications/settings/")
    switch_to_english(page)
    assert not page.locator("#push-subscribe").is_visible()
    assert page.get_by_text("This browser cannot get push notifications").is_visible()
    # The rest of the page still works: the choices are saved.
    page.check("input[name=push_mark]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator("input[name=push_mark]").is_checked()
    screenshot(page, "notification-settings-no-push-api")
