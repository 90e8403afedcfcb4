"""Rules of the messaging services that no other test pinned down, read from the code for issue 17's
mutation run (docs/decisions/0008-test-blind-spots.md); the run itself has not reached this module."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parta.messaging import services
from parta.messaging.models import Message, MessageAttachment, Participant

PDF = b"%PDF-1.4\n%test\n"


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_the_limits_are_inclusive(world, start, settings):
    """A topic of 200 characters, a message of 10,000, ten files and a file of exactly the upload
    limit are all accepted."""
    settings.PARTA_MAX_UPLOAD_BYTES = len(PDF)
    conversation = start(
        topic="т" * services.MAX_TOPIC,
        body="б" * services.MAX_BODY,
        files=[pdf(f"{i}.pdf") for i in range(services.MAX_FILES)],
    )
    conversation.refresh_from_db()
    assert len(conversation.topic) == 200
    assert len(Message.objects.get(conversation=conversation).body) == 10_000
    assert MessageAttachment.objects.filter(message__conversation=conversation).count() == 10


def test_a_topic_is_kept_on_one_line_and_a_body_without_its_margins(world, start):
    """Runs of spaces and line breaks in a topic become one space; a body loses only its margins."""
    conversation = start(topic="  Контрольная \n\t работа ", body="\n  Привет,\n  мир  \n")
    conversation.refresh_from_db()
    assert conversation.topic == "Контрольная работа"
    assert Message.objects.get(conversation=conversation).body == "Привет,\n  мир"


def test_a_long_file_name_keeps_its_end(world, start):
    """An attachment's name is cut to its last 200 characters, so the extension stays."""
    name = "а" * 300 + ".pdf"
    conversation = start(files=[pdf(name)])
    attachment = MessageAttachment.objects.get(message__conversation=conversation)
    assert attachment.name == name[-200:]
    assert str(attachment.file.name).endswith(".pdf")


def test_a_deactivated_person_cannot_be_written_to(world, start):
    """A teacher whose account is closed is no longer a recipient."""
    teacher = world.a.subject_teacher
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as excinfo:
        start()
    assert "recipient" in excinfo.value.message_dict


def test_an_announcement_skips_closed_family_accounts(world):
    """A guardian whose account is closed does not receive the class's announcements."""
    a = world.a
    a.classmate_parent.is_active = False
    a.classmate_parent.save(update_fields=["is_active"])
    conversation = services.announcement_post(
        a.class_teacher, class_group_id=a.group.pk, topic="Собрание", body="В пятницу"
    )
    people = set(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
    assert people == {a.class_teacher.pk, a.parent.pk}
