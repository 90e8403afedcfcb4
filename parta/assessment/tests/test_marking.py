"""A homework attempt's mark in the journal: through the journal's services, once per student and
homework (the homework work is its origin, whichever attempt it is put from), changed there when
the teacher gives another value; it reaches the diary like any mark."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from parta.assessment.marking import attempt_mark
from parta.assessment.models import Attempt
from parta.assessment.services import Refused, attempt_start, attempt_submit
from parta.homework.marking import origin_of
from parta.homework.models import Homework, HomeworkCompletion, WorkStatus
from parta.homework.services import homework_set
from parta.journal.models import JournalChange, Mark
from parta.library.models import Material
from parta.testing.factories import api_key
from parta.testing.world import MONDAY, World

pytestmark = pytest.mark.django_db


def _homework(world: World, quiz: Material) -> Homework:
    """The test given at Monday's algebra lesson, due two days later."""
    return homework_set(
        world.a.subject_teacher,
        lesson_id=world.a.lesson.pk,
        text="Пройдите тест.",
        due_on=MONDAY + dt.timedelta(days=2),
        materials=[quiz.pk],
    )


def _submitted(world: World, quiz: Material, homework: Homework) -> Attempt:
    attempt = attempt_start(world.a.student, quiz.pk, homework_id=homework.pk).attempt
    return attempt_submit(world.a.student, attempt.pk)


def test_the_teacher_puts_the_mark_once_and_changes_it_in_the_journal(world: World, quiz: Material) -> None:
    homework = _homework(world, quiz)
    attempt = attempt_start(world.a.student, quiz.pk, homework_id=homework.pk).attempt
    teacher = world.a.subject_teacher
    with pytest.raises(Refused):
        attempt_mark(teacher, attempt.pk, 5)
    attempt_submit(world.a.student, attempt.pk)
    mark = attempt_mark(teacher, attempt.pk, 5)
    assert (mark.lesson_id, mark.student_id, mark.value, mark.origin) == (
        world.a.lesson.pk,
        world.a.student.pk,
        5,
        origin_of(HomeworkCompletion.objects.get(homework=homework, student=world.a.student).pk),
    )
    # Twice is one mark; another value changes it, with the journal's history.
    assert attempt_mark(teacher, attempt.pk, 5).pk == mark.pk
    assert attempt_mark(teacher, attempt.pk, 4).pk == mark.pk
    assert list(Mark.objects.values_list("value", flat=True)) == [4]
    assert JournalChange.objects.filter(kind=JournalChange.Kind.MARK, object_id=mark.pk).count() == 2
    # A second attempt's mark is the same mark: one per student and homework.
    second = attempt_start(world.a.student, quiz.pk, homework_id=homework.pk).attempt
    attempt_submit(world.a.student, second.pk)
    assert attempt_mark(teacher, second.pk, 3).pk == mark.pk
    assert list(Mark.objects.values_list("value", flat=True)) == [3]
    assert HomeworkCompletion.objects.get(homework=homework).status == WorkStatus.CHECKED
    # The family reads it in the diary like any mark.
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key(world.a.parent)}"
    week = f"from={MONDAY}&to={MONDAY + dt.timedelta(days=6)}"
    diary = client.get(f"/api/v1/students/{world.a.student.pk}/diary?{week}").json()
    assert f'"id": {mark.pk}' in json.dumps(diary)


def test_only_the_homeworks_teacher_puts_the_mark(world: World, quiz: Material) -> None:
    attempt = _submitted(world, quiz, _homework(world, quiz))
    for stranger in (
        world.a.class_teacher,
        world.a.parent,
        world.a.student,
        world.b.subject_teacher,
        world.outsider,
    ):
        with pytest.raises(Http404):
            attempt_mark(stranger, attempt.pk, 5)
    assert not Mark.objects.exists()


def test_a_practice_attempt_goes_into_no_journal(world: World, quiz: Material) -> None:
    attempt = attempt_submit(world.a.student, attempt_start(world.a.student, quiz.pk).attempt.pk)
    with pytest.raises(Http404):
        attempt_mark(world.a.subject_teacher, attempt.pk, 5)


def test_the_check_page_puts_the_mark_and_shows_a_bad_one_at_its_field(world: World, quiz: Material) -> None:
    attempt = _submitted(world, quiz, _homework(world, quiz))
    page = Client()
    page.force_login(world.a.subject_teacher)
    url = reverse("assessment-attempt-mark", args=[attempt.pk])
    assert (
        "Mark in the journal" in page.get(reverse("assessment-attempt", args=[attempt.pk])).content.decode()
    )
    for bad in ("abc", "7"):
        answer: Any = page.post(url, {"value": bad})
        assert answer.status_code == 400, bad
        assert 'class="field-error' in answer.content.decode() or "errorlist" in answer.content.decode()
    assert not Mark.objects.exists()
    assert page.post(url, {"value": "5"}).status_code == 302
    assert Mark.objects.get().value == 5
    stranger = Client()
    stranger.force_login(world.b.subject_teacher)
    assert stranger.post(url, {"value": "5"}).status_code == 404
