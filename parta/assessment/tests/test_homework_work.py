"""A test given as homework moves the student's homework status: in progress once begun, handed
in once every test of it is submitted, checked once nothing waits for the teacher (at once for a
test scored wholly by the machine); the homework's pages show each student's attempts and lead
the student to take the test for the homework."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parta.assessment.models import Answer
from parta.assessment.services import answer_grade, answer_save, attempt_start, attempt_submit
from parta.assessment.tests.conftest import homework_with, make_test, single
from parta.homework import selectors_work
from parta.homework.models import HomeworkCompletion, WorkStatus
from parta.homework.services import homework_update
from parta.library.models import Material
from parta.library.services.authoring import MaterialData, material_create
from parta.testing.library import published
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def _status(world: World, homework: Any) -> str:
    work = HomeworkCompletion.objects.filter(homework=homework, student=world.a.student).first()
    return work.status if work else ""


def test_a_test_with_an_open_answer_is_handed_in_then_checked_by_the_teacher(
    world: World, quiz: Material
) -> None:
    homework = homework_with(world, quiz)
    attempt = attempt_start(world.a.student, quiz.pk, homework_id=homework.pk).attempt
    assert _status(world, homework) == WorkStatus.IN_PROGRESS
    answer_save(world.a.student, attempt.pk, "q3", {"text": "Потому что."})
    attempt_submit(world.a.student, attempt.pk)
    assert _status(world, homework) == WorkStatus.HANDED_IN
    waiting = Answer.objects.get(attempt=attempt, question_id="q3")
    answer_grade(world.a.subject_teacher, waiting.pk, "3")
    assert _status(world, homework) == WorkStatus.CHECKED
    # The teacher's table shows the attempt; a second attempt started later takes nothing back.
    completion = selectors_work.homework_completion(world.a.subject_teacher, homework.pk)
    mine = next(s for s in completion.students if s.student_id == world.a.student.pk)
    assert [line.label for line in mine.lines] == [quiz.title]
    attempt_start(world.a.student, quiz.pk, homework_id=homework.pk)
    assert _status(world, homework) == WorkStatus.CHECKED


def test_a_test_scored_by_the_machine_is_checked_on_submission(world: World) -> None:
    closed = material_create(
        world.a.subject_teacher,
        kind="test",
        data=MaterialData(
            title="Сложение",
            content={"test": {"mode": "training", "sections": [{"title": "", "questions": [single("q1")]}]}},
        ),
    )
    closed = published(closed, world.methodologist)
    homework = homework_with(world, closed)
    attempt = attempt_start(world.a.student, closed.pk, homework_id=homework.pk).attempt
    answer_save(world.a.student, attempt.pk, "q1", {"choice": "b"})
    attempt_submit(world.a.student, attempt.pk)
    work = HomeworkCompletion.objects.get(homework=homework, student=world.a.student)
    assert (work.status, work.checked_by_id) == (WorkStatus.CHECKED, None)


def test_homework_with_two_tests_is_done_when_both_are(world: World, quiz: Material) -> None:
    other = make_test(world.a.subject_teacher, world.methodologist)
    homework = homework_with(world, quiz)
    homework_update(
        world.a.subject_teacher,
        homework.pk,
        text=homework.text,
        due_on=homework.due_on,
        materials=[quiz.pk, other.pk],
    )
    first = attempt_start(world.a.student, quiz.pk, homework_id=homework.pk).attempt
    attempt_submit(world.a.student, first.pk)
    assert _status(world, homework) == WorkStatus.IN_PROGRESS
    second = attempt_start(world.a.student, other.pk, homework_id=homework.pk).attempt
    attempt_submit(world.a.student, second.pk)
    # Nothing waits for the teacher (an open answer left blank scores 0): checked at once.
    assert _status(world, homework) == WorkStatus.CHECKED


def test_the_homework_page_leads_the_student_to_take_the_test_for_it(world: World, quiz: Material) -> None:
    homework = homework_with(world, quiz)
    student = Client()
    student.force_login(world.a.student)
    page = student.get(f"/homework/{homework.pk}/").content.decode()
    assert f"/tests/{quiz.pk}/?homework={homework.pk}" in page
    parent = Client()
    parent.force_login(world.a.parent)
    seen = parent.get(f"/homework/{homework.pk}/?student={world.a.student.pk}").content.decode()
    assert f"?homework={homework.pk}" not in seen and "/library/" in seen
