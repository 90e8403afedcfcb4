"""Rules of the homework services that no other test pinned down: found alive by a mutation run
(docs/decisions/0008-test-blind-spots.md, "Mutation testing")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from parta.homework import services, work
from parta.homework.models import HomeworkCompletion, HomeworkFile
from parta.homework.tests.conftest import next_algebra
from parta.testing import factories as f
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db


def text_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"text")


def set_hw(world, **kwargs):
    kwargs.setdefault("lesson_id", world.a.lesson.pk)
    kwargs.setdefault("text", "§ 12, exercises 1–5")
    return services.homework_set(world.a.subject_teacher, **kwargs)


def update(world, homework, **kwargs):
    arguments = {"text": "New", "due_on": None} | kwargs
    return services.homework_update(world.a.subject_teacher, homework.pk, **arguments)


def test_homework_due_on_its_own_lessons_day_is_not_due_at_that_lesson(world):
    """Due the same day, it is due at another lesson of the group that day, if any, never at the
    lesson it was set at."""
    homework = set_hw(world, due_on=MONDAY)
    assert (homework.due_on, homework.due_lesson) == (MONDAY, None)
    later = next_algebra(world, days=0, number=6)
    assert set_hw(world, due_on=MONDAY).due_lesson == later


def test_an_update_moves_the_due_lesson_with_the_date(world):
    """Changing the date to the next lesson's day makes that lesson the one it is due at."""
    wednesday = next_algebra(world, days=2)
    homework = set_hw(world, due_on=MONDAY + dt.timedelta(days=1))
    assert homework.due_lesson is None
    update(world, homework, due_on=wednesday.date)
    homework.refresh_from_db()
    assert homework.due_lesson == wednesday


def test_an_update_keeps_at_most_ten_files_counting_those_removed(world):
    """Ten files after the update are allowed, eleven are not; a removed one frees its place."""
    next_algebra(world)
    homework = set_hw(world, files=[text_file(f"{i}.txt") for i in range(9)])
    first = homework.files.order_by("pk").first()
    assert first is not None
    update(world, homework, files_add=[text_file("a.txt"), text_file("b.txt")], files_remove=[first.pk])
    assert homework.files.count() == 10
    with pytest.raises(ValidationError) as caught:
        update(world, homework, files_add=[text_file("c.txt")])
    assert "files" in caught.value.message_dict
    assert homework.files.count() == 10


def test_a_bad_update_names_the_field_at_fault(world):
    """A file of another homework to remove is a ``files_remove`` error; a forbidden file to add a
    ``files`` error; nothing is written."""
    next_algebra(world)
    homework = set_hw(world)
    other = HomeworkFile.objects.create(
        homework=f.HomeworkFactory.create(lesson=world.a.lesson), name="x", size=1
    )
    for kwargs, field in (
        ({"files_remove": [other.pk]}, "files_remove"),
        ({"files_add": [SimpleUploadedFile("run.exe", b"MZ")]}, "files"),
    ):
        with pytest.raises(ValidationError) as caught:
            update(world, homework, **kwargs)
        assert field in caught.value.message_dict
    assert HomeworkFile.objects.filter(homework=homework).count() == 0


def test_a_removed_file_leaves_the_storage_once_the_change_commits(world, django_capture_on_commit_callbacks):
    """The row goes with the transaction, the stored file after it; the other files stay."""
    next_algebra(world)
    homework = set_hw(world, files=[text_file("a.txt"), text_file("b.txt")])
    a, b = homework.files.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        update(world, homework, files_remove=[a.pk])
    assert not default_storage.exists(a.file.name)
    assert default_storage.exists(b.file.name)


def test_deleting_homework_removes_its_stored_files_once_it_commits(
    world, django_capture_on_commit_callbacks
):
    """Its files leave the storage; another homework's stay."""
    next_algebra(world)
    homework = set_hw(world, files=[text_file("a.txt")])
    kept = set_hw(world, files=[text_file("b.txt")])
    gone, stays = homework.files.get(), kept.files.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.homework_delete(world.a.subject_teacher, homework.pk)
    assert not default_storage.exists(gone.file.name)
    assert default_storage.exists(stays.file.name)


def test_taking_a_tick_back_takes_back_only_that_tick(world):
    """The student's ticks of other homework, and the classmate's tick of this one, stay."""
    homework, other = (f.HomeworkFactory.create(lesson=world.a.lesson) for _ in range(2))
    for student, item in (
        (world.a.student, homework),
        (world.a.student, other),
        (world.a.classmate, homework),
    ):
        work.homework_done(student, item.pk)
    work.homework_undone(world.a.student, homework.pk)
    ticks = set(HomeworkCompletion.objects.values_list("student_id", "homework_id"))
    assert ticks == {(world.a.student.pk, other.pk), (world.a.classmate.pk, homework.pk)}


def test_the_next_lesson_is_the_earliest_by_day_then_by_number(world):
    """Without a date, homework is due at the first lesson of the next day that has one: not a
    later day's lesson with a smaller number, and of two that day, the earlier one."""
    next_algebra(world, days=4, number=1)
    next_algebra(world, days=2, number=5)
    first = next_algebra(world, days=2, number=3)
    homework = set_hw(world)
    assert (homework.due_on, homework.due_lesson) == (first.date, first)


def test_homework_takes_ten_files_and_ten_thousand_characters_at_most(world):
    """The limits are inclusive: ten files and a text of 10,000 characters are set, an eleventh
    file is a ``files`` error."""
    next_algebra(world)
    homework = set_hw(world, text="x" * 10_000, files=[text_file(f"{i}.txt") for i in range(10)])
    assert (len(homework.text), homework.files.count()) == (10_000, 10)
    with pytest.raises(ValidationError) as caught:
        set_hw(world, files=[text_file(f"{i}.txt") for i in range(11)])
    assert "files" in caught.value.message_dict
