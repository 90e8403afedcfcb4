"""Notification pages and API: one's own only (another's is 404), unread first, mark read, preferences."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from parta.messaging.kinds import registered_kinds
from parta.messaging.models import Notification, NotificationPreference
from parta.testing.factories import api_key
from parta.testing.world import World

PAYLOAD = {"conversation_id": 0, "author": "Ермакова К. В.", "topic": "Trip"}


def notes(user: Any, count: int = 2) -> list[Notification]:
    return [
        Notification.objects.create(recipient=user, kind="message", payload=PAYLOAD) for _ in range(count)
    ]


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- pages ---------------------------------------------------------------------------------


def test_list_shows_own_notifications_unread_first(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    old, new = notes(world.a.parent)
    Notification.objects.filter(pk=new.pk).update(read_at=new.created_at)
    notes(world.b.parent, 1)
    client.force_login(world.a.parent)
    # Session, user, roles (4), header school, the list, and the header's two counts (the page's
    # "Unread" is the header's, not a count of its own).
    with django_assert_max_num_queries(7):
        response = client.get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<li id="notification-') == 2
    assert "New message from Ермакова К. В.: Trip" in html
    assert html.index(f'id="notification-{old.pk}"') < html.index(f'id="notification-{new.pk}"')
    assert 'id="notification-unread">1<' in html
    # The header's bell keeps its count on this page too (a context variable once hid it).
    assert 'data-testid="unread-notifications">1<' in html


def test_mark_one_read_plain_form_and_htmx(world: World, client: Client) -> None:
    first, second = notes(world.a.parent)
    client.force_login(world.a.parent)
    response = client.post(f"/notifications/{first.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    response = client.post(f"/notifications/{second.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="notification-{second.pk}"' in response.content.decode()
    assert 'hx-swap-oob="true">0<' in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_all_read(world: World, client: Client) -> None:
    notes(world.a.parent, 3)
    mine_b = notes(world.b.parent, 1)[0]
    client.force_login(world.a.parent)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=world.a.parent, read_at__isnull=True).exists()
    mine_b.refresh_from_db()
    assert mine_b.read_at is None
    response = client.post("/notifications/read-all/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="notifications"' in response.content.decode()


@pytest.mark.parametrize("who", ["other_parent", "student", "teacher", "admin", "outsider"])
def test_someone_elses_notification_is_404(world: World, client: Client, who: str) -> None:
    note = notes(world.a.parent, 1)[0]
    user = {
        "other_parent": world.b.parent,
        "student": world.a.student,
        "teacher": world.a.class_teacher,
        "admin": world.a.admin,
        "outsider": world.outsider,
    }[who]
    client.force_login(user)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    assert api(user).post(f"/api/v1/notifications/{note.pk}/read").status_code == 404
    assert note.pk not in [row["id"] for row in api(user).get("/api/v1/notifications").json()["results"]]
    note.refresh_from_db()
    assert note.read_at is None


def test_pages_need_signing_in(client: Client, db: None) -> None:
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/settings/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302
    assert APIClient().get("/api/v1/notifications").status_code == 401


def test_read_is_post_only(world: World, client: Client) -> None:
    note = notes(world.a.parent, 1)[0]
    client.force_login(world.a.parent)
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405


def test_preferences_page_saves_choices(world: World, client: Client) -> None:
    world.a.parent.email = "p@example.org"
    world.a.parent.save()
    client.force_login(world.a.parent)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    assert 'name="email_mark"' in page.content.decode()
    response = client.post("/notifications/settings/", {"email_mark": "on", "push_homework": "on"})
    assert response.status_code == 302
    chosen = {(p.kind, p.email, p.push) for p in NotificationPreference.objects.filter(user=world.a.parent)}
    assert ("mark", True, False) in chosen
    assert ("homework", False, True) in chosen
    assert 'name="push_homework" checked' in client.get("/notifications/settings/").content.decode()


def test_preferences_page_shows_errors_and_saves_nothing(world: World, client: Client) -> None:
    client.force_login(world.a.parent)  # who has no e-mail address
    response = client.post("/notifications/settings/", {"email_mark": "on", "push_mark": "on"})
    assert response.status_code == 400
    assert "no e-mail address" in response.content.decode()
    assert not NotificationPreference.objects.exists()


# --- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "parent", "subject_teacher"])
def test_the_unread_first_page_a_phone_asks_on_start_stays_within_budget(
    world: World, django_assert_max_num_queries: Any, who: str
) -> None:
    """The token, the count and the page: however many are unread."""
    user = getattr(world.a, who)
    notes(user, count=12)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/notifications?unread=true&limit=10").json()["count"] == 12


def test_api_list_and_read(world: World, django_assert_max_num_queries: Any) -> None:
    first, second = notes(world.a.parent)
    client = api(world.a.parent)
    with django_assert_max_num_queries(2):
        data = client.get("/api/v1/notifications").json()
    assert data["count"] == 2
    assert [row["id"] for row in data["results"]] == [second.pk, first.pk]
    assert data["results"][0]["text"] == "New message from Ермакова К. В.: Trip"
    assert data["results"][0]["is_read"] is False
    row = client.post(f"/api/v1/notifications/{first.pk}/read").json()
    assert row["is_read"] is True and row["read_at"]
    unread = client.get("/api/v1/notifications?unread=true").json()
    assert [r["id"] for r in unread["results"]] == [second.pk]
    assert client.get("/api/v1/notifications?unread=maybe").status_code == 400
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 0}


def test_api_preferences(world: World) -> None:
    client = api(world.a.parent)
    data = client.get("/api/v1/notifications/preferences").json()
    codes = [k["kind"] for k in data["kinds"]]
    # Every registered kind, in the order the apps registered them; messaging's own last.
    assert codes == [kind.code for kind in registered_kinds()]
    assert codes[-2:] == ["message", "announcement"]
    assert {"lesson_change", "mark", "attendance", "remark", "library", "homework"} <= set(codes)
    assert not any(k["push"] for k in data["kinds"] if not k["defaults"])
    response = client.put(
        "/api/v1/notifications/preferences",
        {"kinds": [{"kind": "mark", "email": False, "push": True}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert {k["kind"]: k["push"] for k in response.json()["kinds"]}["mark"] is True
    bad = client.put(
        "/api/v1/notifications/preferences",
        {"kinds": [{"kind": "mark", "email": False, "webhook": False}]},
        format="json",
    )
    assert bad.status_code == 400
    assert NotificationPreference.objects.get().push is True
    # Another person's preferences are their own.
    assert not any(
        k["push"]
        for k in api(world.b.parent).get("/api/v1/notifications/preferences").json()["kinds"]
        if not k["defaults"]
    )
