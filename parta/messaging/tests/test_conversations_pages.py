"""Messaging pages: inbox, new conversation, thread with htmx and plain replies, announcement,
attachment download; every page 404 for the wrong parent, teacher and school."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parta.messaging import selectors
from parta.messaging.models import Conversation, Message, MessageAttachment

PDF = b"%PDF-1.4\n%test\n"
HTMX = {"HX-Request": "true"}


def as_user(client, user):
    client.force_login(user)
    return client


def test_the_inbox_lists_conversations_with_unread_counts(world, client, start):
    conversation = start()
    response = as_user(client, world.a.subject_teacher).get(reverse("messaging-inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Контрольная" in html
    assert reverse("messaging-conversation", args=[conversation.pk]) in html
    assert "1 unread message" in html


def test_the_inbox_is_empty_for_a_student(world, client, start):
    start()
    response = as_user(client, world.a.student).get(reverse("messaging-inbox"))
    assert response.status_code == 200
    assert "Контрольная" not in response.content.decode()
    assert "No conversations yet." in response.content.decode()


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("messaging-inbox"))
    assert response.status_code == 302


def test_a_parent_starts_a_conversation_from_the_page(world, client):
    a = world.a
    client = as_user(client, a.parent)
    page = client.get(reverse("messaging-new"))
    assert page.status_code == 200
    key = f"{a.subject_teacher.pk}:{a.student.pk}"
    assert f'value="{key}"' in page.content.decode()
    response = client.post(
        reverse("messaging-new"),
        {
            "to": key,
            "topic": "Домашнее задание",
            "body": "Что задали?",
            "attachments": [SimpleUploadedFile("a.pdf", PDF)],
        },
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging-conversation", args=[conversation.pk])
    assert conversation.student_id == a.student.pk
    assert MessageAttachment.objects.count() == 1


def test_a_new_conversation_with_errors_shows_them_and_writes_nothing(world, client):
    a = world.a
    response = as_user(client, a.parent).post(
        reverse("messaging-new"), {"to": str(a.admin.pk), "topic": "", "body": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the conversation a topic." in html
    assert "Write the message." in html
    assert not Conversation.objects.exists()


def test_a_contact_not_offered_is_refused(world, client):
    response = as_user(client, world.a.parent).post(
        reverse("messaging-new"), {"to": str(world.b.admin.pk), "topic": "Т", "body": "Б"}
    )
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_a_student_has_no_one_to_write_to(world, client):
    response = as_user(client, world.a.student).get(reverse("messaging-new"))
    assert response.status_code == 200
    assert "There is no one you can write to yet" in response.content.decode()


def test_opening_a_thread_marks_it_read(world, client, start):
    a = world.a
    conversation = start()
    assert selectors.unread_total(a.subject_teacher) == 1
    response = as_user(client, a.subject_teacher).get(
        reverse("messaging-conversation", args=[conversation.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Привет" in html
    assert 'class="badge badge-today">new<' in html  # shown as new this time
    assert selectors.unread_total(a.subject_teacher) == 0


def test_a_plain_reply_redirects_back_to_the_thread(world, client, start):
    a = world.a
    conversation = start()
    response = as_user(client, a.subject_teacher).post(
        reverse("messaging-conversation", args=[conversation.pk]), {"body": "Ответ"}
    )
    message = Message.objects.latest("pk")
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("messaging-conversation", args=[conversation.pk]) + f"#m{message.pk}"
    )


def test_an_htmx_reply_returns_the_thread_only(world, client, start):
    a = world.a
    conversation = start()
    url = reverse("messaging-conversation", args=[conversation.pk])
    response = as_user(client, a.subject_teacher).post(url, {"body": "Ответ через htmx"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="thread"')
    assert "Ответ через htmx" in html
    assert "<html" not in html


def test_an_htmx_reply_with_an_error_shows_it_in_place(world, client, start):
    conversation = start()
    url = reverse("messaging-conversation", args=[conversation.pk])
    response = as_user(client, world.a.subject_teacher).post(url, {"body": " "}, headers=HTMX)
    assert response.status_code == 200  # htmx swaps only a 2xx answer
    assert "Write the message." in response.content.decode()
    assert Message.objects.count() == 1


def test_a_reply_with_a_file_too_big_is_a_400(world, client, settings, start):
    settings.PARTA_MAX_UPLOAD_BYTES = 5
    conversation = start()
    response = as_user(client, world.a.subject_teacher).post(
        reverse("messaging-conversation", args=[conversation.pk]),
        {"body": "Файл", "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert response.status_code == 400
    assert "too big" in response.content.decode()
    assert Message.objects.count() == 1


def test_an_announcement_page_posts_to_the_families(world, client):
    a = world.a
    client = as_user(client, a.class_teacher)
    page = client.get(reverse("messaging-announce"))
    assert page.status_code == 200
    response = client.post(
        reverse("messaging-announce"),
        {"class_group": str(a.group.pk), "topic": "Собрание", "body": "В пятницу"},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert conversation.kind == Conversation.Kind.ANNOUNCEMENT
    # The family reads it, without a reply form.
    parent_page = as_user(client, a.parent).get(reverse("messaging-conversation", args=[conversation.pk]))
    html = parent_page.content.decode()
    assert "В пятницу" in html
    assert "cannot be replied to here" in html
    assert "<textarea" not in html
    refused = client.post(reverse("messaging-conversation", args=[conversation.pk]), {"body": "Можно?"})
    assert refused.status_code == 400
    assert Message.objects.count() == 1


def test_the_announcement_page_is_404_for_who_leads_no_class(world, client):
    for user in (world.a.subject_teacher, world.a.parent, world.a.student, world.outsider):
        assert as_user(client, user).get(reverse("messaging-announce")).status_code == 404


def test_the_announcement_page_refuses_another_class(world, client):
    response = as_user(client, world.a.class_teacher).post(
        reverse("messaging-announce"), {"class_group": str(world.b.group.pk), "topic": "Т", "body": "Б"}
    )
    assert response.status_code == 400  # not among the choices
    assert not Conversation.objects.exists()


def test_an_attachment_is_downloaded_by_participants_only(world, client, start):
    a = world.a
    conversation = start(files=[SimpleUploadedFile("Справка.pdf", PDF)])
    attachment = MessageAttachment.objects.get(message__conversation=conversation)
    url = reverse("messaging-attachment", args=[attachment.pk])
    response = as_user(client, a.subject_teacher).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    for stranger in (a.student, a.class_teacher, a.admin, world.b.parent, world.outsider):
        assert as_user(client, stranger).get(url).status_code == 404


@pytest.mark.parametrize(
    "who", ["a.student", "a.class_teacher", "a.admin", "b.parent", "b.subject_teacher", "outsider"]
)
def test_the_thread_is_404_for_everyone_else(world, client, who, start):
    conversation = start()
    group, _, name = who.partition(".")
    user = getattr(getattr(world, group), name) if name else getattr(world, group)
    client = as_user(client, user)
    url = reverse("messaging-conversation", args=[conversation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Я тут"}).status_code == 404
    assert client.post(url, {"body": "Я тут"}, headers=HTMX).status_code == 404
    assert Message.objects.count() == 1
