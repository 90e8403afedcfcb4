"""Rules of the messaging services that no other test pinned down: the first ones read from the code
for issue 17's mutation run before it reached this module, the last ones (from the author's other
conversations on) found by the run itself (docs/decisions/0008-test-blind-spots.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parta.messaging import services
from parta.messaging.models import Conversation, Message, MessageAttachment, Participant
from parta.testing import factories as f

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


def test_writing_in_one_conversation_leaves_the_authors_other_conversations_unread(world, start):
    a = world.a
    mine = start()
    theirs = services.conversation_start(
        a.class_teacher, recipient_id=a.parent.pk, student_id=a.student.pk, topic="Экскурсия", body="Завтра"
    )
    services.message_send(a.parent, mine.pk, body="Ещё вопрос")
    unread = Participant.objects.get(conversation=theirs, user=a.parent)
    assert unread.last_read_at is None


def test_a_student_who_also_teaches_may_write_to_a_colleague(world):
    a = world.a
    f.EnrolmentFactory.create(class_group=a.other_group, student=a.class_teacher)
    conversation = services.conversation_start(
        a.class_teacher, recipient_id=a.subject_teacher.pk, topic="Педсовет", body="В среду"
    )
    assert Participant.objects.filter(conversation=conversation).count() == 2


def test_a_student_who_is_also_a_parent_may_write_to_the_childs_teacher(world):
    """An adult learner with a child at the school: a parent like any other."""
    a = world.a
    learner = f.UserFactory.create()
    f.EnrolmentFactory.create(class_group=a.other_group, student=learner)
    f.GuardianshipFactory.create(guardian=learner, student=a.classmate)
    conversation = services.conversation_start(
        learner,
        recipient_id=a.subject_teacher.pk,
        student_id=a.classmate.pk,
        topic="Оценки",
        body="Здравствуйте",
    )
    assert conversation.student_id == a.classmate.pk


def test_an_announcement_is_checked_like_a_conversation(world, settings):
    """An empty topic, an over-long body and too many files are refused, field by field."""
    a = world.a
    with pytest.raises(ValidationError) as excinfo:
        services.announcement_post(
            a.class_teacher,
            class_group_id=a.group.pk,
            topic="  ",
            body="б" * (services.MAX_BODY + 1),
            files=[pdf(f"{i}.pdf") for i in range(services.MAX_FILES + 1)],
        )
    assert set(excinfo.value.message_dict) == {"topic", "body", "files"}
    assert not Conversation.objects.exists()


def test_an_announcement_keeps_its_topic(world):
    a = world.a
    conversation = services.announcement_post(
        a.class_teacher, class_group_id=a.group.pk, topic=" Родительское  собрание ", body="В пятницу"
    )
    conversation.refresh_from_db()
    assert (conversation.kind, conversation.topic) == (
        Conversation.Kind.ANNOUNCEMENT,
        "Родительское собрание",
    )
