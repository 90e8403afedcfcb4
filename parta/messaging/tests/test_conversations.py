"""Conversation services and selectors: starting, replying, announcing, reading, attachments,
unread counts and the outbox event of every message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from parta.messaging import selectors, services
from parta.messaging.models import Conversation, Message, MessageAttachment, Participant
from parta.outbox.models import OutboxEvent
from parta.schools.access import roles_of
from parta.testing import factories as f

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def errors_of(excinfo) -> dict[str, list[str]]:
    return dict(excinfo.value.message_dict)


def nothing_written() -> bool:
    return not (
        Conversation.objects.exists()
        or Message.objects.exists()
        or MessageAttachment.objects.exists()
        or OutboxEvent.objects.filter(kind="messaging.message").exists()
    )


# --- starting a conversation -------------------------------------------------------------------


def test_a_parent_writes_to_the_childs_teacher(world, start):
    a = world.a
    conversation = start()
    assert conversation.kind == Conversation.Kind.DIRECT
    assert conversation.school_id == a.school.pk
    assert conversation.student_id == a.student.pk
    assert conversation.last_message_at is not None
    people = set(Participant.objects.filter(conversation=conversation).values_list("user_id", "can_write"))
    # The child is never a participant.
    assert people == {(a.parent.pk, True), (a.subject_teacher.pk, True)}
    [message] = Message.objects.filter(conversation=conversation)
    assert message.author == a.parent
    assert message.body == "Привет"


def test_a_teacher_writes_to_a_parent_about_a_child_they_teach(world):
    a = world.a
    conversation = services.conversation_start(
        a.subject_teacher,
        recipient_id=a.parent.pk,
        student_id=a.student.pk,
        topic="Оценки",
        body="Добрый день",
    )
    assert conversation.school_id == a.school.pk


def test_colleagues_write_to_each_other_without_a_child(world):
    a = world.a
    conversation = services.conversation_start(
        a.class_teacher, recipient_id=a.subject_teacher.pk, topic="Педсовет", body="Завтра в 15:00"
    )
    assert conversation.student_id is None
    assert conversation.school_id == a.school.pk


def test_writing_to_another_schools_teacher_is_refused_and_writes_nothing(world, start):
    with pytest.raises(ValidationError) as excinfo:
        start(recipient_id=world.b.subject_teacher.pk, student_id=None)
    assert "recipient" in errors_of(excinfo)
    assert nothing_written()


def test_a_student_cannot_start_a_conversation(world):
    a = world.a
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_start(a.student, recipient_id=a.class_teacher.pk, topic="Вопрос", body="Можно?")
    assert errors_of(excinfo)["recipient"] == ["Students cannot start conversations."]
    assert nothing_written()


def test_a_teacher_cannot_write_to_a_family_whose_children_they_do_not_teach(world):
    a = world.a
    other_parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=other_parent, student=a.sibling)
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_start(a.subject_teacher, recipient_id=other_parent.pk, topic="Т", body="Б")
    assert "recipient" in errors_of(excinfo)
    assert nothing_written()


def test_the_child_must_link_the_two(world, start):
    a = world.a
    # The subject teacher does not teach the sibling.
    with pytest.raises(ValidationError) as excinfo:
        start(student_id=a.sibling.pk)
    assert "student" in errors_of(excinfo)
    # Another family's child.
    with pytest.raises(ValidationError):
        start(student_id=world.b.student.pk)
    assert nothing_written()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "   "}, "body"),
        ({"body": "x" * (services.MAX_BODY + 1)}, "body"),
        ({"topic": ""}, "topic"),
        ({"topic": "x" * (services.MAX_TOPIC + 1)}, "topic"),
        ({"recipient_id": None}, "recipient"),
        ({"recipient_id": 10**12}, "recipient"),
    ],
)
def test_bad_input_gets_a_field_message_and_writes_nothing(world, changes, field, start):
    with pytest.raises(ValidationError) as excinfo:
        start(**changes)
    assert field in errors_of(excinfo)
    assert nothing_written()


def test_every_problem_is_reported_at_once(world, start):
    with pytest.raises(ValidationError) as excinfo:
        start(topic="", body="", recipient_id=world.b.admin.pk)
    assert set(errors_of(excinfo)) == {"topic", "body", "recipient"}


# --- attachments -------------------------------------------------------------------------------


def test_files_are_stored_under_a_random_name_and_keep_their_own(world, media, start):
    conversation = start(files=[pdf("Справка.pdf"), SimpleUploadedFile("photo.PNG", PNG)])
    attachments = list(MessageAttachment.objects.filter(message__conversation=conversation).order_by("pk"))
    assert [a.name for a in attachments] == ["Справка.pdf", "photo.PNG"]
    assert [a.size for a in attachments] == [len(PDF), len(PNG)]
    for attachment in attachments:
        stored = str(attachment.file.name)
        assert "Справка" not in stored
        assert stored.startswith("messages/")
        assert (media / stored).exists()


def test_a_file_too_big_is_refused(world, settings, start):
    settings.PARTA_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as excinfo:
        start(files=[pdf()])
    assert "too big" in errors_of(excinfo)["files"][0]
    assert nothing_written()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("page.html", b"<html></html>"),
        ("fake.pdf", b"<script>alert(1)</script>"),
        ("fake.png", PDF),
        ("binary.txt", b"ab\x00cd"),
        ("noextension", b"hello"),
    ],
)
def test_a_forbidden_kind_of_file_is_refused(world, name, content, start):
    with pytest.raises(ValidationError) as excinfo:
        start(files=[SimpleUploadedFile(name, content)])
    assert "files" in errors_of(excinfo)
    assert nothing_written()


def test_text_and_office_files_are_accepted(world, start):
    files = [
        SimpleUploadedFile("notes.txt", "Привет, мир".encode()),
        SimpleUploadedFile("table.xlsx", b"PK\x03\x04rest"),
        SimpleUploadedFile("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
    ]
    conversation = start(files=files)
    assert MessageAttachment.objects.filter(message__conversation=conversation).count() == 3


def test_too_many_files_are_refused(world, start):
    with pytest.raises(ValidationError) as excinfo:
        start(files=[pdf(f"{i}.pdf") for i in range(services.MAX_FILES + 1)])
    assert "files" in errors_of(excinfo)


# --- replying ----------------------------------------------------------------------------------


def test_both_sides_reply_and_the_conversation_moves_up(world, start):
    a = world.a
    conversation = start()
    first = conversation.last_message_at
    message = services.message_send(a.subject_teacher, conversation.pk, body="В четверг после уроков.")
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created_at
    assert first is not None
    assert conversation.last_message_at >= first
    services.message_send(a.parent, conversation.pk, body="Спасибо!")
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_a_non_participant_cannot_reply(world, start):
    conversation = start()
    for stranger in (world.a.student, world.a.class_teacher, world.b.parent, world.outsider):
        with pytest.raises(Http404):
            services.message_send(stranger, conversation.pk, body="Я тоже тут")
    assert Message.objects.count() == 1


def test_an_empty_reply_is_refused(world, start):
    conversation = start()
    with pytest.raises(ValidationError) as excinfo:
        services.message_send(world.a.subject_teacher, conversation.pk, body="\n  \n")
    assert errors_of(excinfo) == {"body": ["Write the message."]}
    assert Message.objects.count() == 1


# --- events ------------------------------------------------------------------------------------


def test_every_message_emits_one_event(world, start):
    a = world.a
    conversation = start()
    message = services.message_send(a.subject_teacher, conversation.pk, body="Ответ")
    events = list(OutboxEvent.objects.filter(kind="messaging.message").order_by("pk"))
    first = Message.objects.filter(conversation=conversation).order_by("pk").first()
    assert first is not None
    assert [e.payload for e in events] == [
        {"message_id": first.pk, "conversation_id": conversation.pk, "actor_id": a.parent.pk},
        {"message_id": message.pk, "conversation_id": conversation.pk, "actor_id": a.subject_teacher.pk},
    ]
    assert {e.school_id for e in events} == {a.school.pk}


# --- announcements -----------------------------------------------------------------------------


def test_an_announcement_reaches_the_families_of_that_class_only(world):
    a = world.a
    other_family = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=other_family, student=a.sibling)  # a child of other_group
    classmate_parent = a.classmate_parent
    conversation = services.announcement_post(
        a.class_teacher, class_group_id=a.group.pk, topic="Собрание", body="В пятницу в 18:00"
    )
    assert conversation.kind == Conversation.Kind.ANNOUNCEMENT
    assert conversation.class_group_id == a.group.pk
    people = set(Participant.objects.filter(conversation=conversation).values_list("user_id", "can_write"))
    assert people == {(a.class_teacher.pk, True), (a.parent.pk, False), (classmate_parent.pk, False)}
    assert OutboxEvent.objects.filter(kind="messaging.message").count() == 1


def test_families_cannot_reply_in_an_announcement(world):
    a = world.a
    conversation = services.announcement_post(
        a.class_teacher, class_group_id=a.group.pk, topic="Собрание", body="В пятницу"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.message_send(a.parent, conversation.pk, body="А можно в субботу?")
    assert "body" in errors_of(excinfo)
    services.message_send(a.class_teacher, conversation.pk, body="Уточнение: в 18:30")
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_only_the_class_teacher_or_the_admin_announces(world):
    a = world.a
    for stranger in (a.subject_teacher, a.parent, a.student, world.b.class_teacher):
        with pytest.raises(Http404):
            services.announcement_post(stranger, class_group_id=a.group.pk, topic="Т", body="Б")
    conversation = services.announcement_post(a.admin, class_group_id=a.other_group.pk, topic="Т", body="Б")
    assert set(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True)) == {
        a.admin.pk,
        a.parent.pk,
    }


def test_an_announcement_to_a_class_without_families_is_refused(world):
    a = world.a
    empty = f.ClassGroupFactory.create(year=a.group.year, building=a.group.building, grade=1, letter="В")
    with pytest.raises(ValidationError) as excinfo:
        services.announcement_post(a.admin, class_group_id=empty.pk, topic="Т", body="Б")
    assert "class_group" in errors_of(excinfo)
    assert nothing_written()


# --- unread counts -----------------------------------------------------------------------------


def test_unread_counts_follow_reading(world, start):
    a = world.a
    conversation = start()
    assert selectors.unread_total(a.subject_teacher) == 1
    assert selectors.unread_total(a.parent) == 0  # their own message
    services.conversation_read(a.subject_teacher, conversation.pk)
    assert selectors.unread_total(a.subject_teacher) == 0
    services.message_send(a.subject_teacher, conversation.pk, body="Ответ 1")
    services.message_send(a.subject_teacher, conversation.pk, body="Ответ 2")
    assert selectors.unread_total(a.parent) == 2
    _total, [row] = selectors.inbox(a.parent)
    assert row.unread == 2
    assert row.preview == "Ответ 2"
    assert row.last_author_id == a.subject_teacher.pk
    assert [p.id for p in row.others] == [a.subject_teacher.pk]
    services.conversation_read(a.parent, conversation.pk)
    assert selectors.unread_total(a.parent) == 0


def test_replying_marks_the_conversation_read_for_the_author(world, start):
    a = world.a
    conversation = start()
    services.message_send(a.subject_teacher, conversation.pk, body="Ответ")
    assert selectors.unread_total(a.subject_teacher) == 0


def test_inbox_and_unread_total_run_a_fixed_number_of_queries(world, django_assert_max_num_queries, start):
    a = world.a

    roles_of(a.subject_teacher)  # read once per request, by the menu

    def measure() -> tuple[int, int]:
        with django_assert_max_num_queries(3) as context:
            selectors.inbox(a.subject_teacher)
        inbox_queries = len(context.captured_queries)
        with django_assert_max_num_queries(1):
            selectors.unread_total(a.subject_teacher)
        return inbox_queries, selectors.unread_total(a.subject_teacher)

    start()
    services.announcement_post(a.admin, class_group_id=a.group.pk, topic="Т", body="Б")
    assert measure()[0] <= 3
    for i in range(5):
        conversation = start(topic=f"Тема {i}")
        services.message_send(a.parent, conversation.pk, body="ещё", files=[pdf()])
    queries, unread = measure()
    assert queries <= 3
    assert unread == 1 + 10


def test_conversation_page_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries, start):
    a = world.a
    conversation = start(files=[pdf()])
    for i in range(10):
        services.message_send(a.subject_teacher, conversation.pk, body=f"{i}", files=[pdf(), pdf("b.pdf")])
    roles_of(a.parent)
    with django_assert_max_num_queries(4):
        page = selectors.conversation_page(a.parent, conversation.pk)
    assert len(page.messages) == 11
    assert sum(len(m.attachments) for m in page.messages) == 21
    assert all(m.is_unread for m in page.messages[1:])
    assert not page.messages[0].is_unread


def test_the_thread_is_404_for_the_child_and_strangers(world, start):
    conversation = start()
    for stranger in (world.a.student, world.a.admin, world.b.subject_teacher, world.outsider):
        with pytest.raises(Http404):
            selectors.conversation_page(stranger, conversation.pk)
        with pytest.raises(Http404):
            services.conversation_read(stranger, conversation.pk)


# --- contacts ----------------------------------------------------------------------------------


def test_a_parents_contacts_are_grouped_by_child(world):
    a = world.a
    groups = selectors.contact_groups(a.parent)
    titles = [g.title for g in groups]
    assert titles[-1] == "School administration"
    by_title = {g.title: g for g in groups}
    student_group = next(g for t, g in by_title.items() if "7А" in t)
    assert {c.id for c in student_group.contacts} == {a.class_teacher.pk, a.subject_teacher.pk}
    assert all(c.student and c.student.id == a.student.pk for c in student_group.contacts)
    sibling_group = next(g for t, g in by_title.items() if "9Б" in t)
    assert {c.id for c in sibling_group.contacts} == {a.class_teacher.pk}
    assert [c.id for c in by_title["School administration"].contacts] == [a.admin.pk]


def test_a_teachers_contacts_are_the_families_of_their_classes_and_colleagues(world):
    a = world.a
    groups = {g.title: g for g in selectors.contact_groups(a.subject_teacher)}
    assert set(groups) == {"Families of 7А", "Colleagues"}
    family, classmates_family = sorted(groups["Families of 7А"].contacts, key=lambda c: c.id != a.parent.pk)
    assert classmates_family.student is not None
    assert (classmates_family.id, classmates_family.student.id) == (a.classmate_parent.pk, a.classmate.pk)
    assert family.student is not None
    assert (family.id, family.student.id) == (a.parent.pk, a.student.pk)
    assert family.key == f"{a.parent.pk}:{a.student.pk}"
    assert {c.id for c in groups["Colleagues"].contacts} == {a.class_teacher.pk, a.admin.pk}


def test_a_student_has_no_contacts(world):
    assert selectors.contact_groups(world.a.student) == []


def test_contact_groups_run_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    a = world.a
    for _ in range(5):
        kid = f.UserFactory.create()
        f.EnrolmentFactory.create(class_group=a.group, student=kid)
        f.GuardianshipFactory.create(guardian=f.UserFactory.create(), student=kid)
    for person in (a.parent, a.subject_teacher, a.admin):
        fresh = type(person).objects.get(pk=person.pk)  # roles not cached: they count too
        with django_assert_max_num_queries(5):
            selectors.contact_groups(fresh)


# --- invariant -------------------------------------------------------------------------------


class TestUnreadInvariant(HypothesisTestCase):
    """Whatever is sent and read in whatever order, the header's total is the sum of the inbox's
    counts, and it is the number of others' messages after one's last reading."""

    @hsettings(max_examples=15, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["parent", "teacher"]), st.booleans()), min_size=1, max_size=8))
    def test_unread_total_matches_the_inbox(self, steps):
        from parta.testing.world import build_school

        a = build_school(1)
        conversation = services.conversation_start(
            a.parent, recipient_id=a.subject_teacher.pk, topic="Т", body="Начало"
        )
        people = {"parent": a.parent, "teacher": a.subject_teacher}
        for who, read in steps:
            services.message_send(people[who], conversation.pk, body="…")
            if read:
                other = a.subject_teacher if who == "parent" else a.parent
                services.conversation_read(other, conversation.pk)
        for user in people.values():
            _total, rows = selectors.inbox(user)
            assert selectors.unread_total(user) == sum(row.unread for row in rows)


def test_reading_a_conversation_reads_its_notifications_only(world, start):
    """The bell no longer counts a message the person has read in the conversation (issue 18, item 9)."""
    from parta.messaging.models import Notification

    a = world.a
    conversation = start()
    mine = Notification.objects.create(
        recipient=a.subject_teacher, kind="message", payload={"conversation_id": conversation.pk}
    )
    other = Notification.objects.create(
        recipient=a.subject_teacher, kind="message", payload={"conversation_id": conversation.pk + 1000}
    )
    mark = Notification.objects.create(recipient=a.subject_teacher, kind="mark", payload={"student_id": 1})
    services.conversation_read(a.subject_teacher, conversation.pk)
    read = dict(Notification.objects.filter(pk__in=[mine.pk, other.pk, mark.pk]).values_list("pk", "read_at"))
    assert read[mine.pk] is not None
    assert read[other.pk] is None and read[mark.pk] is None
