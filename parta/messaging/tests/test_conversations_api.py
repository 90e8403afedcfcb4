"""The conversations API: list, create, read, write, contacts, announcements, attachments; and
the 404 matrix over the two schools of the ``world``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from parta.messaging import services
from parta.messaging.models import Conversation, Message, MessageAttachment
from parta.outbox.models import OutboxEvent
from parta.testing.factories import api_key

PDF = b"%PDF-1.4\n%test\n"


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def actor(world, who: str):
    group, _, name = who.partition(".")
    return getattr(getattr(world, group), name) if name else getattr(world, group)


def test_a_parent_starts_a_conversation_with_json(world):
    a = world.a
    response = client_for(a.parent).post(
        "/api/v1/conversations",
        {
            "recipient_id": a.subject_teacher.pk,
            "student_id": a.student.pk,
            "topic": "Оценка",
            "body": "Вопрос",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "direct"
    assert body["student"] == {"id": a.student.pk, "short_name": a.student.short_name}
    assert [m["body"] for m in body["messages"]] == ["Вопрос"]
    assert body["messages"][0]["is_mine"] is True
    assert {p["id"] for p in body["participants"]} == {a.parent.pk, a.subject_teacher.pk}


def test_a_conversation_with_files_is_sent_as_multipart(world):
    a = world.a
    response = client_for(a.parent).post(
        "/api/v1/conversations",
        {
            "recipient_id": a.admin.pk,
            "topic": "Справка",
            "body": "Прилагаю",
            "files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.txt", b"text")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    [message] = response.json()["messages"]
    assert [f["name"] for f in message["attachments"]] == ["a.pdf", "b.txt"]
    download = client_for(a.admin).get(message["attachments"][0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_bad_input_is_a_400_with_field_messages_and_nothing_written(world):
    a = world.a
    response = client_for(a.parent).post(
        "/api/v1/conversations",
        {"recipient_id": world.b.subject_teacher.pk, "topic": "", "body": ""},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert set(body["errors"]) == {"recipient", "topic", "body"}
    assert not Conversation.objects.exists()


def test_a_file_too_big_is_a_400(world, settings, start):
    settings.PARTA_MAX_UPLOAD_BYTES = 5
    conversation = start()
    response = client_for(world.a.subject_teacher).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": "Файл", "files": [SimpleUploadedFile("a.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()["errors"]
    assert Message.objects.count() == 1
    assert not MessageAttachment.objects.exists()


def test_replying_reading_and_unread_counts(world, start):
    a = world.a
    conversation = start()
    teacher = client_for(a.subject_teacher)
    assert teacher.get("/api/v1/conversations/unread").json() == {"unread": 1}
    listing = teacher.get("/api/v1/conversations").json()
    assert listing["count"] == 1
    [row] = listing["results"]
    assert (row["id"], row["unread"], row["preview"]) == (conversation.pk, 1, "Привет")
    assert teacher.get("/api/v1/conversations?unread=true").json()["count"] == 1
    assert teacher.post(f"/api/v1/conversations/{conversation.pk}/read").status_code == 204
    assert teacher.get("/api/v1/conversations/unread").json() == {"unread": 0}
    assert teacher.get("/api/v1/conversations?unread=true").json()["count"] == 0
    reply = teacher.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "Ответ"}, format="json"
    )
    assert reply.status_code == 201
    assert reply.json()["body"] == "Ответ"
    detail = client_for(a.parent).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert [m["is_unread"] for m in detail["messages"]] == [False, True]
    assert OutboxEvent.objects.filter(kind="messaging.message").count() == 2


@pytest.mark.parametrize("who", ["a.student", "a.parent", "a.subject_teacher", "a.class_teacher"])
def test_the_unread_count_is_one_query_after_the_token(world, start, django_assert_max_num_queries, who):
    """The badge a phone asks for on start: one query however many conversations are unread."""
    for i in range(5):
        start(topic=f"Тема {i}")
    services.announcement_post(world.a.admin, class_group_id=world.a.group.pk, topic="Т", body="Б")
    client = client_for(actor(world, who))
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/conversations/unread").status_code == 200


def test_the_list_is_paginated(world, start):
    for i in range(3):
        start(topic=f"Тема {i}")
    body = client_for(world.a.parent).get("/api/v1/conversations?limit=2").json()
    assert body["count"] == 3
    assert [r["topic"] for r in body["results"]] == ["Тема 2", "Тема 1"]
    assert "offset=2" in body["next"]


def test_contacts_are_grouped(world):
    a = world.a
    body = client_for(a.parent).get("/api/v1/contacts").json()
    ids = {c["id"] for group in body for c in group["contacts"]}
    assert ids == {a.class_teacher.pk, a.subject_teacher.pk, a.admin.pk}
    assert client_for(a.student).get("/api/v1/contacts").json() == []


def test_the_class_teacher_announces_and_families_cannot_reply(world):
    a = world.a
    response = client_for(a.class_teacher).post(
        f"/api/v1/class-groups/{a.group.pk}/announcements",
        {"topic": "Собрание", "body": "В пятницу"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "announcement"
    assert body["class_group"] == "7А"
    parent = client_for(a.parent)
    detail = parent.get(f"/api/v1/conversations/{body['id']}").json()
    assert detail["can_write"] is False
    refused = parent.post(f"/api/v1/conversations/{body['id']}/messages", {"body": "Можно?"}, format="json")
    assert refused.status_code == 400
    assert Message.objects.count() == 1


# --- the 404 matrix --------------------------------------------------------------------------

EVERYONE = {
    "a.admin",
    "a.class_teacher",
    "a.subject_teacher",
    "a.parent",
    "a.student",
    "a.sibling",
    "b.admin",
    "b.class_teacher",
    "b.subject_teacher",
    "b.parent",
    "b.student",
    "b.sibling",
    "outsider",
    "methodologist",
}
# A parent ↔ subject teacher conversation about a.student: only those two.
DIRECT_OWNERS = {"a.parent", "a.subject_teacher"}
ANNOUNCEMENT_OWNERS = {"a.class_teacher", "a.parent"}


@pytest.fixture
def things(world, start) -> dict[str, Any]:
    a = world.a
    direct = start(files=[SimpleUploadedFile("a.pdf", PDF)])
    announcement = services.announcement_post(
        a.class_teacher, class_group_id=a.group.pk, topic="Собрание", body="Пятница"
    )
    attachment = MessageAttachment.objects.get(message__conversation=direct)
    return {"direct": direct, "announcement": announcement, "attachment": attachment}


@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_the_404_matrix(world, things, who):
    user = actor(world, who)
    client = client_for(user)
    direct, announcement, attachment = things["direct"], things["announcement"], things["attachment"]
    expect = 200 if who in DIRECT_OWNERS else 404
    assert client.get(f"/api/v1/conversations/{direct.pk}").status_code == expect
    assert client.get(f"/api/v1/message-attachments/{attachment.pk}").status_code == expect
    assert client.post(f"/api/v1/conversations/{direct.pk}/read").status_code == (
        204 if expect == 200 else 404
    )
    if who not in DIRECT_OWNERS:
        response = client.post(
            f"/api/v1/conversations/{direct.pk}/messages", {"body": "Я тут"}, format="json"
        )
        assert response.status_code == 404
        assert b"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" not in response.content  # «Привет»
    expect = 200 if who in ANNOUNCEMENT_OWNERS else 404
    assert client.get(f"/api/v1/conversations/{announcement.pk}").status_code == expect
    # Announcing to 7А: only its class teacher and the school's administrator.
    announce = client.post(
        f"/api/v1/class-groups/{world.a.group.pk}/announcements", {"topic": "Т", "body": "Б"}, format="json"
    )
    assert announce.status_code == (201 if who in {"a.class_teacher", "a.admin"} else 404)
    # Nobody else's conversations show in anyone's list.
    listed = {row["id"] for row in client.get("/api/v1/conversations").json()["results"]}
    assert (direct.pk in listed) == (who in DIRECT_OWNERS)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/conversations"),
        ("post", "/api/v1/conversations"),
        ("get", "/api/v1/conversations/1"),
        ("post", "/api/v1/conversations/1/messages"),
        ("post", "/api/v1/conversations/1/read"),
        ("get", "/api/v1/conversations/unread"),
        ("get", "/api/v1/contacts"),
        ("post", "/api/v1/class-groups/1/announcements"),
        ("get", "/api/v1/message-attachments/1"),
    ],
)
def test_anonymous_requests_are_refused(db, method, url):
    assert getattr(APIClient(), method)(url).status_code == 401
