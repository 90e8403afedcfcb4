"""Web Push: the devices of a person (API and page, one's own only), the address guard at save and
at send, and delivery end to end to a push service of the test's own on 127.0.0.1, whose body the
test decrypts with the device's keys as a browser would (RFC 8291) and whose VAPID signature it
checks (RFC 8292)."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.test import Client
from py_vapid import Vapid
from rest_framework.test import APIClient

from parta.core import outbound
from parta.messaging import channels, push
from parta.messaging import notifications as n
from parta.messaging.models import Delivery, Notification, PushSubscription
from parta.outbox import services as outbox
from parta.outbox.models import OutboxEvent
from parta.testing.factories import api_key
from parta.testing.http import Recorded, recording_server
from parta.testing.world import World

PUBLIC = "93.184.215.14"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Browser:
    """What a browser keeps for one push subscription: its ECDH key pair and auth secret."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(raw)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """The JSON of ``PushSubscription.toJSON()``."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict[str, Any]:
        data = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return dict(json.loads(data))


@pytest.fixture(autouse=True)
def vapid_key(settings: Any) -> Vapid:
    key = Vapid()
    key.generate_keys()
    raw = key.private_key.private_numbers().private_value.to_bytes(32, "big")
    settings.PARTA_VAPID_PRIVATE_KEY = b64(raw)  # the raw form `vapid --gen` and web-push tools print
    settings.PARTA_VAPID_SUBJECT = "mailto:push@school.example"
    return key


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Every name resolves to the addresses given last (the system resolver is never asked)."""

    def answer(*addresses: str) -> None:
        monkeypatch.setattr(outbound, "resolve_host", lambda hostname, port: list(addresses))

    answer(PUBLIC)
    return answer


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def subscribe(user: Any, endpoint: str, browser: Browser | None = None) -> PushSubscription:
    browser = browser or Browser()
    row, _created = push.push_subscribe(
        user=user, endpoint=endpoint, p256dh=browser.p256dh, auth=b64(browser.auth)
    )
    return row


# --- the device registry -------------------------------------------------------------------


def test_devices_are_added_listed_renamed_and_removed_one_by_one(world: World, resolver: Any) -> None:
    client = api(world.a.parent)
    phone, laptop = Browser(), Browser()
    url = "/api/v1/notifications/push-subscriptions"
    android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
    first = client.post(
        url,
        phone.subscription("https://fcm.googleapis.com/fcm/send/a1"),
        format="json",
        HTTP_USER_AGENT=android,
    )
    assert first.status_code == 201, first.content
    assert first.json()["name"] == "Chrome on Android"
    again = client.post(url, phone.subscription("https://fcm.googleapis.com/fcm/send/a1"), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    second = client.post(
        url,
        {
            **laptop.subscription("https://updates.push.services.mozilla.com/wpush/v2/b2"),
            "name": "Kitchen laptop",
        },
        format="json",
    )
    assert second.status_code == 201
    listed = client.get(url).json()
    assert listed["count"] == 2
    assert [d["name"] for d in listed["results"]] == ["Chrome on Android", "Kitchen laptop"]
    assert PushSubscription.objects.filter(user=world.a.parent).count() == 2

    device = f"{url}/{first.json()['id']}"
    renamed = client.patch(device, {"name": "Phone"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Phone"
    assert client.patch(device, {"name": "  "}, format="json").status_code == 400

    # Another person neither sees, renames nor removes them.
    other = api(world.b.parent)
    assert other.get(url).json()["count"] == 0
    assert other.delete(device).status_code == 404
    assert other.patch(device, {"name": "Mine"}, format="json").status_code == 404
    assert api(world.a.class_teacher).delete(device).status_code == 404

    assert client.delete(device).status_code == 204
    assert client.delete(device).status_code == 404
    assert [d["name"] for d in client.get(url).json()["results"]] == ["Kitchen laptop"]


@pytest.mark.parametrize("who", ["student", "parent", "subject_teacher"])
def test_a_phone_posting_its_device_on_start_stays_within_budget(
    world: World, resolver: Any, django_assert_max_num_queries: Any, who: str
) -> None:
    """An app posts its subscription when it opens: the token, the person's other devices counted,
    the row read for update and written, in a savepoint (two here, the test's transaction adds
    one); the first time the row is inserted instead, in one more savepoint."""
    user = getattr(world.a, who)
    for index in range(3):
        subscribe(user, f"https://fcm.googleapis.com/fcm/send/other-{index}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    url = "/api/v1/notifications/push-subscriptions"
    phone = Browser().subscription("https://fcm.googleapis.com/fcm/send/phone")
    with django_assert_max_num_queries(10):
        assert client.post(url, phone, format="json").status_code == 201
    with django_assert_max_num_queries(8):
        assert client.post(url, phone, format="json").status_code == 200


def test_a_person_has_at_most_max_devices(world: World, resolver: Any, settings: Any) -> None:
    for index in range(push.MAX_DEVICES):
        subscribe(world.a.parent, f"https://fcm.googleapis.com/fcm/send/{index}")
    client = api(world.a.parent)
    url = "/api/v1/notifications/push-subscriptions"
    refused = client.post(
        url, Browser().subscription("https://fcm.googleapis.com/fcm/send/more"), format="json"
    )
    assert refused.status_code == 400
    assert "endpoint" in refused.json()["errors"]
    # A device already there may still post itself again.
    again = client.post(url, Browser().subscription("https://fcm.googleapis.com/fcm/send/0"), format="json")
    assert again.status_code == 200
    assert PushSubscription.objects.filter(user=world.a.parent).count() == push.MAX_DEVICES


def test_a_device_moves_to_whoever_turned_push_on_there_last(world: World, resolver: Any) -> None:
    browser = Browser()
    endpoint = "https://fcm.googleapis.com/fcm/send/shared-tablet"
    subscribe(world.a.parent, endpoint, browser)
    subscribe(world.a.student, endpoint, browser)
    assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [world.a.student.pk]


@pytest.mark.parametrize(
    ("endpoint", "addresses"),
    [
        ("http://169.254.169.254/latest/meta-data/", [PUBLIC]),
        ("https://169.254.169.254/latest/meta-data/", [PUBLIC]),
        ("https://127.0.0.1/push", [PUBLIC]),
        ("https://10.1.2.3/push", [PUBLIC]),
        ("https://[::1]/push", [PUBLIC]),
        ("https://2130706433/push", [PUBLIC]),
        ("https://0177.0.0.1/push", [PUBLIC]),
        ("https://[::ffff:127.0.0.1]/push", [PUBLIC]),
        ("https://push.example.org/push", ["127.0.0.1"]),
        ("https://push.example.org/push", ["10.0.0.7"]),
        ("https://push.example.org/push", ["169.254.169.254"]),
        ("https://push.example.org/push", ["100.64.1.1"]),
        ("https://push.example.org/push", ["::ffff:192.168.1.1"]),
        ("https://push.example.org/push", [PUBLIC, "fd00::1"]),
        ("http://push.example.org/push", [PUBLIC]),
    ],
)
def test_a_push_address_off_the_public_internet_is_refused_at_save(
    world: World, resolver: Callable[..., None], endpoint: str, addresses: list[str]
) -> None:
    resolver(*addresses)
    response = api(world.a.parent).post(
        "/api/v1/notifications/push-subscriptions", Browser().subscription(endpoint), format="json"
    )
    assert response.status_code == 400
    assert "endpoint" in response.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_the_loopback_allowance_is_off_unless_a_test_turns_it_on(settings: Any) -> None:
    from parta import settings as project_settings

    assert project_settings.PARTA_PUSH_ALLOW_LOOPBACK is False
    assert settings.PARTA_PUSH_ALLOW_LOOPBACK is False


@pytest.mark.parametrize(
    ("keys", "field_name"),
    [
        ({"p256dh": "not-a-key", "auth": b64(os.urandom(16))}, "p256dh"),
        ({"p256dh": b64(b"\x04" + bytes(64)), "auth": b64(os.urandom(16))}, "p256dh"),  # not on the curve
        ({"p256dh": Browser().p256dh, "auth": b64(os.urandom(8))}, "auth"),
    ],
)
def test_bad_keys_are_refused(world: World, resolver: Any, keys: dict[str, str], field_name: str) -> None:
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": keys}
    response = api(world.a.parent).post("/api/v1/notifications/push-subscriptions", body, format="json")
    assert response.status_code == 400
    assert field_name in response.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_push_cannot_be_turned_on_without_a_vapid_key(
    world: World, resolver: Any, settings: Any, tmp_path: Any
) -> None:
    settings.PARTA_VAPID_PRIVATE_KEY = ""
    settings.DATA_DIR = tmp_path
    assert push.public_key() == ""
    response = api(world.a.parent).post(
        "/api/v1/notifications/push-subscriptions",
        Browser().subscription("https://fcm.googleapis.com/x"),
        format="json",
    )
    assert response.status_code == 400
    assert not PushSubscription.objects.exists()


def test_the_preferences_give_the_key_to_subscribe_with(world: World, vapid_key: Vapid) -> None:
    data = api(world.a.parent).get("/api/v1/notifications/preferences").json()
    raw = vapid_key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert data["push_public_key"] == b64(raw)


def test_vapid_keys_command_makes_a_private_key_file_once(settings: Any, tmp_path: Any) -> None:
    settings.PARTA_VAPID_PRIVATE_KEY = ""
    settings.DATA_DIR = tmp_path / "data"
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    path = tmp_path / "data" / "vapid-private.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = push.public_key()
    assert len(base64.urlsafe_b64decode(key + "=")) == 65
    assert f"Public key: {key}" in out.getvalue()
    before = path.read_bytes()
    call_command("vapid_keys", stdout=StringIO())
    assert path.read_bytes() == before
    assert push.public_key() == key


# --- the page and the service worker ---------------------------------------------------------


def test_settings_page_lists_own_devices_and_removes_one(world: World, client: Client, resolver: Any) -> None:
    mine = subscribe(world.a.parent, "https://fcm.googleapis.com/fcm/send/mine")
    theirs = subscribe(world.b.parent, "https://fcm.googleapis.com/fcm/send/theirs")
    PushSubscription.objects.filter(pk=mine.pk).update(label="Phone")
    PushSubscription.objects.filter(pk=theirs.pk).update(label="Their phone")
    client.force_login(world.a.parent)
    page = client.get("/notifications/settings/").content.decode()
    assert "Phone" in page and "Their phone" not in page
    assert 'id="push-subscribe"' in page
    assert f'data-key="{push.public_key()}"' in page
    assert client.post(f"/notifications/devices/{theirs.pk}/remove/").status_code == 404
    assert client.get(f"/notifications/devices/{mine.pk}/remove/").status_code == 405
    assert client.post(f"/notifications/devices/{mine.pk}/remove/").status_code == 302
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert "No device gets push yet." in client.get("/notifications/settings/").content.decode()


def test_the_page_can_post_a_subscription_with_its_csrf_token(world: World, resolver: Any) -> None:
    """What push.js does: the session's POST to the API carries the page's CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.parent)
    client.get("/notifications/settings/")
    body = json.dumps(Browser().subscription("https://fcm.googleapis.com/fcm/send/page"))
    url = "/api/v1/notifications/push-subscriptions"
    assert client.post(url, body, content_type="application/json").status_code == 403
    token = client.cookies["csrftoken"].value
    response = client.post(url, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content
    assert PushSubscription.objects.get().user_id == world.a.parent.pk


def test_settings_page_says_when_push_is_not_set_up(
    world: World, client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.PARTA_VAPID_PRIVATE_KEY = ""
    settings.DATA_DIR = tmp_path
    client.force_login(world.a.parent)
    page = client.get("/notifications/settings/").content.decode()
    assert "not set up on this server" in page
    assert 'id="push-subscribe"' not in page


def test_service_worker_is_served_from_the_root(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert 'addEventListener("push"' in body and "openWindow" in body


@pytest.mark.parametrize("who", ["student", "parent", "subject_teacher"])
def test_the_service_worker_stays_within_budget_for_a_signed_in_browser(
    world: World, client: Client, django_assert_max_num_queries: Any, who: str
) -> None:
    """A browser asks for it again on its navigations (no-cache): the session, its user and their
    roles, which the template's context processors read though it shows none of them."""
    client.force_login(getattr(world.a, who))
    with django_assert_max_num_queries(3):
        assert client.get("/sw.js").status_code == 200


# --- sending -------------------------------------------------------------------------------


@pytest.fixture
def push_service(settings: Any) -> Iterator[tuple[Recorded, int]]:
    """A push service of the test's own: records each POST and answers 201 unless told otherwise."""
    settings.PARTA_PUSH_ALLOW_LOOPBACK = True
    with recording_server(default=201) as state:
        yield state, state.port


def mark_event(world: World) -> OutboxEvent:
    a = world.a
    return OutboxEvent.objects.create(
        kind="journal.mark",
        school_id=a.school.pk,
        payload={
            "mark_id": 0,
            "student_id": a.student.pk,
            "lesson_id": a.lesson.pk,
            "subject_id": a.lesson.subject_id,
            "date": "2026-09-07",
            "value": 4,
            "old_value": None,
            "weight": 1,
            "control_form_id": None,
            "change": "created",
            "actor_id": a.subject_teacher.pk,
        },
    )


def test_a_mark_is_pushed_encrypted_and_signed_to_every_device(
    world: World,
    push_service: tuple[Recorded, int],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    state, port = push_service
    settings.PARTA_SITE_URL = "https://school.example"
    phone, laptop = Browser(), Browser()
    subscribe(world.a.parent, f"http://127.0.0.1:{port}/push/phone", phone)
    subscribe(world.a.parent, f"http://127.0.0.1:{port}/push/laptop", laptop)
    n.set_preferences(world.a.parent, {"mark": (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(mark_event(world).pk)

    note = Notification.objects.get(recipient=world.a.parent)
    assert sorted(path for path, _h, _b in state.requests) == ["/push/laptop", "/push/phone"]
    for path, headers, body in state.requests:
        browser = phone if path.endswith("phone") else laptop
        data = browser.decrypt(body)
        assert data["id"] == note.pk
        assert data["text"] == json.loads(channels.push_payload(note))["text"]
        assert data["text"].endswith(
            ("New mark 4 in Algebra (weight 1)", "Новая отметка 4 по алгебре (вес 1)")
        )
        assert data["link"].startswith(f"https://school.example/diary/{world.a.student.pk}/")
        assert headers["content-encoding"] == "aes128gcm"
        assert int(headers["ttl"]) > 0
        scheme, _token = headers["authorization"].split(" ", 1)
        assert scheme == "vapid"
        assert Vapid.verify(headers["authorization"])
        claims = headers["authorization"].split("t=", 1)[1].split(",", 1)[0].split(".")[1]
        claims_data = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
        assert claims_data["aud"] == f"http://127.0.0.1:{port}"
        assert claims_data["sub"] == "mailto:push@school.example"
        assert headers["authorization"].endswith(f"k={push.public_key()}")
        # Nobody else's browser could read it.
        with pytest.raises(Exception):  # noqa: B017 - http_ece raises plain errors
            Browser().decrypt(body)

    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == ("push", "sent", 1)
    assert all(row.last_success_at for row in PushSubscription.objects.all())
    assert channels.send(delivery.pk)  # sending again changes nothing
    assert len(state.requests) == 2


def test_a_device_the_push_service_forgot_is_removed(
    world: World, push_service: tuple[Recorded, int]
) -> None:
    state, port = push_service
    gone = subscribe(world.a.parent, f"http://127.0.0.1:{port}/push/gone")
    kept = subscribe(world.a.parent, f"http://127.0.0.1:{port}/push/kept")
    state.statuses = [410, 201]
    note = Notification.objects.create(recipient=world.a.parent, kind="mark", payload={})
    delivery = Delivery.objects.create(notification=note, channel="push")
    assert channels.send(delivery.pk)
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [kept.pk]
    assert gone.pk not in PushSubscription.objects.values_list("pk", flat=True)
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    # The last device gone too (404): nothing is left to send to, and nothing to retry.
    state.statuses = [404]
    again = Delivery.objects.create(
        notification=Notification.objects.create(recipient=world.a.parent, kind="mark"), channel="push"
    )
    assert channels.send(again.pk)
    again.refresh_from_db()
    assert (again.status, again.last_error) == ("failed", "no push device")
    assert not PushSubscription.objects.exists()


def test_a_failed_push_is_recorded_and_retried(
    world: World, push_service: tuple[Recorded, int], settings: Any
) -> None:
    settings.PARTA_DELIVERY_MAX_ATTEMPTS = 3
    state, port = push_service
    device = subscribe(world.a.parent, f"http://127.0.0.1:{port}/push/d")
    state.statuses = [500]
    note = Notification.objects.create(recipient=world.a.parent, kind="mark", payload={})
    delivery = Delivery.objects.create(notification=note, channel="push")
    assert not channels.send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == f"DeliveryError: {device.pk}: HTTP 500"
    device.refresh_from_db()
    assert device.failures == 1
    state.statuses = [201]
    assert channels.send(delivery.pk)
    delivery.refresh_from_db()
    device.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert (device.failures, bool(device.last_success_at)) == (0, True)


def test_a_redirect_from_the_push_service_is_not_followed(
    world: World, push_service: tuple[Recorded, int]
) -> None:
    state, port = push_service
    subscribe(world.a.parent, f"http://127.0.0.1:{port}/push/d")
    state.statuses = [307]
    state.location = f"http://127.0.0.1:{port}/internal/admin"
    note = Notification.objects.create(recipient=world.a.parent, kind="mark", payload={})
    delivery = Delivery.objects.create(notification=note, channel="push")
    assert not channels.send(delivery.pk)
    assert [path for path, _h, _b in state.requests] == ["/push/d"]
    delivery.refresh_from_db()
    assert delivery.last_error.endswith("HTTP 307")


def test_a_name_that_resolves_to_loopback_at_send_time_is_not_contacted(
    world: World, resolver: Callable[..., None], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    import urllib3.util.connection

    settings.PARTA_DELIVERY_MAX_ATTEMPTS = 2
    # Saved while the name resolved to a public address...
    device = subscribe(world.a.parent, "https://push.example.org/push/d")
    # ...and now it resolves to the server itself (DNS rebinding).
    resolver("127.0.0.1")
    connections: list[Any] = []
    monkeypatch.setattr(urllib3.util.connection, "create_connection", lambda *a, **k: connections.append(a))
    note = Notification.objects.create(recipient=world.a.parent, kind="mark", payload={})
    delivery = Delivery.objects.create(notification=note, channel="push")
    assert not channels.send(delivery.pk)
    assert connections == []
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.last_error.startswith(
        f"DeliveryError: {device.pk}: RefusedAddress: The host push.example.org"
    )
    assert "127.0.0.1" in delivery.last_error
    assert not channels.send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert connections == []


def test_push_is_queued_only_for_a_person_with_a_device(
    world: World, resolver: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(channels, "push_to_device", lambda device, payload: sent.append(device.pk))
    n.set_preferences(world.a.parent, {"mark": (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver(mark_event(world).pk)
    assert not Delivery.objects.exists()
    device = subscribe(world.a.parent, "https://fcm.googleapis.com/fcm/send/p")
    event = mark_event(world)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver(event.pk)
    assert Delivery.objects.get().status == "sent"
    assert sent == [device.pk]
