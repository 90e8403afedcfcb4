"""Setting, changing and deleting homework, the default due date, every validation rule, the tick."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from parta.core.files import SIGNATURES
from parta.homework import services, work
from parta.homework.models import Homework, HomeworkCompletion, HomeworkFile, HomeworkLink
from parta.homework.tests.conftest import next_algebra
from parta.outbox.models import OutboxEvent
from parta.testing import factories as f
from parta.testing.world import MONDAY
from parta.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def set_hw(world, **kwargs):
    kwargs.setdefault("lesson_id", world.a.lesson.pk)
    kwargs.setdefault("text", "§ 12, exercises 1–5")
    return services.homework_set(world.a.subject_teacher, **kwargs)


# --- the default due date ------------------------------------------------------------------


def test_due_date_defaults_to_the_groups_next_lesson_of_the_subject(world):
    # Tuesday: another subject of the same group; Wednesday: a cancelled algebra lesson;
    # Thursday: another group's algebra; Friday: the next algebra lesson of 7А.
    russian = world.a.group.teaching_assignments.exclude(pk=world.a.assignment.pk).get()
    f.LessonFactory.create(assignment=russian, date=MONDAY + dt.timedelta(days=1), number=1)
    next_algebra(world, days=2, status=Lesson.Status.CANCELLED)
    f.LessonFactory.create(assignment=world.a.other_lesson.assignment, date=MONDAY + dt.timedelta(days=3))
    friday = next_algebra(world, days=4)
    later = next_algebra(world, days=7)
    assert services.next_lesson_date(world.a.lesson) == friday
    homework = set_hw(world)
    assert homework.due_on == friday.date
    assert homework.due_lesson == friday
    assert later.date > homework.due_on


def test_a_second_lesson_the_same_day_is_not_the_next_lesson(world):
    next_algebra(world, days=0, number=3)
    wednesday = next_algebra(world, days=2)
    assert services.next_lesson_date(world.a.lesson) == wednesday


def test_a_subgroup_lessons_homework_is_due_at_the_same_subgroups_next_lesson(world):
    subject = f.SubjectFactory.create(code="english")
    first = f.SubgroupFactory.create(class_group=world.a.group, subject=subject, number=1)
    second = f.SubgroupFactory.create(class_group=world.a.group, subject=subject, number=2)
    teacher = world.a.subject_teacher
    mine = f.TeachingAssignmentFactory.create(
        class_group=world.a.group, subgroup=first, subject=subject, teacher=teacher
    )
    theirs = f.TeachingAssignmentFactory.create(
        class_group=world.a.group, subgroup=second, subject=subject, teacher=world.a.class_teacher
    )
    lesson = f.LessonFactory.create(assignment=mine, date=MONDAY, number=4)
    f.LessonFactory.create(assignment=theirs, date=MONDAY + dt.timedelta(days=1), number=4)
    following = f.LessonFactory.create(assignment=mine, date=MONDAY + dt.timedelta(days=3), number=4)
    assert services.next_lesson_date(lesson) == following
    homework = services.homework_set(teacher, lesson_id=lesson.pk, text="Words")
    assert (homework.subgroup_id, homework.due_on) == (first.pk, following.date)


def test_without_a_next_lesson_the_date_must_be_given(world):
    with pytest.raises(ValidationError) as error:
        set_hw(world)
    assert "due_on" in error.value.message_dict
    assert not Homework.objects.exists()
    homework = set_hw(world, due_on=MONDAY + dt.timedelta(days=3))
    assert homework.due_on == MONDAY + dt.timedelta(days=3)
    assert homework.due_lesson is None


def test_an_explicit_date_finds_the_lesson_on_that_day(world):
    wednesday = next_algebra(world, days=2)
    next_algebra(world, days=4)
    homework = set_hw(world, due_on=wednesday.date)
    assert homework.due_lesson == wednesday


# --- what is written -----------------------------------------------------------------------


def test_homework_is_set_with_links_files_and_an_event(world):
    next_algebra(world)
    upload = SimpleUploadedFile("task.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    homework = set_hw(
        world,
        text="  Read the chapter  ",
        links=[("https://example.org/a", "Chapter"), ("https://example.org/b",)],
        files=[upload],
    )
    assert homework.text == "Read the chapter"
    assert (homework.school, homework.class_group, homework.subject) == (
        world.a.school,
        world.a.group,
        world.a.assignment.subject,
    )
    assert list(homework.links.values_list("url", "title")) == [
        ("https://example.org/a", "Chapter"),
        ("https://example.org/b", ""),
    ]
    [file] = homework.files.all()
    assert (file.name, file.size) == ("task.pdf", len(b"%PDF-1.4 test"))
    assert file.file.read() == b"%PDF-1.4 test"
    [event] = OutboxEvent.objects.all()
    assert event.kind == "homework.set"
    assert event.school_id == world.a.school.pk
    assert event.payload == {
        "homework_id": homework.pk,
        "class_group_id": world.a.group.pk,
        "subgroup_id": None,
        "subject_id": world.a.assignment.subject_id,
        "due_on": homework.due_on.isoformat(),
        "change": "created",
        "actor_id": world.a.subject_teacher.pk,
        "student_ids": [],
    }


def too_big(settings):
    settings.PARTA_MAX_UPLOAD_BYTES = 10
    return {"files": [SimpleUploadedFile("big.pdf", b"x" * 11)]}


def test_every_allowed_kind_of_file_is_checked_by_content():
    assert not services.ALLOWED_EXTENSIONS - SIGNATURES.keys()


BAD_INPUT = {
    "empty text": ("text", lambda w, s: {"text": "   "}),
    "due before the lesson": ("due_on", lambda w, s: {"due_on": MONDAY - dt.timedelta(days=1)}),
    "due too late": ("due_on", lambda w, s: {"due_on": MONDAY + dt.timedelta(days=61)}),
    "not a web address": ("links", lambda w, s: {"links": [("javascript:alert(1)", "x")]}),
    "no scheme": ("links", lambda w, s: {"links": [("example.org", "")]}),
    "file too large": ("files", lambda w, s: too_big(s)),
    "forbidden file type": ("files", lambda w, s: {"files": [SimpleUploadedFile("run.exe", b"MZ")]}),
    "a page named as a PDF": (
        "files",
        lambda w, s: {"files": [SimpleUploadedFile("task.pdf", b"<html><script>alert(1)</script>")]},
    ),
    "a program named as a picture": ("files", lambda w, s: {"files": [SimpleUploadedFile("a.png", b"MZ")]}),
    "too many links": ("links", lambda w, s: {"links": [(f"https://e.org/{i}", "") for i in range(21)]}),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gets_a_field_error_and_writes_nothing(world, settings, case):
    next_algebra(world)
    field, make = BAD_INPUT[case]
    with pytest.raises(ValidationError) as error:
        set_hw(world, **make(world, settings))
    assert field in error.value.message_dict
    assert not Homework.objects.exists()
    assert not HomeworkLink.objects.exists()
    assert not HomeworkFile.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_a_cancelled_lesson_gets_no_homework(world):
    next_algebra(world)
    Lesson.objects.filter(pk=world.a.lesson.pk).update(status=Lesson.Status.CANCELLED)
    with pytest.raises(ValidationError) as error:
        set_hw(world)
    assert "lesson" in error.value.message_dict
    assert not Homework.objects.exists()


def test_the_due_date_may_be_the_lesson_day_and_sixty_days_later(world):
    assert set_hw(world, due_on=MONDAY).due_on == MONDAY
    assert set_hw(world, due_on=MONDAY + dt.timedelta(days=60)).due_on == MONDAY + dt.timedelta(days=60)


@pytest.mark.parametrize("who", ["class_teacher", "admin", "parent", "student"])
def test_only_the_lessons_teacher_sets_homework(world, who):
    next_algebra(world)
    with pytest.raises(Http404):
        services.homework_set(getattr(world.a, who), lesson_id=world.a.lesson.pk, text="x")
    with pytest.raises(Http404):
        services.homework_set(world.b.subject_teacher, lesson_id=world.a.lesson.pk, text="x")
    assert not Homework.objects.exists()


def test_a_substitute_sets_homework_on_the_lesson_they_teach(world):
    next_algebra(world)
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        teacher=world.a.class_teacher, replaced_teacher=world.a.subject_teacher
    )
    homework = services.homework_set(world.a.class_teacher, lesson_id=world.a.lesson.pk, text="x")
    assert homework.created_by == world.a.class_teacher


# --- change and delete ---------------------------------------------------------------------


def test_update_replaces_text_date_links_and_files_and_emits_changed(world):
    next_algebra(world)
    homework = set_hw(
        world,
        links=[("https://example.org/old", "")],
        files=[SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")],
    )
    a, _b = homework.files.order_by("pk")
    services.homework_update(
        world.a.subject_teacher,
        homework.pk,
        text="New text",
        due_on=MONDAY + dt.timedelta(days=5),
        links=[("https://example.org/new", "New")],
        files_add=[SimpleUploadedFile("c.png", b"\x89PNG\r\n\x1a\n")],
        files_remove=[a.pk],
    )
    homework.refresh_from_db()
    assert (homework.text, homework.due_on) == ("New text", MONDAY + dt.timedelta(days=5))
    assert list(homework.links.values_list("url", flat=True)) == ["https://example.org/new"]
    assert sorted(homework.files.values_list("name", flat=True)) == ["b.txt", "c.png"]
    assert list(OutboxEvent.objects.order_by("pk").values_list("payload__change", flat=True)) == [
        "created",
        "changed",
    ]


def test_a_bad_update_changes_nothing(world):
    next_algebra(world)
    homework = set_hw(world, links=[("https://example.org/old", "")])
    other = HomeworkFile.objects.create(
        homework=f.HomeworkFactory.create(lesson=world.a.lesson), name="x", size=1
    )
    for kwargs in (
        {"text": ""},
        {"due_on": MONDAY - dt.timedelta(days=3)},
        {"links": [("ftp://example.org", "")]},
        {"files_remove": [other.pk]},
    ):
        arguments = {"text": "New", "due_on": None, "links": [("https://example.org/new", "")]} | kwargs
        with pytest.raises(ValidationError):
            services.homework_update(world.a.subject_teacher, homework.pk, **arguments)
    homework.refresh_from_db()
    assert homework.text == "§ 12, exercises 1–5"
    assert list(homework.links.values_list("url", flat=True)) == ["https://example.org/old"]
    assert OutboxEvent.objects.count() == 1


def test_only_the_teacher_changes_or_deletes(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    for who in (
        world.a.class_teacher,
        world.a.admin,
        world.a.parent,
        world.a.student,
        world.b.subject_teacher,
    ):
        with pytest.raises(Http404):
            services.homework_update(who, homework.pk, text="x", due_on=homework.due_on)
        with pytest.raises(Http404):
            services.homework_delete(who, homework.pk)
    services.homework_delete(world.a.subject_teacher, homework.pk)
    assert not Homework.objects.exists()


# --- the tick ------------------------------------------------------------------------------


def test_the_tick_is_idempotent_and_only_the_students(world):
    homework = f.HomeworkFactory.create(lesson=world.a.lesson)
    first = work.homework_done(world.a.student, homework.pk)
    again = work.homework_done(world.a.student, homework.pk)
    assert first.pk == again.pk
    assert HomeworkCompletion.objects.count() == 1
    for who in (
        world.a.parent,
        world.a.subject_teacher,
        world.a.class_teacher,
        world.a.sibling,
        world.b.student,
    ):
        with pytest.raises(Http404):
            work.homework_done(who, homework.pk)
        with pytest.raises(Http404):
            work.homework_undone(who, homework.pk)
    assert HomeworkCompletion.objects.count() == 1
    work.homework_undone(world.a.student, homework.pk)
    work.homework_undone(world.a.student, homework.pk)
    assert not HomeworkCompletion.objects.exists()


def test_a_subgroups_homework_is_ticked_only_by_its_members(world):
    subject = f.SubjectFactory.create(code="english")
    first = f.SubgroupFactory.create(class_group=world.a.group, subject=subject, number=1)
    f.SubgroupMembershipFactory.create(subgroup=first, student=world.a.student)
    classmate = f.UserFactory.create()
    f.EnrolmentFactory.create(class_group=world.a.group, student=classmate)
    lesson = f.LessonFactory.create(
        assignment=f.TeachingAssignmentFactory.create(
            class_group=world.a.group, subgroup=first, subject=subject, teacher=world.a.subject_teacher
        ),
        number=5,
    )
    homework = f.HomeworkFactory.create(lesson=lesson)
    work.homework_done(world.a.student, homework.pk)
    with pytest.raises(Http404):
        work.homework_done(classmate, homework.pk)
