"""The test pages: the start page, the attempt (answerable, read-only, whole), submitting, the
training feedback, the teacher's check and the homework's list of attempts — each for the right
people, 404 for the wrong parent, the classmate, another school's teacher; POSTs with bad input
change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parta.assessment import services
from parta.assessment.models import Answer, Attempt, Grading
from parta.assessment.tests.conftest import homework_with, make_test
from parta.library.models import Material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def started(world: World, material: Material, **kwargs: Any) -> Attempt:
    return services.attempt_start(world.a.student, material.pk, **kwargs).attempt


def submitted_with_open_answer(world: World) -> tuple[Attempt, Answer]:
    """A control test done for homework, q1 right and q3 (open) waiting for the teacher."""
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control", results="on_submit")
    homework = homework_with(world, material)
    attempt = started(world, material, homework_id=homework.pk)
    services.answer_save(world.a.student, attempt.pk, "q1", {"option": "b"})
    services.answer_save(world.a.student, attempt.pk, "q3", {"text": "Потому что.", "files": []})
    services.attempt_submit(world.a.student, attempt.pk)
    return attempt, Answer.objects.get(attempt=attempt, question_id="q3")


# --- the start page ------------------------------------------------------------------------------


def test_a_student_starts_a_test_and_continues_it(world: World, quiz: Material) -> None:
    client = signed_in(world.a.student)
    url = f"/tests/{quiz.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Таблица умножения" in page.content.decode()
    assert page.context["summary"]["questions"] == 3
    assert page.context["start"].may_take
    first = client.post(url)
    attempt = Attempt.objects.get(student=world.a.student)
    assert first.status_code == 302
    assert first["Location"] == f"/attempts/{attempt.pk}/"
    # Starting again resumes the attempt in progress; the page offers to continue it.
    assert client.post(url)["Location"] == f"/attempts/{attempt.pk}/"
    assert Attempt.objects.count() == 1
    again = client.get(url)
    assert again.context["start"].in_progress == attempt.pk
    assert "Continue" in again.content.decode()


def test_the_start_page_is_404_for_a_test_the_user_may_not_open(world: World) -> None:
    draft = make_test(world.b.subject_teacher)  # never published: its author's alone
    for user in (world.a.student, world.a.parent, world.a.subject_teacher, world.outsider):
        assert signed_in(user).get(f"/tests/{draft.pk}/").status_code == 404
        assert signed_in(user).post(f"/tests/{draft.pk}/").status_code == 404
    assert signed_in(world.a.student).get("/tests/999999/").status_code == 404
    assert not Attempt.objects.exists()


def test_homework_not_given_to_the_student_is_404_and_starts_nothing(world: World, quiz: Material) -> None:
    homework = homework_with(world, quiz)
    url = f"/tests/{quiz.pk}/"
    # The sibling is in another class: the homework is not theirs.
    sibling = signed_in(world.a.sibling)
    assert sibling.get(f"{url}?homework={homework.pk}").status_code == 404
    assert sibling.post(url, {"homework": homework.pk}).status_code == 404
    # A malformed homework is no homework: never a start outside it.
    student = signed_in(world.a.student)
    assert student.post(url, {"homework": "abc"}).status_code == 404
    assert not Attempt.objects.exists()
    page = student.get(f"{url}?homework={homework.pk}")
    assert page.status_code == 200
    assert f'name="homework" value="{homework.pk}"' in page.content.decode()
    student.post(url, {"homework": homework.pk})
    assert Attempt.objects.get().homework_id == homework.pk


def test_staff_and_parents_see_the_start_page_without_a_start_button(world: World, quiz: Material) -> None:
    for user in (world.a.parent, world.a.subject_teacher):
        client = signed_in(user)
        page = client.get(f"/tests/{quiz.pk}/")
        assert page.status_code == 200
        assert not page.context["start"].may_take
        # A teacher's POST starts nothing: only students take tests.
        assert client.post(f"/tests/{quiz.pk}/").status_code == 404
    assert not Attempt.objects.exists()


def test_no_attempts_left_is_said_and_starts_nothing(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control", attempts=1)
    attempt = started(world, material)
    services.attempt_submit(world.a.student, attempt.pk)
    client = signed_in(world.a.student)
    page = client.get(f"/tests/{material.pk}/")
    assert page.context["start"].attempts_left == 0
    assert "No attempts are left" in page.content.decode()
    refused = client.post(f"/tests/{material.pk}/", follow=True)
    assert "No attempts are left at this test." in refused.content.decode()
    assert Attempt.objects.count() == 1


# --- the attempt ---------------------------------------------------------------------------------


def test_the_student_answers_on_the_page_and_finds_the_answers_again(world: World, quiz: Material) -> None:
    attempt = started(world, quiz)
    services.answer_save(world.a.student, attempt.pk, "q1", {"option": "b"})
    services.answer_save(world.a.student, attempt.pk, "q3", {"text": "Потому что.", "files": []})
    page = signed_in(world.a.student).get(f"/attempts/{attempt.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["editable"]
    assert f"/api/v1/attempts/{attempt.pk}/answers/QUESTION" in html
    # The saved answers are on the page as it opens, the other question empty.
    assert 'value="b" data-answer checked' in html
    assert "Потому что.</textarea>" in html
    assert page.context["data"]["answered"] == 2
    # Training mode: the right answer and the explanation under an answered question.
    assert "Two and two make four." in html
    assert "data-submit-form" in html


def test_a_guardian_reads_the_attempt_and_strangers_get_404(world: World, quiz: Material) -> None:
    attempt = started(world, quiz)
    services.answer_save(world.a.student, attempt.pk, "q1", {"option": "a"})
    url = f"/attempts/{attempt.pk}/"
    parent = signed_in(world.a.parent).get(url)
    assert parent.status_code == 200
    assert not parent.context["editable"]
    html = parent.content.decode()
    assert "data-answer-url" not in html
    assert "data-submit-form" not in html
    for stranger in (
        world.a.classmate,
        world.a.classmate_parent,
        world.b.subject_teacher,
        world.b.admin,
        world.outsider,
    ):
        client = signed_in(stranger)
        assert client.get(url).status_code == 404, stranger
        assert client.post(f"{url}submit/").status_code == 404
        assert client.get(f"{url}feedback/q1/").status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_submitting_on_the_page_shows_the_score(world: World, quiz: Material) -> None:
    attempt = started(world, quiz)
    services.answer_save(world.a.student, attempt.pk, "q1", {"option": "b"})
    # The parent cannot submit for the child.
    assert signed_in(world.a.parent).post(f"/attempts/{attempt.pk}/submit/").status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.IN_PROGRESS
    client = signed_in(world.a.student)
    done = client.post(f"/attempts/{attempt.pk}/submit/")
    assert done["Location"] == f"/attempts/{attempt.pk}/"
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.SUBMITTED
    page = client.get(done["Location"])
    assert not page.context["editable"]
    assert page.context["data"]["score"]["points"] == Decimal("1.00")
    assert "1 of 6" in page.content.decode()
    # The parent sees the same score.
    assert "1 of 6" in signed_in(world.a.parent).get(done["Location"]).content.decode()


def test_control_results_wait_for_their_date(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control", show_answers=True)
    homework = homework_with(world, material)
    attempt = started(world, material, homework_id=homework.pk)
    services.answer_save(world.a.student, attempt.pk, "q1", {"option": "b"})
    # Control mode: no feedback after an answer.
    feedback = signed_in(world.a.student).get(f"/attempts/{attempt.pk}/feedback/q1/")
    assert feedback.status_code == 200
    assert "Two and two make four." not in feedback.content.decode()
    services.attempt_submit(world.a.student, attempt.pk)
    page = signed_in(world.a.student).get(f"/attempts/{attempt.pk}/")
    html = page.content.decode()
    assert page.context["data"]["score"] is None
    assert "The results will be shown after" in html
    assert "Two and two make four." not in html
    Attempt.objects.filter(pk=attempt.pk).update(results_at=timezone.now() - dt.timedelta(seconds=1))
    after = signed_in(world.a.parent).get(f"/attempts/{attempt.pk}/").content.decode()
    assert "1 of 6" in after
    assert "Two and two make four." in after


def test_training_feedback_follows_an_answer(world: World, quiz: Material) -> None:
    attempt = started(world, quiz)
    client = signed_in(world.a.student)
    # Nothing answered yet: nothing to show.
    assert "Two and two make four." not in client.get(f"/attempts/{attempt.pk}/feedback/q1/").content.decode()
    services.answer_save(world.a.student, attempt.pk, "q1", {"option": "a"})
    html = client.get(f"/attempts/{attempt.pk}/feedback/q1/").content.decode()
    assert "Two and two make four." in html
    assert "Wrong" in html
    assert client.get(f"/attempts/{attempt.pk}/feedback/nosuch/").status_code == 404


def test_an_attempt_past_its_time_says_so(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control", time_limit_minutes=20)
    attempt = started(world, material)
    page = signed_in(world.a.student).get(f"/attempts/{attempt.pk}/")
    assert page.context["editable"]
    assert 'data-deadline="' in page.content.decode()
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - dt.timedelta(seconds=1))
    late = signed_in(world.a.student).get(f"/attempts/{attempt.pk}/")
    assert late.context["time_up"]
    assert not late.context["editable"]
    assert "Time is up" in late.content.decode()


# --- checking --------------------------------------------------------------------------------------


def test_the_teacher_checks_an_open_answer_on_the_page(world: World) -> None:
    attempt, answer = submitted_with_open_answer(world)
    client = signed_in(world.a.subject_teacher)
    page = client.get(f"/attempts/{attempt.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Потому что." in html
    assert f"/answers/{answer.pk}/grade/" in html
    question = next(q for q in page.context["data"]["questions"] if q["id"] == "q3")
    assert question["waiting"]
    graded = client.post(
        f"/answers/{answer.pk}/grade/", {"grade-q3-points": "2,5", "grade-q3-comment": "Почти."}
    )
    assert graded.status_code == 302
    assert graded["Location"] == f"/attempts/{attempt.pk}/#q-q3"
    answer.refresh_from_db()
    assert (answer.points, answer.comment) == (Decimal("2.50"), "Почти.")
    assert Attempt.objects.get(pk=attempt.pk).points == Decimal("3.50")


@pytest.mark.parametrize("points", ["abc", "4", "1.3", ""])
def test_bad_points_show_the_form_error_and_change_nothing(world: World, points: str) -> None:
    _attempt, answer = submitted_with_open_answer(world)
    page = signed_in(world.a.subject_teacher).post(
        f"/answers/{answer.pk}/grade/", {"grade-q3-points": points, "grade-q3-comment": "x"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'class="errorlist' in html
    answer.refresh_from_db()
    assert (answer.points, answer.comment) == (None, "")
    assert not Grading.objects.exists()


def test_only_the_homeworks_teachers_check(world: World) -> None:
    attempt, answer = submitted_with_open_answer(world)
    url = f"/answers/{answer.pk}/grade/"
    body = {"grade-q3-points": "3"}
    # The class teacher reads the attempt whole but does not check it: no form, and a POST is 404.
    page = signed_in(world.a.class_teacher).get(f"/attempts/{attempt.pk}/")
    assert page.status_code == 200
    assert url not in page.content.decode()
    for user in (
        world.a.class_teacher,
        world.a.student,
        world.a.parent,
        world.b.subject_teacher,
        world.b.admin,
    ):
        assert signed_in(user).post(url, body).status_code == 404, user
    assert signed_in(world.b.subject_teacher).get(f"/attempts/{attempt.pk}/").status_code == 404
    assert not Grading.objects.exists()
    # The school's administrator checks too.
    assert signed_in(world.a.admin).post(url, body).status_code == 302
    assert Grading.objects.count() == 1


def test_an_attempt_in_progress_is_not_checked(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist, mode="control")
    homework = homework_with(world, material)
    attempt = started(world, material, homework_id=homework.pk)
    services.answer_save(world.a.student, attempt.pk, "q3", {"text": "Потому что.", "files": []})
    answer = Answer.objects.get(attempt=attempt)
    client = signed_in(world.a.subject_teacher)
    page = client.get(f"/attempts/{attempt.pk}/")
    assert page.status_code == 200
    assert f"/answers/{answer.pk}/grade/" not in page.content.decode()
    refused = client.post(f"/answers/{answer.pk}/grade/", {"grade-q3-points": "3"}, follow=True)
    assert "still in progress" in refused.content.decode()
    assert not Grading.objects.exists()


def test_the_homework_lists_its_attempts_for_its_teachers(world: World) -> None:
    attempt, _answer = submitted_with_open_answer(world)
    url = f"/homework/{attempt.homework_id}/tests/"
    page = signed_in(world.a.subject_teacher).get(url)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(row["id"], row["waiting"]) for row in rows] == [(attempt.pk, 1)]
    assert f"/attempts/{attempt.pk}/" in page.content.decode()
    assert signed_in(world.a.class_teacher).get(url).status_code == 200
    for user in (world.a.student, world.a.parent, world.a.classmate, world.b.subject_teacher, world.outsider):
        assert signed_in(user).get(url).status_code == 404, user


def test_the_attempt_page_keeps_to_a_query_budget(
    world: World, quiz: Material, django_assert_max_num_queries: Any
) -> None:
    attempt = started(world, quiz)
    for question, response in (("q1", {"option": "b"}), ("q3", {"text": "Потому что.", "files": []})):
        services.answer_save(world.a.student, attempt.pk, question, response)
    client = signed_in(world.a.student)
    client.get(f"/attempts/{attempt.pk}/")
    with django_assert_max_num_queries(15):
        assert client.get(f"/attempts/{attempt.pk}/").status_code == 200
